"""The limits and cleaners of `agentcore._sanitize`: storable text, bounded values, terminal-safe text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentcore._sanitize import (
    MAX_ARG_DEPTH,
    REPLACEMENT,
    ArgumentsRejected,
    clean_output,
    clean_text,
    clean_value,
    depth_of,
    load_arguments,
    strip_control,
)


@pytest.mark.parametrize(
    ('raw', 'clean'),
    [
        ('plain text', 'plain text'),
        ('lone \ud800 high', f'lone {REPLACEMENT} high'),
        ('lone \udcff escaped byte', f'lone {REPLACEMENT} escaped byte'),
        ('pair \ud83d\ude00', 'pair \U0001f600'),
        ('nul \x00 byte', f'nul {REPLACEMENT} byte'),
        (b'bytes \xff\xfe ok', f'bytes {REPLACEMENT}{REPLACEMENT} ok'),
    ],
)
def test_clean_text_makes_text_storable(raw: str | bytes, clean: str) -> None:
    out = clean_text(raw)
    assert out == clean
    out.encode('utf-8')  # never raises


def test_clean_value_is_iterative_and_drops_what_is_too_deep() -> None:
    value: Any = 'leaf'
    for _ in range(20_000):
        value = {'k': [value]}
    cleaned = clean_value(value)
    assert depth_of(cleaned, limit=10**6) == MAX_ARG_DEPTH
    json.dumps(cleaned)  # no RecursionError any more


def test_load_arguments_rejects_deep_and_large_input_without_recursing() -> None:
    with pytest.raises(ArgumentsRejected, match='nested too deeply'):
        load_arguments('[' * 100_000 + ']' * 100_000)
    with pytest.raises(ArgumentsRejected, match='too large'):
        load_arguments(json.dumps({'a': 'x' * (1 << 20)}))
    with pytest.raises(json.JSONDecodeError):
        load_arguments('{"a": ')


def test_clean_output_bounds_and_says_so() -> None:
    out = clean_output('a' * 5000 + 'TAIL', limit=1000)
    assert out is not None and len(out) <= 1000 and out.endswith('TAIL') and 'dropped' in out


@pytest.mark.parametrize(
    ('raw', 'shown'),
    [
        ('answer\x1b[2J\x1b]0;title\x07 done', 'answer done'),
        ('\x1b[31mred\x1b[0m', 'red'),
        ('osc with st \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\', 'osc with st link'),
        ('dcs \x1bPq#0;2;0;0;0\x1b\\ gone', 'dcs  gone'),
        ('c1 csi \x9b2J and \x9d0;t\x9c end', 'c1 csi  and  end'),
        ('bell\x07 back\x08space \r over', 'bell backspace  over'),
        ('lines\n\tand tabs stay', 'lines\n\tand tabs stay'),
        ('ünïcödé ✓ stays', 'ünïcödé ✓ stays'),
    ],
)
def test_strip_control_removes_terminal_sequences(raw: str, shown: str) -> None:
    assert strip_control(raw) == shown
    assert '\x1b' not in strip_control(raw)

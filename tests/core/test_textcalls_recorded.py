"""The text-format tool-call parsers against recorded model outputs (tests/fixtures/textcalls/, sources cited there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentcore._model_settings import LOCAL_SERVER_PROFILE
from agentcore._textcalls import parse_text_calls

FIXTURES = Path(__file__).resolve().parents[1] / 'fixtures' / 'textcalls'


def _cases() -> list[Any]:
    out = []
    for path in sorted(FIXTURES.glob('*.yaml')):
        data = yaml.safe_load(path.read_text(encoding='utf-8'))
        for case in data['cases']:
            out.append(pytest.param(data['format'], case, id=f'{path.stem}:{case["id"]}'))
    return out


CASES = _cases()


def test_every_format_has_recorded_outputs() -> None:
    assert {p.values[0] for p in CASES} == {'hermes', 'json', 'python_tag'}


@pytest.mark.parametrize(('fmt', 'case'), CASES)
def test_recorded_output(fmt: str, case: dict[str, Any]) -> None:
    for formats in ([fmt], list(LOCAL_SERVER_PROFILE.text_tool_calls)):
        found = parse_text_calls(case['content'], case['tools'], formats)  # type: ignore[arg-type]
        if case['calls'] is None:
            assert found is None, (formats, found)
            continue
        assert found is not None, formats
        text, calls = found
        assert text == case['text']
        assert [(c.name, json.loads(c.arguments)) for c in calls] == [
            (c['name'], c['arguments']) for c in case['calls']], formats

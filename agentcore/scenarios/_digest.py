"""Canonical model requests: their sha256 digest, a line-based rendering, and unified diffs between two of them."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from .._messages import Message, ModelRequest, ToolSpec

_SENTENCE_END = re.compile(r'(?<=[.!?:;])\s+')
#: Most lines of one diff shown in a report.
MAX_DIFF_LINES = 80


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace, UTF-8 kept: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def request_digest(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> str:
    """sha256 of the canonical JSON of a request: its messages and tool specs in the OpenAI wire format."""
    payload = {'messages': [m.to_openai() for m in messages], 'tools': [t.to_openai() for t in tools]}
    return sha256_text(canonical_json(payload))


def digest_of(request: ModelRequest) -> str:
    return request_digest(request.messages, request.tools)


def render_request(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> list[str]:
    """The request as lines for a readable diff: tools first, then each message with its role and position."""
    lines: list[str] = []
    for t in tools:
        lines.append(f'tool {t.name}: {t.description}')
        lines.append(f'  parameters: {canonical_json(t.parameters)}')
    for i, m in enumerate(messages):
        head = f'[{i}] {m.role}'
        if m.tool_call_id is not None:
            head += f' ({m.tool_call_id}{", " + m.name if m.name else ""})'
        lines.append(head + ':')
        lines.extend(f'  {part}' for line in m.content.splitlines() or [''] for part in _sentences(line))
        for c in m.tool_calls:
            lines.append(f'  -> {c.name}({c.arguments}) [{c.id}]')
    return lines


def _sentences(line: str) -> list[str]:
    """A long line cut after each sentence, so that a changed word shows as one changed sentence."""
    if len(line) <= 100:
        return [line]
    return [p for p in _SENTENCE_END.split(line) if p] or ['']


def unified_diff(before: list[str], after: list[str], *, before_name: str, after_name: str) -> str:
    """A unified diff with two lines of context, cut after `MAX_DIFF_LINES` lines."""
    lines = list(difflib.unified_diff(before, after, fromfile=before_name, tofile=after_name, n=2, lineterm=''))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f'... [{len(lines) - MAX_DIFF_LINES} more diff lines]']
    return '\n'.join(lines)


def closest(target: list[str], candidates: Sequence[list[str]]) -> int:
    """Index of the candidate most similar to `target` (difflib ratio; the first one wins ties).

    Raises:
        ValueError: no candidates.
    """
    if not candidates:
        raise ValueError('no candidates to compare with')
    best, best_ratio = 0, -1.0
    for i, cand in enumerate(candidates):
        matcher = difflib.SequenceMatcher(None, target, cand, autojunk=False)
        if matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = i, ratio
    return best


def pretty_lines(value: Any) -> list[str]:
    """`value` as indented, key-sorted JSON lines."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def json_diff(before: Any, after: Any, before_name: str, after_name: str) -> str:
    """A unified diff between two JSON-like values."""
    return unified_diff(pretty_lines(before), pretty_lines(after), before_name=before_name, after_name=after_name)

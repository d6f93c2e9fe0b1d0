"""Tool calls that a model wrote as text (Hermes `<tool_call>`, bare JSON, Llama 3 `<|python_tag|>`), read as calls."""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from ._model_settings import TextCallFormat

_HERMES = re.compile(r'<tool_call>\s*(.*?)\s*(?:</tool_call>|$)', re.DOTALL)
_PYTHON_TAG = '<|python_tag|>'
_LLAMA_END = re.compile(r'<\|(?:eom_id|eot_id|end_of_text)\|>\s*$')
_FENCE = re.compile(r'^```(?:json)?\s*(.*?)\s*```$', re.DOTALL)


@dataclass(frozen=True)
class TextCall:
    """One call found in the text: the tool's name and its arguments as JSON text."""

    name: str
    arguments: str


def parse_text_calls(
    content: str, tools: Collection[str], formats: Sequence[TextCallFormat]
) -> tuple[str, list[TextCall]] | None:
    """The calls `content` writes as text in one of `formats`, and the text left around them.

    Only calls naming one of `tools` count; content that is not entirely made of such calls (apart from text
    before a Hermes or python-tag block) is left alone, so prose that merely shows JSON stays an answer.

    Returns:
        `(text outside the calls, calls)`, or `None` when there is no call to read.
    """
    if not content or not tools:
        return None
    for fmt in formats:
        found = _PARSERS[fmt](content, tools)
        if found is not None and found[1]:
            return found
    return None


def _hermes(content: str, tools: Collection[str]) -> tuple[str, list[TextCall]] | None:
    if '<tool_call>' not in content:
        return None
    calls = [_call(_load(body), tools) for body in _HERMES.findall(content)]
    if not calls or any(c is None for c in calls):
        return None
    return content[: content.index('<tool_call>')].strip(), [c for c in calls if c is not None]


def _python_tag(content: str, tools: Collection[str]) -> tuple[str, list[TextCall]] | None:
    if _PYTHON_TAG not in content:
        return None
    before, _, body = content.partition(_PYTHON_TAG)
    body = _LLAMA_END.sub('', body).strip()
    parts = [p for p in (s.strip() for s in body.split(';')) if p]  # Llama 3 separates parallel calls with ';'
    calls = [_call(_load(p), tools) for p in parts]
    if not calls or any(c is None for c in calls):
        return None
    return before.strip(), [c for c in calls if c is not None]


def _bare_json(content: str, tools: Collection[str]) -> tuple[str, list[TextCall]] | None:
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    if not text.startswith(('{', '[')):
        return None
    value = _load(text)
    items = value if isinstance(value, list) else [value]
    calls = [_call(item, tools) for item in items]
    if not calls or any(c is None for c in calls):
        return None
    return '', [c for c in calls if c is not None]


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _call(value: Any, tools: Collection[str]) -> TextCall | None:
    """A call from `{"name": ..., "arguments"|"parameters": {...}}` (or OpenAI's `{"function": {...}}` shape)."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get('function'), dict):
        value = value['function']
    name = value.get('name')
    if not isinstance(name, str) or name not in tools:
        return None
    args: Any = next((value[k] for k in ('arguments', 'parameters', 'args') if k in value), {})
    if isinstance(args, str):
        parsed = _load(args)
        args = parsed if isinstance(parsed, dict) else None
    if not isinstance(args, dict):
        return None
    return TextCall(name=name, arguments=json.dumps(args, ensure_ascii=False))


_PARSERS = {'hermes': _hermes, 'python_tag': _python_tag, 'json': _bare_json}

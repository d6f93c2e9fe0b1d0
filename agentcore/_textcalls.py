"""Tool calls that a model wrote as text (Hermes `<tool_call>`, bare JSON, Llama 3 `<|python_tag|>`), read as calls."""

from __future__ import annotations

import ast
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
#: Llama 3.1's built-in tool syntax after `<|python_tag|>`: `brave_search.call(query="...")`.
_BUILTIN_CALL = re.compile(r'^([A-Za-z_]\w*)\.call\((.*)\)$', re.DOTALL)
_DECODER = json.JSONDecoder()


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
    # One call per block as a rule; Hermes 3's template also renders several calls, one per line, in one block.
    bodies = [_json_values(body, ';') for body in _HERMES.findall(content)]
    if not bodies or any(values is None for values in bodies):
        return None
    calls = [_call(value, tools) for values in bodies for value in values or []]
    if not calls or any(c is None for c in calls):
        return None
    return content[: content.index('<tool_call>')].strip(), [c for c in calls if c is not None]


def _python_tag(content: str, tools: Collection[str]) -> tuple[str, list[TextCall]] | None:
    if _PYTHON_TAG not in content:
        return None
    before, _, body = content.partition(_PYTHON_TAG)
    body = _LLAMA_END.sub('', body).strip()
    builtin = _builtin_call(body, tools)
    if builtin is not None:
        return before.strip(), [builtin]
    values = _json_values(body, ';')  # Llama 3 separates parallel calls with ';'
    calls = [_call(v, tools) for v in values or []]
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
    values = _json_values(text, ';')  # several objects: Llama 3.x's JSON calls are separated by ';'
    if values is None:
        return None
    items = values[0] if len(values) == 1 and isinstance(values[0], list) else values
    calls = [_call(item, tools) for item in items]
    if not calls or any(c is None for c in calls):
        return None
    return '', [c for c in calls if c is not None]


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # nested too deep: not a call (the turn checker reports deep arguments)
        return None


def _json_values(text: str, separator: str) -> list[Any] | None:
    """The JSON values `text` is made of, one after another (whitespace or `separator` between them).

    `None` when anything else is there, or nothing: a `;` inside a string argument is part of that string.
    """
    values: list[Any] = []
    pos, end = 0, len(text)
    while True:
        while pos < end and (text[pos].isspace() or (text[pos] == separator and values)):
            pos += 1
        if pos >= end:
            return values or None
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError):
            return None
        values.append(value)


def _builtin_call(body: str, tools: Collection[str]) -> TextCall | None:
    """Llama 3.1's built-in tool call, `NAME.call(key="value", ...)`, when NAME is an offered tool.

    Only keyword arguments with literal values (strings, numbers, lists...) count; anything else is not a call.
    """
    match = _BUILTIN_CALL.match(body)
    if match is None or match.group(1) not in tools:
        return None
    try:
        tree = ast.parse(body, mode='eval').body
    except SyntaxError:
        return None
    if not isinstance(tree, ast.Call) or tree.args:
        return None
    args: dict[str, Any] = {}
    for keyword in tree.keywords:
        if keyword.arg is None:
            return None
        try:
            args[keyword.arg] = ast.literal_eval(keyword.value)
        except (ValueError, TypeError, SyntaxError, RecursionError):
            return None
    return TextCall(name=match.group(1), arguments=json.dumps(args, ensure_ascii=False))


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

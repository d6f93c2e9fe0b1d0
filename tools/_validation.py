"""Checking a model's arguments against a tool's schema, with one readable line per problem."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._base import ToolArgumentsError

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

_EXPECTED = {
    'int_type': 'an integer',
    'int_parsing': 'an integer',
    'int_from_float': 'an integer',
    'float_type': 'a number',
    'float_parsing': 'a number',
    'string_type': 'a string',
    'bool_type': 'a boolean',
    'bool_parsing': 'a boolean',
    'list_type': 'an array',
    'tuple_type': 'an array',
    'set_type': 'an array',
    'dict_type': 'an object',
    'model_type': 'an object',
    'model_attributes_type': 'an object',
    'dataclass_type': 'an object',
    'none_required': 'null',
}
_JSON_TYPES = {
    'integer': 'an integer',
    'number': 'a number',
    'string': 'a string',
    'boolean': 'a boolean',
    'array': 'an array',
    'object': 'an object',
    'null': 'null',
}
#: The problem when checking the arguments recursed too deep (the turn checker bounds depth first; see _sanitize).
_TOO_DEEP = 'arguments are nested too deeply to check; send a flatter JSON object'
#: Location parts pydantic adds for the members of a union; dropped so that the member errors merge into one line.
_UNION_TAGS = {'int', 'float', 'str', 'bool', 'bytes', 'none', 'any', 'list', 'dict', 'tuple', 'set'}


def _got(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + '...'


def _path(parts: Iterable[Any]) -> str:
    out = ''
    for part in parts:
        if isinstance(part, int):
            out += f'[{part}]'
        else:
            out += f'.{part}' if out else str(part)
    return out


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (part in _UNION_TAGS or '[' in part or '-' in part)


def _merge(problems: Sequence[tuple[str, str, str | None]]) -> list[str]:
    """Lines from `(path, phrase, got)` triples; phrases on one path about the same input merge with 'or'.

    A phrase is `expected ...`, or `<missing>` / `<extra>` for a missing or unexpected argument.
    """
    merged: dict[tuple[str, str | None], list[str]] = {}
    for path, phrase, got in problems:
        found = merged.setdefault((path, got), [])
        if phrase not in found:
            found.append(phrase)
    lines = []
    for (path, got), phrases in merged.items():
        if phrases == ['<missing>']:
            lines.append(f"missing required argument '{path}'")
        elif phrases == ['<extra>']:
            lines.append(f"unexpected argument '{path}'")
        else:
            rest = [p.removeprefix('expected ') for p in phrases[1:]]
            line = f"argument '{path}': {' or '.join([phrases[0], *rest])}"
            lines.append(f'{line}, got {got}' if got is not None else line)
    return lines


def _phrase(err: Any) -> str:
    kind: str = err['type']
    msg: str = err['msg']
    if kind in _EXPECTED:
        return 'expected ' + _EXPECTED[kind]
    if 'expected' in (err.get('ctx') or {}):
        return f'expected {err["ctx"]["expected"]}'
    for prefix, replacement in (('Input should be ', 'expected '), ('Value error, ', ''), ('Assertion failed, ', '')):
        if msg.startswith(prefix):
            return replacement + msg[len(prefix) :]
    return msg[:1].lower() + msg[1:]


def pydantic_error_lines(error: ValidationError) -> list[str]:
    """One readable line per argument that fails, from a pydantic `ValidationError`."""
    problems: list[tuple[str, str, str | None]] = []
    for err in error.errors(include_url=False):
        loc = [part for part in err['loc'] if not _is_union_tag(part)]
        path = _path(loc) or '(arguments)'
        kind = err['type']
        if kind == 'missing':
            problems.append((path, '<missing>', None))
        elif kind == 'extra_forbidden':
            problems.append((path, '<extra>', None))
        else:
            problems.append((path, _phrase(err), _got(err.get('input'))))
    return _merge(problems)


def validate_with_model(model: type[BaseModel], arguments: dict[str, Any]) -> BaseModel:
    """Validate `arguments` with `model`, rejecting arguments the model does not declare.

    Raises:
        ToolArgumentsError: naming each bad, missing or unexpected argument and what was expected, or saying that
            the arguments are nested too deeply to check.
    """
    from pydantic import ValidationError

    lines = [f"unexpected argument '{name}'" for name in arguments if name not in model.model_fields]
    try:
        validated = model.model_validate({k: v for k, v in arguments.items() if k in model.model_fields})
    except ValidationError as exc:
        raise ToolArgumentsError('; '.join(pydantic_error_lines(exc) + lines)) from None
    except RecursionError:
        raise ToolArgumentsError(_TOO_DEEP) from None
    if lines:
        raise ToolArgumentsError('; '.join(lines))
    return validated


def validate_with_json_schema(schema: dict[str, Any], arguments: dict[str, Any]) -> None:
    """Validate `arguments` against a JSON schema (as MCP servers and some LangChain tools give).

    Raises:
        ToolArgumentsError: naming each bad, missing or unexpected argument and what was expected, or saying that
            the arguments are nested too deeply to check.
    """
    from jsonschema import validators  # type: ignore[import-untyped]

    validator = validators.validator_for(schema)(schema)
    try:
        errors = list(validator.iter_errors(arguments))
    except RecursionError:
        raise ToolArgumentsError(_TOO_DEEP) from None
    problems: list[tuple[str, str, str | None]] = []
    for err in errors:
        where = list(err.absolute_path)
        kind = err.validator
        if kind == 'required' and isinstance(err.instance, dict):
            problems += [(_path([*where, n]), '<missing>', None) for n in err.validator_value if n not in err.instance]
        elif kind == 'additionalProperties' and isinstance(err.instance, dict):
            known = err.schema.get('properties', {})
            problems += [(_path([*where, n]), '<extra>', None) for n in err.instance if n not in known]
        elif kind == 'type':
            types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
            expected = 'expected ' + ' or '.join(_JSON_TYPES.get(str(t), str(t)) for t in types)
            problems.append((_path(where) or '(arguments)', expected, _got(err.instance)))
        elif kind == 'enum':
            expected = 'expected one of ' + ', '.join(repr(v) for v in err.validator_value)
            problems.append((_path(where) or '(arguments)', expected, _got(err.instance)))
        else:
            problems.append((_path(where) or '(arguments)', str(err.message), None))
    if problems:
        raise ToolArgumentsError('; '.join(_merge(problems)))

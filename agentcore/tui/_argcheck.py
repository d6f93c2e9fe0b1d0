"""A light check of edited tool arguments against the tool's JSON schema, for the approval dialog.

Covers what a person editing JSON gets wrong: missing required arguments, unknown ones (when the schema forbids
extras) and top-level types. The tool still validates fully when it runs.
"""

from __future__ import annotations

from typing import Any

_TYPES: dict[str, tuple[type, ...]] = {
    'string': (str,),
    'integer': (int,),
    'number': (int, float),
    'boolean': (bool,),
    'array': (list,),
    'object': (dict,),
    'null': (type(None),),
}


def _fits(value: Any, kind: str) -> bool:
    if kind in ('integer', 'number') and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES.get(kind, (object,)))


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return 'boolean'
    if isinstance(value, float):
        return 'number'
    return next((k for k, t in _TYPES.items() if isinstance(value, t)), type(value).__name__)


def check_against_schema(schema: dict[str, Any], arguments: dict[str, Any]) -> None:
    """Raise `ValueError` naming every argument that does not fit `schema` (an object schema).

    Raises:
        ValueError: e.g. `missing argument 'text'; 'count' should be integer, got string`.
    """
    props: dict[str, Any] = schema.get('properties') or {}
    problems = [f'missing argument {name!r}' for name in schema.get('required') or [] if name not in arguments]
    if schema.get('additionalProperties') is False:
        problems += [f'unexpected argument {name!r}' for name in arguments if name not in props]
    for name, value in arguments.items():
        spec = props.get(name) or {}
        kinds = spec.get('type')
        if kinds is None and 'anyOf' in spec:
            kinds = [s.get('type') for s in spec['anyOf'] if isinstance(s, dict) and s.get('type')]
        if isinstance(kinds, str):
            kinds = [kinds]
        if kinds and not any(_fits(value, k) for k in kinds):
            problems.append(f'{name!r} should be {" or ".join(kinds)}, got {_json_type(value)}')
    if problems:
        raise ValueError('; '.join(problems))

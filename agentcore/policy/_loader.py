"""Read a policy file (YAML or TOML) and turn every problem into one precise `PolicyFileError`."""

from __future__ import annotations

import difflib
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ._errors import (
    PolicyFileError,
    PolicySyntaxError,
    PolicyTypeError,
    PolicyUnknownFieldError,
    PolicyUnreadableError,
    PolicyValueError,
)
from ._policy import Policy
from ._schema import PolicySpec

_TOML_POSITION = re.compile(r'\s*\(at line (\d+), column \d+\)')
_EXAMPLE_HINT = 'see agentcore/policy/examples/default.yaml for the format'


def load_policy(path: str | PathLike[str]) -> Policy:
    """Load and compile a policy file. `.toml` files are read as TOML, anything else as YAML.

    Raises:
        PolicyUnreadableError: missing, unreadable or not UTF-8.
        PolicySyntaxError: not valid YAML/TOML, or a duplicate key (with its line).
        PolicyUnknownFieldError, PolicyTypeError, PolicyValueError, PolicyPatternError, PolicyBoundsError: the
            content is invalid; the message names the file, the field and the reason.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding='utf-8')
    except UnicodeDecodeError as exc:
        raise PolicyUnreadableError(file, None, f'not UTF-8 text ({exc.reason} at byte {exc.start})') from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise PolicyUnreadableError(
            file, None, f'cannot read: {reason}', hint='check the path and permissions'
        ) from None
    data = _parse_toml(file, text) if file.endswith('.toml') else _parse_yaml(file, text)
    return Policy(parse_spec(data, file), source=file)


def _parse_toml(file: str, text: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python < 3.14 only puts the position in the message: "... (at line 2, column 8)".
        where = _TOML_POSITION.search(str(exc))
        line = int(where.group(1)) if where else None
        msg = _TOML_POSITION.sub('', str(exc)).strip()
        raise PolicySyntaxError(file, None, f'not valid TOML: {msg}', line=line) from None


def _parse_yaml(file: str, text: str) -> Any:
    import yaml

    class _Loader(yaml.SafeLoader):
        """SafeLoader that rejects duplicate keys (YAML would silently keep the last one)."""

    def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            if key in out:
                line = key_node.start_mark.line + 1
                raise PolicySyntaxError(file, None, f'duplicate key {key!r}', line=line)
            out[key] = loader.construct_object(value_node)
        return out

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or 'syntax error'
        raise PolicySyntaxError(file, None, f'not valid YAML: {problem}', line=line) from None
    except yaml.YAMLError as exc:
        raise PolicySyntaxError(file, None, f'not valid YAML: {exc}') from None


def parse_spec(data: Any, file: str) -> PolicySpec:
    """Validate parsed file content (or a dict) into a `PolicySpec`.

    Raises:
        PolicyFileError: the first problem found (a count of the others is appended).
    """
    if data is None:
        raise PolicyValueError(file, None, 'the policy is empty', hint=_EXAMPLE_HINT)
    if not isinstance(data, Mapping):
        raise PolicyTypeError(file, None, f'the top level must be a mapping, not {type(data).__name__}')
    try:
        return PolicySpec.model_validate(dict(data))
    except ValidationError as exc:
        raise _from_validation(file, exc) from None


def format_loc(loc: tuple[str | int, ...]) -> str:
    """`('rules', 2, 'when', 'path', 'prefix')` -> `rules[2].when.path.prefix`."""
    out = ''
    for part in loc:
        if isinstance(part, int):
            out += f'[{part}]'
        else:
            out += f'.{part}' if out else str(part)
    return out


def _from_validation(file: str, exc: ValidationError) -> PolicyFileError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(first['loc'])
    field = format_loc(loc) or None
    more = f' (and {len(errors) - 1} more problem{"s" if len(errors) > 2 else ""})' if len(errors) > 1 else ''
    kind = first['type']
    if kind == 'extra_forbidden':
        known = _fields_at(loc[:-1])
        name = str(loc[-1])
        close = difflib.get_close_matches(name, known, n=1)
        reason = f'unknown field {name!r}' + (f' (did you mean {close[0]!r}?)' if close else '')
        hint = f'known fields here: {", ".join(known)}' if known else None
        return PolicyUnknownFieldError(file, field, reason + more, hint=hint)
    if kind == 'missing':
        return PolicyValueError(file, field, 'required field is missing' + more, hint=_EXAMPLE_HINT)
    given = type(first.get('input')).__name__
    message = first['msg'][0].lower() + first['msg'][1:]
    if kind.endswith(('_type', '_parsing')) or kind in ('model_attributes_type', 'dict_type', 'list_type'):
        return PolicyTypeError(file, field, f'wrong type: {message}, got {given}{more}')
    return PolicyValueError(file, field, f'{message}, got {first.get("input")!r}{more}')


def _unwrap(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _fields_at(loc: tuple[str | int, ...]) -> list[str]:
    """The field names the model at `loc` accepts (for did-you-mean hints); empty if unknown."""
    tp: Any = PolicySpec
    for part in loc:
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(part, str) and part in tp.model_fields:
            tp = tp.model_fields[part].annotation
        elif origin is list and isinstance(part, int):
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        else:
            return []
    tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []

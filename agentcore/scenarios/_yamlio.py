"""Reading and writing scenario files: schema validation with YAML line/column positions, and readable output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import ValidationError

from .._errors import AgentcoreError
from ._schema import Scenario

_PLAIN_PART = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
_Loader: type[yaml.SafeLoader] = getattr(yaml, 'CSafeLoader', yaml.SafeLoader)


class ScenarioError(AgentcoreError, ValueError):
    """A scenario file cannot be used: unreadable, not YAML, or not a valid scenario.

    The message is one line: `FILE:LINE:COLUMN: FIELD: REASON` (line and column when known). The parts are also
    attributes; `hint` says how to fix it when there is a fix to suggest.
    """

    usage_error: ClassVar[bool] = True

    def __init__(
        self,
        file: str,
        reason: str,
        *,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.file, self.reason, self.line, self.column, self.field = file, reason, line, column, field
        where = file + (f':{line}' if line is not None else '') + (f':{column}' if column is not None else '')
        super().__init__(f'{where}: {field + ": " if field else ""}{" ".join(reason.split())}', hint=hint)


class _UniqueKeyLoader(_Loader):  # type: ignore[valid-type,misc]
    """A safe loader that refuses duplicate mapping keys (YAML would silently keep the last one)."""


def _mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    out: dict[Any, Any] = {}
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise yaml.constructor.ConstructorError(None, None, f'duplicate key {key!r}', key_node.start_mark)
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def format_loc(loc: tuple[Any, ...]) -> str:
    """`('runs', 0, 'turns', 2, 'request')` -> `runs[0].turns[2].request`; pydantic's union tags are left out."""
    out = ''
    for part in loc:
        if isinstance(part, int):
            out += f'[{part}]'
        elif _PLAIN_PART.match(str(part)):
            out += f'.{part}' if out else str(part)
    return out


def locate(text: str, loc: tuple[Any, ...], *, at_key: bool = False) -> tuple[int, int] | None:
    """1-based (line, column) of the node at `loc` in the YAML `text`.

    When part of `loc` is missing, the deepest part that exists; with `at_key`, the last key rather than its value.
    """
    try:
        node: Any = yaml.compose(text, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    for i, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            match = next(((k, v) for k, v in node.value if getattr(k, 'value', None) == part), None)
            if match is None:
                continue
            node = match[0] if at_key and i == len(loc) - 1 else match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
    return node.start_mark.line + 1, node.start_mark.column + 1


def read_text(path: Path) -> str:
    """Raises: ScenarioError: the file cannot be read as UTF-8 text."""
    try:
        return path.read_text(encoding='utf-8')
    except UnicodeDecodeError as exc:
        raise ScenarioError(str(path), f'not UTF-8 text ({exc.reason} at byte {exc.start})') from None
    except OSError as exc:
        raise ScenarioError(str(path), f'cannot read: {exc.strerror or type(exc).__name__}') from None


def parse_scenario(text: str, file: str) -> Scenario:
    """Parse and validate scenario YAML.

    Raises:
        ScenarioError: not YAML, a duplicate key, or content that fails the schema (first problem, with its
            position and field path; a count of the others is appended).
    """
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or 'syntax error'
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise ScenarioError(file, f'not valid YAML: {problem}', line=line, column=col) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(file, f'not valid YAML: {exc}') from None
    if not isinstance(raw, dict):
        raise ScenarioError(
            file,
            f'expected a mapping with version, name, config and runs, got {type(raw).__name__}',
            line=1,
            column=1,
            hint='record one with `agentcore record`',
        )
    if raw.get('version') not in (1, None):
        raise ScenarioError(
            file,
            f'unsupported format version {raw.get("version")!r} (this agentcore reads 1)',
            line=_line(text, ('version',)),
            field='version',
        )
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _from_validation(file, text, exc) from None


def _line(text: str, loc: tuple[Any, ...]) -> int | None:
    pos = locate(text, loc)
    return pos[0] if pos else None


def _from_validation(file: str, text: str, exc: ValidationError) -> ScenarioError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = tuple(first['loc'])
    more = f' (and {len(errors) - 1} more problem{"s" if len(errors) > 2 else ""})' if len(errors) > 1 else ''
    if first['type'] == 'missing':
        reason = 'required field is missing'
    elif first['type'] == 'extra_forbidden':
        reason = f'unknown field {loc[-1]!r}'
    else:
        reason = str(first['msg'])
        if reason.startswith('Value error, '):
            reason = reason.removeprefix('Value error, ')
        if 'input' in first and not isinstance(first['input'], dict | list):
            reason += f', got {first["input"]!r}'
    pos = locate(text, loc, at_key=first['type'] == 'extra_forbidden')
    return ScenarioError(
        file, reason + more, line=pos[0] if pos else None, column=pos[1] if pos else None, field=format_loc(loc) or None
    )


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line strings as literal blocks, no line folding."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if '\n' in value:
        return dumper.represent_scalar('tag:yaml.org,2002:str', value, style='|')
    return dumper.represent_scalar('tag:yaml.org,2002:str', value)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    """`data` as block-style YAML, keys in the given order, long lines never folded."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1 << 30, indent=2)


def scenario_yaml(scenario: Scenario, header: str = '') -> str:
    """The YAML text of a scenario, after an optional comment header."""
    data = scenario.model_dump(mode='json', exclude_defaults=True)
    data = {'version': scenario.version, **data}
    if scenario.config.sandbox is not None:  # always name the image, even the default one
        data['config']['sandbox'] = {'image': scenario.config.sandbox.image, **data['config'].get('sandbox', {})}
    return header + dump_yaml(data)

"""Structured output: the final-answer tool built from an `output_type`, and the checks of what the model sends."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic

from typing_extensions import TypeVar

from ._errors import AgentcoreError
from ._messages import ToolSpec
from ._sanitize import ArgumentsRejected, clean_text, load_arguments

#: The name of the final-answer tool offered to the model when an agent has an `output_type`.
FINAL_TOOL = 'final_result'
#: How many times invalid or missing structured output is sent back to the model before the run fails.
DEFAULT_OUTPUT_RETRIES = 2
#: The property that holds the answer when the output type's schema is not an object (a scalar, a list, a union).
WRAPPER_KEY = 'response'
#: Most validation errors quoted back to the model in one message.
_MAX_ERRORS = 10
#: What an `OutputSchema`'s output is typed as: JSON data (`Any`) unless named (`OutputSchema[dict[str, Any]]`).
JsonT = TypeVar('JsonT', default=Any)


class OutputSchemaError(AgentcoreError, ValueError):
    """An `output_type` (or a JSON Schema given as `OutputSchema`) cannot be used for structured output."""

    usage_error = True


class OutputValidationError(AgentcoreError):
    """The model's structured output never matched the output type within `output_retries` retries."""

    default_hint = ('the model kept sending output that does not match output_type: give it clearer instructions, '
                    'simplify the type, raise output_retries, or use a more capable model')


class OutputSchema(Generic[JsonT]):
    """A JSON Schema as an `output_type` (what `agentcore run --output-schema` uses); the output is plain JSON data.

    The output is checked with `jsonschema` against the schema's own draft (`$schema`, else the latest).

    Raises:
        OutputSchemaError: `schema` is not a mapping, or not a valid JSON Schema (checked against its draft's
            meta-schema).
    """

    def __init__(self, schema: Mapping[str, Any], *, title: str | None = None) -> None:
        if not isinstance(schema, Mapping):
            raise OutputSchemaError(f'a JSON Schema must be an object, got {type(schema).__name__}')
        jsonschema = _jsonschema()
        data = dict(schema)
        try:
            jsonschema.validators.validator_for(data).check_schema(data)
        except jsonschema.SchemaError as exc:
            where = '/'.join(str(p) for p in exc.path) or 'the top level'
            raise OutputSchemaError(f'not a valid JSON Schema at {where}: {exc.message}') from None
        self.schema = data
        self.title = title or str(data.get('title') or 'output')


class OutputInvalid(Exception):
    """What the model sent is not a valid output; `errors` is one line per problem, naming its field."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__('; '.join(errors))
        self.errors = errors


@dataclass(frozen=True)
class OutputSpec:
    """How a run asks for, checks and rebuilds structured output of one type.

    `parameters` is the final-answer tool's JSON schema: the type's own when it is an object, else
    `{"response": <schema>}` (`wrapped`).
    """

    output_type: Any
    parameters: dict[str, Any]
    wrapped: bool
    description: str

    def tool_spec(self) -> ToolSpec:
        return ToolSpec(name=FINAL_TOOL, description=self.description, parameters=self.parameters)

    def check(self, arguments: str) -> str:
        """The validated output as JSON text, from the final-answer tool's raw arguments (or a JSON-mode answer).

        Raises:
            OutputInvalid: not JSON, too large or deep (`agentcore._sanitize` limits), or not valid for the type.
        """
        try:
            args = load_arguments(arguments.strip() or '{}')
        except ArgumentsRejected as exc:
            raise OutputInvalid([str(exc)]) from None
        except json.JSONDecodeError as exc:
            raise OutputInvalid([f'not valid JSON ({exc.msg} at position {exc.pos})']) from None
        if not isinstance(args, dict):
            raise OutputInvalid([f'the arguments must be a JSON object, got {type(args).__name__}'])
        if self.wrapped:
            if WRAPPER_KEY not in args:
                raise OutputInvalid([f'`{WRAPPER_KEY}`: field required'])
            args = args[WRAPPER_KEY]
        return self.validate_value(args)

    def validate_value(self, value: Any) -> str:
        """`value` validated against the type, as JSON text. Raises: OutputInvalid: it is not valid."""
        if isinstance(self.output_type, OutputSchema):
            return _check_json_schema(self.output_type.schema, value, self.wrapped)
        from pydantic import ValidationError

        adapter = _adapter(self.output_type)
        try:
            typed = adapter.validate_python(value)
        except ValidationError as exc:
            raise OutputInvalid(_pydantic_errors(exc, self.wrapped)) from None
        except RecursionError:
            raise OutputInvalid(['the output is nested too deeply for this type']) from None
        return str(adapter.dump_json(typed).decode('utf-8'))

    def rebuild(self, text: str) -> Any:
        """The output as the type, from the JSON text a run stored.

        Raises:
            ValueError: `text` is not valid for the type (a checkpoint of an agent with a different output type).
        """
        if isinstance(self.output_type, OutputSchema):
            return json.loads(text)
        return _adapter(self.output_type).validate_json(text)


def _jsonschema() -> Any:
    """The `jsonschema` package (imported on first use; no type stubs are installed)."""
    import importlib

    return importlib.import_module('jsonschema')


def output_spec(output_type: Any) -> OutputSpec | None:
    """The spec of `output_type`, or `None` for plain text output (`None` or `str`).

    Raises:
        OutputSchemaError: pydantic cannot build a JSON schema for the type.
    """
    if output_type is None or output_type is str:
        return None
    if isinstance(output_type, OutputSchema):
        schema, about, name = dict(output_type.schema), '', output_type.title
    else:
        from pydantic.errors import PydanticUserError

        try:
            schema = _adapter(output_type).json_schema()
        except (PydanticUserError, TypeError) as exc:
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise OutputSchemaError(f'output_type {output_type!r} cannot be used: {why}') from None
        about = (getattr(output_type, '__doc__', None) or '').strip() if isinstance(output_type, type) else ''
        if about.startswith(f'{getattr(output_type, "__name__", "")}('):  # a dataclass's generated signature
            about = ''
        name = getattr(output_type, '__name__', None) or str(output_type)
    wrapped = schema.get('type') != 'object' or 'anyOf' in schema or 'oneOf' in schema
    if wrapped:
        defs = schema.pop('$defs', None)
        schema = {'type': 'object', 'properties': {WRAPPER_KEY: schema}, 'required': [WRAPPER_KEY],
                  **({'$defs': defs} if defs else {})}
    description = (f'Give the final answer: call this once the task is done, with the answer ({name}) as the '
                   'arguments. The run ends when they match this schema.' + (f' {about}' if about else ''))
    return OutputSpec(output_type=output_type, parameters=schema, wrapped=wrapped, description=description)


def invalid_text(errors: list[str], *, as_text: bool = False) -> str:
    """What the model is told when its output is invalid: each error, then how to answer.

    `as_text`: the answer was a JSON-schema-mode reply (the model answers again in text, not by a call).
    """
    shown = errors[:_MAX_ERRORS]
    more = f' (and {len(errors) - len(shown)} more)' if len(errors) > len(shown) else ''
    again = ('Reply again with only a JSON object that matches the schema.' if as_text else
             f'Call {FINAL_TOOL} again with arguments that match its schema.')
    return f'invalid output: {"; ".join(shown)}{more}. {again}'


def missing_text() -> str:
    """What the model is told when it answers in text although structured output is expected."""
    return (f'your answer must be given by calling the {FINAL_TOOL} tool with arguments that match its schema; '
            'a text reply is not accepted')


_ADAPTERS: dict[Any, Any] = {}


def _adapter(output_type: Any) -> Any:
    """A pydantic `TypeAdapter` for `output_type`, built once per type (hashable types only are cached)."""
    from pydantic import TypeAdapter

    try:
        cached = _ADAPTERS.get(output_type)
    except TypeError:  # an unhashable annotation
        return TypeAdapter(output_type)
    if cached is None:
        cached = _ADAPTERS[output_type] = TypeAdapter(output_type)
    return cached


def _pydantic_errors(exc: Any, wrapped: bool) -> list[str]:
    out = []
    for e in exc.errors(include_url=False):
        loc = list(e.get('loc') or ())
        field = '.'.join(str(p) for p in loc) or (WRAPPER_KEY if wrapped else '(the whole output)')
        out.append(f'`{field}`: {clean_text(str(e.get("msg", "invalid")))}')
    return out or ['invalid output']


def _check_json_schema(schema: dict[str, Any], value: Any, wrapped: bool) -> str:
    jsonschema = _jsonschema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        out: list[str] = []
        for e in errors:
            path = [str(p) for p in e.absolute_path]
            if e.validator == 'required' and isinstance(e.instance, dict):  # name the missing field itself
                out.extend(f'`{".".join([*path, str(name)])}`: field required'
                           for name in e.validator_value if name not in e.instance)
                continue
            field = '.'.join(path) or (WRAPPER_KEY if wrapped else '(the whole output)')
            out.append(f'`{field}`: {clean_text(e.message)}')
        raise OutputInvalid(out)
    return json.dumps(value, ensure_ascii=False)

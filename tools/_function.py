"""`@tool`: a typed Python function (sync or async) as a `Tool`.

The schema comes from LangChain's tool machinery: the type hints give the argument types (pydantic validates the
arguments), a Google-style docstring gives the tool's description and each argument's description. A parameter
annotated `ToolContext`, or named `ctx`, receives the call's context and is hidden from the schema.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import threading
import typing
from collections.abc import Awaitable, Callable
from typing import Any, overload

from pydantic import BaseModel

from ._base import SideEffects, Tool, ToolArgumentsError, ToolContext, ToolResult, ToolSource
from ._output import DEFAULT_MAX_CHARS, bounded_result, to_jsonable
from ._validation import validate_with_model

#: Parameters LangChain reserves for its own callbacks; never part of the schema.
_LANGCHAIN_ARGS = ('run_manager', 'callbacks')

#: What `FunctionTool._build_schema` sets; a built-in tool builds them on first use, under the lock.
_SCHEMA_ATTRS = frozenset({'args_schema', '_lc_tool', '_parameters'})
_SCHEMA_LOCK = threading.Lock()


def _context_param(func: Callable[..., Any]) -> str | None:
    """The name of the parameter that receives the `ToolContext`, if any."""
    try:
        hints = typing.get_type_hints(func)
    except Exception:
        hints = {}
    for name, param in inspect.signature(func).parameters.items():
        annotation = hints.get(name, param.annotation)
        if annotation is ToolContext or name == 'ctx':
            return name
        if ToolContext in typing.get_args(annotation) or annotation in ('ToolContext', 'ToolContext | None'):
            return name
    return None


def to_result(value: Any, *, max_chars: int = DEFAULT_MAX_CHARS) -> ToolResult:
    """Turn what a tool function returned into a bounded `ToolResult`.

    A `ToolResult` is kept as it is; a string becomes the content; anything else becomes its JSON text (and
    `data['result']`).
    """
    if isinstance(value, ToolResult):
        return value
    if isinstance(value, str):
        return bounded_result(value, max_chars=max_chars)
    jsonable = to_jsonable(value)
    text = json.dumps(jsonable, ensure_ascii=False, default=str)
    return bounded_result(text, max_chars=max_chars, data={'result': jsonable})


class FunctionTool(Tool):
    """A `Tool` made from a typed Python function (see `tool`).

    Calling the object calls the function itself, so decorated functions stay usable in plain code.
    """

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        side_effects: SideEffects = 'external',
        source: ToolSource = 'python',
        max_chars: int = DEFAULT_MAX_CHARS,
        idempotent: bool = False,
    ) -> None:
        """Build the tool and its schema (a built-in tool, `source='builtin'`, builds its schema on first use).

        Raises:
            TypeError: the function takes `*args` or `**kwargs`, or a parameter's type has no JSON schema.
        """
        params = inspect.signature(func).parameters.values()
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
            raise TypeError(f'tool function {func.__name__!r} must take named parameters only, not *args/**kwargs')
        self.func = func
        self.name = name or func.__name__
        self.side_effects = side_effects
        self.source = source
        self.idempotent = idempotent
        self.max_chars = max_chars
        self._ctx_param = _context_param(func)
        self._is_async = inspect.iscoroutinefunction(func)
        self._description = description
        # A CLI run constructs every built-in to pick the ones it was asked for: their schemas (about 20 ms each)
        # wait until a run offers or calls them. Their functions are agentcore's own, so they always build.
        if source != 'builtin':
            self._build_schema()

    def _build_schema(self) -> None:
        """Set `args_schema`, the LangChain tool, the JSON schema of the parameters and the default description.

        Raises:
            TypeError: a parameter's type has no JSON schema.
        """
        from langchain_core.tools import StructuredTool
        from langchain_core.tools.base import create_schema_from_function
        from langchain_core.utils.function_calling import convert_to_openai_tool

        with _SCHEMA_LOCK:
            if '_parameters' in self.__dict__:
                return
            func = self.func
            hidden = [*_LANGCHAIN_ARGS, *([self._ctx_param] if self._ctx_param else [])]
            schema = create_schema_from_function(self.name, func, filter_args=hidden, parse_docstring=True)
            if not issubclass(schema, BaseModel):
                raise TypeError(f'tool function {func.__name__!r} uses pydantic v1 types; use pydantic v2 ones')
            description = self._description
            if description is None:  # the docstring's summary, its line breaks unwrapped
                description = ' '.join((schema.__dict__.get('__doc__') or '').split())
            lc_tool = StructuredTool.from_function(
                func=None if self._is_async else func,
                coroutine=func if self._is_async else None,
                name=self.name,
                description=description,
                args_schema=schema,
            )
            try:
                parameters: dict[str, Any] = convert_to_openai_tool(lc_tool)['function']['parameters']
            except Exception as exc:
                raise TypeError(f'tool {self.name!r}: cannot build a JSON schema for its parameters: {exc}') from exc
            self.args_schema: type[BaseModel] = schema
            self._description = description
            self._lc_tool = lc_tool
            self._parameters = parameters

    def __getattr__(self, name: str) -> Any:
        # Reached only when an attribute is missing: a built-in tool's schema, not built yet.
        if name in _SCHEMA_ATTRS and 'func' in self.__dict__:
            self._build_schema()
            return self.__dict__[name]
        raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')

    @property
    def description(self) -> str:
        """The tool's description: as given, or the function's docstring summary."""
        if self._description is None:
            self._build_schema()
        return self._description or ''

    @description.setter
    def description(self, value: str) -> None:
        self._description = value

    @property
    def parameters(self) -> dict[str, Any]:
        return self._parameters

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.func(*args, **kwargs)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(name={self.name!r}, side_effects={self.side_effects!r})'

    def validate_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check `arguments` against the function's signature before the policy sees them.

        Raises:
            ToolArgumentsError: the arguments fail the schema (each bad argument named).
        """
        if not isinstance(arguments, dict):
            raise ToolArgumentsError(f'arguments must be a JSON object, got {type(arguments).__name__}')
        validate_with_model(self.args_schema, arguments)
        return arguments

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Validate `arguments`, call the function (a sync one in a worker thread) and bound its result.

        Raises:
            ToolArgumentsError: the arguments fail the schema.
            ToolError: raised by the function itself; any other exception of the function propagates too.
        """
        if not isinstance(arguments, dict):
            raise ToolArgumentsError(f'arguments must be a JSON object, got {type(arguments).__name__}')
        validated = validate_with_model(self.args_schema, arguments)
        kwargs = {name: getattr(validated, name) for name in type(validated).model_fields}
        if self._ctx_param:
            kwargs[self._ctx_param] = ctx
        if self._is_async:
            value = await typing.cast('Callable[..., Awaitable[Any]]', self.func)(**kwargs)
        else:
            value = await asyncio.to_thread(self.func, **kwargs)
        return to_result(value, max_chars=self.max_chars)


@overload
def tool(func: Callable[..., Any], /) -> FunctionTool: ...


@overload
def tool(
    *,
    name: str | None = None,
    description: str | None = None,
    side_effects: SideEffects = 'external',
    max_chars: int = DEFAULT_MAX_CHARS,
    idempotent: bool = False,
) -> Callable[[Callable[..., Any]], FunctionTool]: ...


def tool(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    description: str | None = None,
    side_effects: SideEffects = 'external',
    max_chars: int = DEFAULT_MAX_CHARS,
    idempotent: bool = False,
) -> FunctionTool | Callable[[Callable[..., Any]], FunctionTool]:
    """Make a `Tool` of a typed function: `@tool` or `@tool(name=..., side_effects=...)`.

    The function may be sync or async. Its name (or `name`) is the tool's name; its docstring's summary (or
    `description`) the tool's description; the `Args:` section each argument's description. A parameter annotated
    `ToolContext` (or named `ctx`) receives the call's context and is hidden from the model. It may return a
    string, a `ToolResult`, or anything pydantic can turn into JSON; the model sees at most `max_chars` characters
    (head and tail) of it. Unless declared, side effects are assumed `external`: declare `side_effects='none'` for
    pure functions and `'sandbox'` for ones that only change the run's sandbox. Declare `idempotent=True` when a
    second call with the same `ctx.idempotency_key` has no further effect (the function or the service it calls
    deduplicates by the key): a resumed run then retries a call a crash cut off instead of asking.

    Raises:
        TypeError: the function takes `*args`/`**kwargs`, or a parameter type has no JSON schema.
    """

    def wrap(f: Callable[..., Any]) -> FunctionTool:
        return FunctionTool(f, name=name, description=description, side_effects=side_effects, max_chars=max_chars,
                            idempotent=idempotent)

    return wrap(func) if func is not None else wrap

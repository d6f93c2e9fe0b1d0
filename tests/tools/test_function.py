"""`@tool` on typed functions, LangChain tools, `as_tool`, and readable argument errors."""

from __future__ import annotations

import json
from typing import Literal

import pytest
from langchain_core.tools import StructuredTool, ToolException, tool as lc_tool
from pydantic import BaseModel

from agentcore.tools import (
    FunctionTool,
    LangChainTool,
    Tool,
    ToolArgumentsError,
    ToolContext,
    ToolError,
    ToolResult,
    as_tool,
    builtin_tools,
    host_tools,
    tool,
)
from agentcore.tools._files import ReadFileTool

CTX = ToolContext(run_id='run-1', call_id='call-1')


class Point(BaseModel):
    x: int
    y: int = 0


@tool(side_effects='none')
def search_files(
    pattern: str,
    max_hits: int,
    ctx: ToolContext,
    mode: Literal['regex', 'literal'] = 'literal',
    paths: list[str] | None = None,
) -> dict[str, object]:
    """Search the workspace files for a pattern.

    Matches are returned with their file and line number.

    Args:
        pattern: What to look for.
        max_hits: Stop after this many matches.
        ctx: The call's context.
        mode: How to read the pattern.
        paths: Only these files
            (default: every file).

    Returns:
        The matches.
    """
    return {'pattern': pattern, 'max_hits': max_hits, 'mode': mode, 'paths': paths, 'run': ctx.run_id}


def test_typed_function_schema_is_exact() -> None:
    assert search_files.spec().to_openai() == {
        'type': 'function',
        'function': {
            'name': 'search_files',
            'description': 'Search the workspace files for a pattern. Matches are returned with their file and line '
            'number.',
            'parameters': {
                'type': 'object',
                'properties': {
                    'pattern': {'type': 'string', 'description': 'What to look for.'},
                    'max_hits': {'type': 'integer', 'description': 'Stop after this many matches.'},
                    'mode': {
                        'type': 'string',
                        'enum': ['regex', 'literal'],
                        'default': 'literal',
                        'description': 'How to read the pattern.',
                    },
                    'paths': {
                        'anyOf': [{'type': 'array', 'items': {'type': 'string'}}, {'type': 'null'}],
                        'default': None,
                        'description': 'Only these files (default: every file).',
                    },
                },
                'required': ['pattern', 'max_hits'],
            },
        },
    }
    assert isinstance(search_files, FunctionTool)
    assert (search_files.side_effects, search_files.source) == ('none', 'python')


async def test_typed_function_runs_with_context_and_coerced_arguments() -> None:
    result = await search_files.run({'pattern': 'TODO', 'max_hits': '3'}, CTX)
    assert result.data is not None
    assert result.data['result'] == {'pattern': 'TODO', 'max_hits': 3, 'mode': 'literal', 'paths': None, 'run': 'run-1'}
    assert json.loads(result.content)['max_hits'] == 3
    assert not result.is_error


def test_decorated_function_stays_callable() -> None:
    assert search_files('x', 1, CTX)['pattern'] == 'x'


async def test_async_function_nested_model_and_plain_decorator() -> None:
    @tool
    async def move(to: Point, label: str = '') -> str:
        """Move the cursor.

        Args:
            to: Where to.
            label: A label to show.
        """
        return f'{label}@{to.x},{to.y}'

    assert move.side_effects == 'external'  # undeclared effects are assumed external
    assert move.parameters['properties']['to']['properties'] == {
        'x': {'type': 'integer'},
        'y': {'default': 0, 'type': 'integer'},
    }
    result = await move.run({'to': {'x': 1}, 'label': 'a'}, CTX)
    assert result.content == 'a@1,0'


async def test_ctx_by_name_is_hidden_and_tool_name_overrides() -> None:
    @tool(name='whoami', description='Say who calls.', side_effects='none')
    def who(ctx, greeting: str = 'hi') -> str:  # type: ignore[no-untyped-def]
        return f'{greeting} {ctx.call_id}'

    assert who.name == 'whoami'
    assert who.description == 'Say who calls.'
    assert list(who.parameters['properties']) == ['greeting']
    assert (await who.run({}, CTX)).content == 'hi call-1'


async def test_tool_result_passes_through_and_long_output_is_bounded() -> None:
    @tool(max_chars=100)
    def big() -> str:
        """Print a lot."""
        return 'a' * 60 + 'b' * 1000 + 'c' * 60

    result = await big.run({}, CTX)
    assert result.content == 'a' * 50 + '\n... [1020 characters omitted] ...\n' + 'c' * 50
    assert result.full_output == 'a' * 60 + 'b' * 1000 + 'c' * 60
    assert result.data == {'truncated': True}

    @tool
    def custom() -> ToolResult:
        """Return a ready result."""
        return ToolResult(content='x', is_error=True, data={'k': 1})

    assert await custom.run({}, CTX) == ToolResult(content='x', is_error=True, data={'k': 1})


async def test_argument_errors_name_each_argument_and_expectation() -> None:
    with pytest.raises(ToolArgumentsError) as info:
        await search_files.run({'max_hits': 'abc'}, CTX)
    assert str(info.value) == "missing required argument 'pattern'; argument 'max_hits': expected an integer, got 'abc'"

    with pytest.raises(ToolArgumentsError) as info:
        await search_files.run(
            {'pattern': 7, 'max_hits': 1.5, 'mode': 'fuzzy', 'paths': ['a', 2], 'colour': 'red'}, CTX
        )
    assert str(info.value) == (
        "argument 'pattern': expected a string, got 7; "
        "argument 'max_hits': expected an integer, got 1.5; "
        "argument 'mode': expected 'regex' or 'literal', got 'fuzzy'; "
        "argument 'paths[1]': expected a string, got 2; "
        "unexpected argument 'colour'"
    )
    assert isinstance(info.value, ToolError)


async def test_union_and_nested_errors_read_well() -> None:
    @tool
    def f(value: float | bool, point: Point) -> str:
        """Take a number or a flag, and a point."""
        return ''

    with pytest.raises(ToolArgumentsError) as info:
        await f.run({'value': 'many', 'point': {'y': 'up'}}, CTX)
    assert str(info.value) == (
        "argument 'value': expected a number or a boolean, got 'many'; "
        "missing required argument 'point.x'; argument 'point.y': expected an integer, got 'up'"
    )


async def test_non_object_arguments_are_refused() -> None:
    with pytest.raises(ToolArgumentsError, match='arguments must be a JSON object, got list'):
        await search_files.run([1, 2], CTX)  # type: ignore[arg-type]


async def test_tool_error_and_other_exceptions_propagate() -> None:
    @tool
    def fails(kind: str) -> str:
        """Fail."""
        if kind == 'tool':
            raise ToolError('no such branch', hint='list the branches first')
        raise RuntimeError('bug')

    with pytest.raises(ToolError, match='no such branch') as info:
        await fails.run({'kind': 'tool'}, CTX)
    assert info.value.hint == 'list the branches first'
    with pytest.raises(RuntimeError, match='bug'):
        await fails.run({'kind': 'other'}, CTX)


def test_star_args_are_refused() -> None:
    def f(*names: str) -> str:
        """Nope."""
        return ''

    with pytest.raises(TypeError, match='named parameters only'):
        tool(f)


class _Opaque:
    """A class pydantic has no schema for."""


def test_a_type_without_a_schema_is_refused_at_decoration() -> None:
    def f(thing: _Opaque, ctx: ToolContext) -> str:
        """Nope."""
        return ''

    with pytest.raises(TypeError):
        tool(f)


def test_builtin_tools_build_their_schema_on_first_use_as_an_eager_build_would() -> None:
    """A built-in's schema waits for its first use (a CLI run builds all to pick some) and is then the eager one."""
    for builtin in [*builtin_tools(), *host_tools()]:
        assert isinstance(builtin, FunctionTool)
        if builtin.name in ('python', 'shell'):  # their constructor adds bounds to the schema: built at once
            assert '_parameters' in vars(builtin)
            continue
        assert not {'_parameters', 'args_schema', '_lc_tool'} & set(vars(builtin)), builtin.name
        eager = FunctionTool(builtin.func, name=builtin.name, side_effects=builtin.side_effects)
        assert builtin.description == eager.description and builtin.description, builtin.name
        assert builtin.parameters == eager.parameters, builtin.name
        assert builtin.args_schema.model_json_schema() == eager.args_schema.model_json_schema()
    lazy = ReadFileTool()
    with pytest.raises(ToolArgumentsError, match='path'):
        lazy.validate_arguments({})
    assert lazy.spec().to_openai()['function']['parameters']['required'] == ['path']
    with pytest.raises(AttributeError, match="'ReadFileTool' object has no attribute 'nope'"):
        lazy.nope  # noqa: B018


@lc_tool(parse_docstring=True)
def multiply(a: int, b: int) -> int:
    """Multiply two integers.

    Args:
        a: The first factor.
        b: The second factor.
    """
    return a * b


def test_langchain_tool_schema_and_defaults() -> None:
    wrapped = LangChainTool(multiply)
    assert wrapped.spec().to_openai() == {
        'type': 'function',
        'function': {
            'name': 'multiply',
            'description': 'Multiply two integers.',
            'parameters': {
                'type': 'object',
                'properties': {
                    'a': {'type': 'integer', 'description': 'The first factor.'},
                    'b': {'type': 'integer', 'description': 'The second factor.'},
                },
                'required': ['a', 'b'],
            },
        },
    }
    assert (wrapped.side_effects, wrapped.source) == ('external', 'langchain')


async def test_langchain_tool_runs_and_validates() -> None:
    wrapped = LangChainTool(multiply, side_effects='none')
    assert wrapped.side_effects == 'none'
    result = await wrapped.run({'a': 6, 'b': 7}, CTX)
    assert (result.content, result.is_error) == ('42', False)
    with pytest.raises(ToolArgumentsError) as info:
        await wrapped.run({'a': 'six'}, CTX)
    assert str(info.value) == "argument 'a': expected an integer, got 'six'; missing required argument 'b'"


async def test_langchain_tool_exception_becomes_tool_error_and_dict_schema_is_checked() -> None:
    def lookup(key: str) -> str:
        raise ToolException(f'no entry for {key}')

    base = StructuredTool.from_function(
        lookup,
        name='lookup',
        description='Look a key up.',
        args_schema={'type': 'object', 'properties': {'key': {'type': 'string'}}, 'required': ['key']},
    )
    wrapped = as_tool(base)
    assert isinstance(wrapped, LangChainTool)
    with pytest.raises(ToolError, match='no entry for k1'):
        await wrapped.run({'key': 'k1'}, CTX)
    with pytest.raises(ToolArgumentsError) as info:
        await wrapped.run({'key': 3, 'other': 1}, CTX)
    assert str(info.value) == "argument 'key': expected a string, got 3"


async def test_langchain_error_messages_are_error_results() -> None:
    def flaky(q: str) -> str:
        """Fail politely."""
        raise ToolException('upstream is down')

    base = StructuredTool.from_function(flaky, handle_tool_error=True)
    result = await LangChainTool(base).run({'q': 'x'}, CTX)
    assert (result.content, result.is_error) == ('upstream is down', True)


def test_as_tool_accepts_tools_langchain_tools_and_functions() -> None:
    assert as_tool(search_files) is search_files

    def add(a: int, b: int = 1) -> int:
        """Add two numbers."""
        return a + b

    made = as_tool(add)
    assert isinstance(made, FunctionTool)
    assert made.spec().to_openai()['function']['description'] == 'Add two numbers.'
    assert isinstance(as_tool(multiply), LangChainTool)
    assert isinstance(as_tool(made), Tool)
    with pytest.raises(TypeError, match='cannot make a tool of int'):
        as_tool(3)  # type: ignore[arg-type]

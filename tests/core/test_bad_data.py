"""Bad data from the model or a tool never kills a run: it becomes a tool error or replacement characters."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentcore import Agent
from agentcore._sanitize import MAX_ARG_BYTES, MAX_ARG_DEPTH, MAX_OUTPUT_CHARS, REPLACEMENT
from agentcore.testing import ScriptedModel
from agentcore.tools import ToolResult, tool


@tool(side_effects='none')
def echo(text: Any) -> str:
    """Echo the text back.

    Args:
        text: anything.
    """
    return f'got {json.dumps(text, ensure_ascii=False)[:100]}'


@tool(side_effects='none')
def surrogates() -> str:
    """Output with a lone surrogate and a NUL byte."""
    return 'before \ud800 middle \x00 after \udcff end'


@tool(side_effects='none')
def flood() -> str:
    """50 MB of output."""
    return 'x' * 50_000_000


@tool(side_effects='none')
def deep_data() -> ToolResult:
    """A result whose data is nested 5,000 deep and holds bad text."""
    data: Any = 'bottom'
    for _ in range(5000):
        data = [data]
    return ToolResult(content='ok', data={'deep': data, 'text\ud800': b'\xff\xfe raw'})


def _run(turns: list[Any], tools: list[Any]) -> tuple[Agent, ScriptedModel, Any]:
    model = ScriptedModel(turns)
    agent = Agent(model=model, tools=tools)  # the default SQLite checkpointer: msgpack sees every message
    return agent, model, agent.run('task')


def _completed(agent: Agent, result: Any) -> None:
    assert result.status == 'completed', result.stop_reason
    assert agent.store.get_run(result.run_id).status == 'completed'


def _nested(depth: int) -> str:
    return '{"text": ' + '[' * depth + ']' * depth + '}'


def test_arguments_nested_5000_deep_become_a_tool_error() -> None:
    agent, model, result = _run([{'tool_calls': [{'name': 'echo', 'arguments': _nested(5000)}]}, 'recovered'], [echo])
    _completed(agent, result)
    reply = model.requests[1].messages[-1]
    assert reply.role == 'tool'
    assert reply.content.startswith('error: arguments are nested too deeply')
    assert f'{MAX_ARG_DEPTH} levels' in reply.content


def test_arguments_at_the_depth_limit_are_accepted_one_more_is_not() -> None:
    ok = _nested(MAX_ARG_DEPTH - 1)  # the outer object is one level
    too_deep = _nested(MAX_ARG_DEPTH)
    agent, model, result = _run([{'tool_calls': [{'name': 'echo', 'arguments': ok}]},
                                 {'tool_calls': [{'name': 'echo', 'arguments': too_deep}]}, 'done'], [echo])
    _completed(agent, result)
    assert model.requests[1].messages[-1].content.count('got [[[') == 1
    assert 'nested too deeply' in model.requests[2].messages[-1].content


def test_one_megabyte_of_arguments_becomes_a_tool_error() -> None:
    turn = {'tool_calls': [{'name': 'echo', 'arguments': {'text': 'y' * 1_000_000}}]}
    agent, model, result = _run([turn, 'recovered'], [echo])
    _completed(agent, result)
    reply = model.requests[1].messages[-1].content
    assert reply.startswith('error: arguments are too large') and f'{MAX_ARG_BYTES:,}' in reply


def test_lone_surrogates_in_arguments_become_replacement_characters() -> None:
    raw = '{"text": "a\\ud800b"}'  # valid JSON whose string holds a lone surrogate
    agent, model, result = _run([{'tool_calls': [{'name': 'echo', 'arguments': raw}]}, 'done'], [echo])
    _completed(agent, result)
    assert f'a{REPLACEMENT}b' in model.requests[1].messages[-1].content
    started = [e for e in agent.store.events(result.run_id) if e['type'] == 'tool_call_started']
    assert started[0]['arguments'] == {'text': f'a{REPLACEMENT}b'}


def test_tool_output_with_lone_surrogates_and_nul_is_stored_with_replacements() -> None:
    agent, model, result = _run([{'tool_calls': [{'name': 'surrogates', 'arguments': {}}]}, 'done'], [surrogates])
    _completed(agent, result)
    seen = model.requests[1].messages[-1].content
    assert f'before {REPLACEMENT} middle {REPLACEMENT} after {REPLACEMENT} end' in seen
    (call,) = agent.store.tool_calls(result.run_id)
    assert call.content is not None and '\x00' not in call.content and f'after {REPLACEMENT}' in call.content


def test_a_50_megabyte_tool_output_is_bounded_before_it_is_stored() -> None:
    agent, model, result = _run([{'tool_calls': [{'name': 'flood', 'arguments': {}}]}, 'done'], [flood])
    _completed(agent, result)
    assert len(model.requests[1].messages[-1].content) < 100_000
    (call,) = agent.store.tool_calls(result.run_id)
    assert call.full_output is not None and len(call.full_output) <= MAX_OUTPUT_CHARS
    assert 'characters of output dropped' in call.full_output


def test_tool_data_nested_5000_deep_with_bad_text_is_stored_bounded() -> None:
    agent, _, result = _run([{'tool_calls': [{'name': 'deep_data', 'arguments': {}}]}, 'done'], [deep_data])
    _completed(agent, result)
    (call,) = agent.store.tool_calls(result.run_id)
    text = call.data_json or ''
    assert 'nested deeper than' in text and 'bottom' not in text
    data = json.loads(text)
    assert data[f'text{REPLACEMENT}'] == f'{REPLACEMENT}{REPLACEMENT} raw'


def test_a_model_answer_with_lone_surrogates_and_nul_completes() -> None:
    agent, _, result = _run(['the \ud83d answer\x00'], [])
    _completed(agent, result)
    assert result.output == f'the {REPLACEMENT} answer{REPLACEMENT}'


def test_a_surrogate_pair_from_the_model_is_joined() -> None:
    agent, _, result = _run(['smile \ud83d\ude00'], [])
    _completed(agent, result)
    assert result.output == 'smile \U0001f600'


@pytest.mark.docker
def test_invalid_utf8_and_a_50_megabyte_output_from_a_real_sandbox() -> None:
    from agentcore.sandbox import DockerSandbox
    from agentcore.tools import ShellTool

    model = ScriptedModel([
        # octal escapes: printf in the sandbox shell has no hex ones
        {'tool_calls': [{'name': 'shell', 'arguments': {'command': "printf 'A\\377\\376B\\000C'"}}]},
        {'tool_calls': [{'name': 'shell', 'arguments': {'command': "head -c 50000000 /dev/zero | tr '\\0' x"}}]},
        'done',
    ])
    with DockerSandbox() as box:
        agent = Agent(model=model, tools=[ShellTool()], sandbox=box)
        result = agent.run('bad bytes')
    _completed(agent, result)
    first = model.requests[1].messages[-1].content
    assert f'A{REPLACEMENT}{REPLACEMENT}B{REPLACEMENT}C' in first
    second = model.requests[2].messages[-1].content
    assert len(second) < 100_000 and 'xxxx' in second
    for call in agent.store.tool_calls(result.run_id):
        assert call.content is not None and '\x00' not in call.content
        assert call.full_output is None or len(call.full_output) <= MAX_OUTPUT_CHARS


def test_an_answer_of_json_nested_5000_deep_completes() -> None:
    deep = '{"name": "echo", "arguments": ' + _nested(5000) + '}'
    agent, _, result = _run([deep], [echo])
    _completed(agent, result)
    assert result.output == deep


def test_tool_calls_written_as_text_nested_5000_deep_are_not_calls() -> None:
    from agentcore._textcalls import parse_text_calls

    deep = '{"name": "echo", "arguments": ' + _nested(5000) + '}'
    assert parse_text_calls(deep, ['echo'], ('json',)) is None
    assert parse_text_calls(f'<tool_call>{deep}</tool_call>', ['echo'], ('hermes',)) is None

"""Every malformed model turn is reported back to the model and the run goes on."""

from __future__ import annotations

import pytest

from agentcore import Agent
from agentcore.testing import ScriptedModel
from agentcore.tools import tool
from tests._tools import add


def _run(first_turn: dict[str, object] | str) -> tuple[str, ScriptedModel, object]:
    model = ScriptedModel([first_turn, 'recovered'])
    result = Agent(model=model, tools=[add], checkpointer='memory').run('task')
    return result.status, model, result


@pytest.mark.parametrize(
    ('turn', 'expected'),
    [
        ({'tool_calls': [{'name': 'add', 'arguments': '{"a": 1, "b": '}]}, 'not valid JSON'),
        ({'tool_calls': [{'name': 'add', 'arguments': '[1, 2]'}]}, 'must be a JSON object'),
        ({'tool_calls': [{'name': 'multiply', 'arguments': {'a': 1}}]}, "unknown tool 'multiply'"),
        ({'tool_calls': [{'name': 'add', 'arguments': {'a': 'one', 'b': 2}}]}, "'a'"),
        ({'tool_calls': [{'name': 'add', 'arguments': {'a': 1}}]}, "'b'"),
    ],
    ids=['invalid-json', 'not-an-object', 'unknown-tool', 'wrong-type', 'missing-argument'],
)
def test_bad_tool_call_becomes_tool_error(turn: dict[str, object], expected: str) -> None:
    status, model, result = _run(turn)
    assert status == 'completed'
    assert result.output == 'recovered'  # type: ignore[attr-defined]
    tool_msg = model.requests[1].messages[-1]
    assert tool_msg.role == 'tool'
    assert tool_msg.content.startswith('error:') and expected in tool_msg.content


def test_empty_reply_is_reported_to_the_model() -> None:
    status, model, _ = _run({'content': ''})
    assert status == 'completed'
    last = model.requests[1].messages[-1]
    assert last.role == 'user' and 'empty' in last.content


def test_tool_call_written_as_text_is_reported_to_the_model() -> None:
    status, model, _ = _run('```json\n{"name": "add", "arguments": {"a": 1, "b": 2}}\n```')
    assert status == 'completed'
    last = model.requests[1].messages[-1]
    assert last.role == 'user' and "call to tool 'add' as text" in last.content


def test_a_raising_tool_never_crashes_the_run() -> None:
    @tool(side_effects='none')
    def explode() -> str:
        """Always fails."""
        raise RuntimeError('kaboom')

    model = ScriptedModel([{'tool_calls': [{'name': 'explode', 'arguments': {}}]}, 'ok'])
    result = Agent(model=model, tools=[explode], checkpointer='memory').run('x')
    assert result.status == 'completed'
    assert 'RuntimeError' in model.requests[1].messages[-1].content
    assert 'kaboom' in model.requests[1].messages[-1].content


def test_model_exhaustion_fails_the_run_cleanly() -> None:
    model = ScriptedModel([{'tool_calls': [{'name': 'add', 'arguments': {'a': 1, 'b': 1}}]}])
    result = Agent(model=model, tools=[add], checkpointer='memory').run('x')
    assert result.status == 'failed'
    assert result.stop_reason is not None and 'script exhausted' in result.stop_reason

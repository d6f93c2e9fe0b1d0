from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentcore import Agent, Budget, RunFinished, ToolCallFinished, parse_event
from agentcore.testing import ScriptedModel
from tests._tools import add


def calls(*pairs: tuple[str, dict[str, object] | str]) -> dict[str, object]:
    return {'tool_calls': [{'name': n, 'arguments': a} for n, a in pairs]}


def test_scripted_agent_with_python_tool_completes() -> None:
    model = ScriptedModel([calls(('add', {'a': 2, 'b': 3})), 'The sum is 5.'])
    result = Agent(model=model, tools=[add], checkpointer='memory').run('add 2 and 3')
    assert result.status == 'completed'
    assert result.output == 'The sum is 5.'
    assert result.steps == 2
    assert result.tool_calls == 1
    assert result.usage.total_tokens == 30
    tool_msg = model.requests[1].messages[-1]
    assert tool_msg.role == 'tool' and '5' in tool_msg.content and 'untrusted-data' in tool_msg.content


def test_run_is_recorded_in_the_store() -> None:
    model = ScriptedModel([calls(('add', {'a': 1, 'b': 1})), 'two'])
    agent = Agent(model=model, tools=[add], checkpointer='memory')
    result = agent.run('one plus one')
    rec = agent.store.get_run(result.run_id)
    assert (rec.status, rec.output, rec.steps, rec.tool_calls) == ('completed', 'two', 2, 1)
    kinds = [e['type'] for e in agent.store.events(result.run_id)]
    assert kinds[0] == 'run_started' and kinds[-1] == 'run_finished'
    assert 'tool_call_started' in kinds and 'policy_decision' in kinds
    ledger = agent.store.tool_calls(result.run_id)
    assert [(c.tool, c.status) for c in ledger] == [('add', 'completed')]
    assert len(agent.store.usage(result.run_id)) == 2


async def test_astream_yields_typed_serialisable_events() -> None:
    model = ScriptedModel([calls(('add', {'a': 4, 'b': 5})), 'nine'])
    agent = Agent(model=model, tools=[add], checkpointer='memory')
    events = [e async for e in agent.astream('4+5')]
    types = [e.type for e in events]
    assert types[0] == 'run_started'
    assert types.index('model_turn_started') < types.index('model_turn_finished') < types.index('tool_call_started')
    assert isinstance(events[-1], RunFinished) and events[-1].status == 'completed'
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert finished[0].tool == 'add' and '9' in finished[0].content
    for e in events:
        assert parse_event(json.loads(json.dumps(e.model_dump(mode='json')))) == e


def test_parallel_calls_in_one_turn_return_in_call_order() -> None:
    model = ScriptedModel([calls(('add', {'a': 1, 'b': 0}), ('add', {'a': 2, 'b': 0}), ('add', {'a': 3, 'b': 0})),
                           'done'])
    result = Agent(model=model, tools=[add], checkpointer='memory').run('three sums')
    assert result.status == 'completed' and result.tool_calls == 3
    tool_msgs = [m for m in model.requests[1].messages if m.role == 'tool']
    assert [m.tool_call_id for m in tool_msgs] == ['call_0_0', 'call_0_1', 'call_0_2']
    assert ['1' in tool_msgs[0].content, '2' in tool_msgs[1].content, '3' in tool_msgs[2].content] == [True] * 3


def test_sqlite_checkpoint_default_and_resume_of_finished_run_returns_result(agentcore_home: Path) -> None:
    agent = Agent(model=ScriptedModel(['hello']), tools=[add])
    result = agent.run('say hello')
    assert result.status == 'completed'
    assert (agentcore_home / 'checkpoints.sqlite').exists()
    again = Agent(model=ScriptedModel(['never used']), tools=[add]).resume(result.run_id)
    assert (again.status, again.output) == ('completed', 'hello')


def test_sync_api_inside_event_loop_is_a_clear_error() -> None:
    import asyncio

    agent = Agent(model=ScriptedModel(['x']), checkpointer='memory')

    async def inner() -> None:
        with pytest.raises(RuntimeError, match='arun'):
            agent.run('x')

    asyncio.run(inner())


def test_budget_default_from_agent() -> None:
    agent = Agent(model=ScriptedModel(['x']), checkpointer='memory', budget=Budget(max_steps=3))
    assert agent.budget.max_steps == 3

"""A failing call repeated with the same arguments is told to the model, and repeated once more stops the run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentcore import Agent, Budget
from agentcore.policy import Approve, Policy, load_policy
from agentcore.testing import ScriptedModel
from agentcore.tools import ToolError, tool

FAILING = 'broken({"x":1})'


@tool(side_effects='none')
def broken(x: int) -> str:
    """Always fails.

    Args:
        x: any number.
    """
    raise ToolError(f'broken for {x}')


@tool(side_effects='none')
def peek(x: int) -> str:
    """Look at something, changing nothing.

    Args:
        x: any number.
    """
    return f'saw {x}'


@tool(side_effects='sandbox')
def fix(x: int) -> str:
    """Change something in the world.

    Args:
        x: any number.
    """
    return f'fixed {x}'


def _call(name: str, **arguments: Any) -> dict[str, Any]:
    return {'tool_calls': [{'name': name, 'arguments': arguments}]}


def _notices(model: ScriptedModel) -> list[int]:
    """The turns (numbered from 1 in the run) whose request ends with a loop notice."""
    return [sum(m.role == 'assistant' for m in r.messages) + 1 for r in model.requests
            if r.messages[-1].role == 'user' and 'failed each time' in r.messages[-1].content]


def test_a_repeated_failing_call_is_told_then_stopped_naming_the_call() -> None:
    model = ScriptedModel([_call('broken', x=1)] * 6 + ['never reached'])
    result = Agent(model=model, tools=[broken], checkpointer='memory').run('x')
    assert result.status == 'stopped_by_loop'
    assert result.stop_reason is not None and result.stop_reason.startswith(f'loop: {FAILING} failed 4 times')
    assert (result.steps, result.tool_calls) == (4, 4)
    assert _notices(model) == [4]  # told after the third failure, in the request for turn 4
    told = model.requests[3].messages[-1].content
    assert told.startswith('[agentcore] you called broken({"x":1}) 3 times') and 'stops the run' in told


def test_the_model_that_listens_to_the_notice_carries_on() -> None:
    model = ScriptedModel([_call('broken', x=1)] * 3 + [_call('broken', x=2), 'gave up'])
    result = Agent(model=model, tools=[broken], checkpointer='memory').run('x')
    assert (result.status, result.output) == ('completed', 'gave up')
    assert _notices(model) == [4]


@pytest.mark.parametrize('turns', [
    [_call('broken', x=i) for i in range(6)],  # the same tool, different arguments each time
    [_call('peek', x=1)] * 6,  # the same call, succeeding
    [_call('broken', x=1)] * 2 + [_call('fix', x=1)] + [_call('broken', x=1)] * 2,  # the world changed between
], ids=['different-arguments', 'succeeding-call', 'side-effect-in-between'])
def test_no_loop(turns: list[dict[str, Any]]) -> None:
    model = ScriptedModel([*turns, 'done'])
    result = Agent(model=model, tools=[broken, peek, fix], checkpointer='memory').run('x')
    assert (result.status, result.output) == ('completed', 'done')
    assert _notices(model) == []


def test_a_pure_call_in_between_does_not_hide_the_loop() -> None:
    turns = [t for _ in range(4) for t in (_call('peek', x=1), _call('broken', x=1))]
    model = ScriptedModel([*turns, 'never reached'])
    result = Agent(model=model, tools=[broken, peek], checkpointer='memory').run('x')
    assert result.status == 'stopped_by_loop' and FAILING in (result.stop_reason or '')


def test_a_repeated_denied_call_is_a_loop() -> None:
    policy = Policy.from_dict({'default': 'allow', 'rules': [{'tool': 'peek', 'action': 'deny', 'reason': 'no'}]})
    model = ScriptedModel([_call('peek', x=1)] * 5 + ['never reached'])
    result = Agent(model=model, tools=[peek], policy=policy, checkpointer='memory').run('x')
    assert result.status == 'stopped_by_loop'
    assert result.stop_reason is not None and result.stop_reason.startswith('loop: peek({"x":1}) failed 4 times')


def test_the_count_survives_a_pause_and_a_resume_by_another_agent(tmp_path: Path) -> None:
    policy = Policy.from_dict({'default': 'allow', 'rules': [{'tool': 'peek', 'action': 'ask'}]})
    turns = [_call('broken', x=1), _call('broken', x=1), _call('peek', x=1), _call('broken', x=1),
             _call('broken', x=1), 'never reached']
    store, saver = f'sqlite:///{tmp_path / "runs.sqlite"}', tmp_path / 'checkpoints.sqlite'

    def agent() -> tuple[Agent, ScriptedModel]:
        model = ScriptedModel(turns)
        return Agent(model=model, tools=[broken, peek], policy=policy, store=store, checkpointer=saver), model

    first, _ = agent()
    paused = first.run('x')
    assert paused.status == 'awaiting_approval'
    second, model = agent()
    result = second.resume(paused.run_id, Approve())
    assert result.status == 'stopped_by_loop' and FAILING in (result.stop_reason or '')
    assert _notices(model) == [5]  # the count went on from the first agent's two failures


def test_loop_limit_from_the_policy_file(tmp_path: Path) -> None:
    path = tmp_path / 'policy.yaml'
    path.write_text('version: 1\ndefault: allow\nbudget:\n  loop_limit: 2\n', encoding='utf-8')
    assert load_policy(path).budget == Budget(loop_limit=2)
    model = ScriptedModel([_call('broken', x=1)] * 5 + ['never reached'])
    result = Agent(model=model, tools=[broken], policy=path, checkpointer='memory').run('x')
    assert result.status == 'stopped_by_loop' and (result.steps, _notices(model)) == (3, [3])


@pytest.mark.parametrize('where', ['policy', 'budget'])
def test_loop_limit_null_turns_detection_off(tmp_path: Path, where: str) -> None:
    path = tmp_path / 'policy.yaml'
    path.write_text('version: 1\ndefault: allow\nbudget:\n  loop_limit: null\n', encoding='utf-8')
    model = ScriptedModel([_call('broken', x=1)] * 6 + ['done'])
    options: dict[str, Any] = {'policy': path} if where == 'policy' else {'budget': Budget(loop_limit=None)}
    result = Agent(model=model, tools=[broken], checkpointer='memory', **options).run('x')
    assert (result.status, _notices(model)) == ('completed', [])


def test_loop_limit_is_checked() -> None:
    with pytest.raises(ValueError, match='loop_limit'):
        Budget(loop_limit=0)

"""Each budget stops the run with status `stopped_by_budget` and says which budget."""

from __future__ import annotations

import asyncio

import pytest

from agentcore import Agent, Budget
from agentcore.testing import ScriptedModel
from agentcore.tools import tool


@tool(side_effects='none')
def noop() -> str:
    """Do nothing."""
    return 'ok'


@tool(side_effects='none')
async def slow() -> str:
    """Sleep a while."""
    await asyncio.sleep(5)
    return 'slept'


LOOP = {'tool_calls': [{'name': 'noop', 'arguments': {}}], 'usage': {'input_tokens': 100, 'output_tokens': 50},
        'cost_usd': 0.01}


@pytest.mark.parametrize(
    ('budget', 'which'),
    [
        (Budget(max_steps=3), 'steps'),
        (Budget(max_tool_calls=2), 'tool_calls'),
        (Budget(max_tokens=400), 'tokens'),
        (Budget(max_usd=0.025), 'usd'),
    ],
)
def test_budget_stops_run(budget: Budget, which: str) -> None:
    model = ScriptedModel([LOOP] * 20)
    result = Agent(model=model, tools=[noop], budget=budget, checkpointer='memory').run('loop forever')
    assert result.status == 'stopped_by_budget'
    assert result.stop_reason is not None and result.stop_reason.startswith(f'budget {which}:')


def test_budget_limits_are_exact() -> None:
    model = ScriptedModel([LOOP] * 20)
    result = Agent(model=model, tools=[noop], budget=Budget(max_steps=3), checkpointer='memory').run('x')
    assert result.steps == 3 and result.tool_calls == 3
    model = ScriptedModel([LOOP] * 20)
    result = Agent(model=model, tools=[noop], budget=Budget(max_tool_calls=2), checkpointer='memory').run('x')
    assert result.tool_calls == 2


def test_wall_clock_budget_stops_a_slow_tool() -> None:
    model = ScriptedModel([{'tool_calls': [{'name': 'slow', 'arguments': {}}]}, 'never'])
    agent = Agent(model=model, tools=[slow], budget=Budget(max_seconds=0.5), checkpointer='memory')
    result = agent.run('be slow')
    assert result.status == 'stopped_by_budget'
    assert result.stop_reason is not None and result.stop_reason.startswith('budget wall_clock:')

"""Recall and remember nodes: episodes from one run reach the next run's model context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentcore import Agent, MemoryRecalled, MemorySaved
from agentcore.memory import LocalMemory, MemoryUnavailableError
from agentcore.testing import InMemoryMemory, ScriptedModel
from agentcore.tools import tool


@tool(side_effects='none')
def convert(celsius: float) -> float:
    """Convert Celsius to Fahrenheit.

    Args:
        celsius: temperature in degrees Celsius.
    """
    return celsius * 9 / 5 + 32


def test_second_run_sees_first_runs_episode(tmp_path: Path) -> None:
    memory = LocalMemory(tmp_path / 'episodes.sqlite3')
    first = ScriptedModel([{'tool_calls': [{'name': 'convert', 'arguments': {'celsius': 100}}]},
                           '100 C is 212 F.'])
    r1 = Agent(model=first, tools=[convert], memory=memory, checkpointer='memory').run(
        'convert 100 celsius to fahrenheit')
    assert r1.status == 'completed'
    assert [e.run_id for e in memory.list()] == [r1.run_id]

    second = ScriptedModel(['212 F, as last time.'])
    agent = Agent(model=second, tools=[convert], memory=memory, checkpointer='memory')
    r2 = agent.run('convert 100 celsius to fahrenheit again')
    assert r2.status == 'completed'
    context = '\n'.join(m.content for m in second.requests[0].messages)
    assert 'convert 100 celsius to fahrenheit' in context
    assert '100 C is 212 F.' in context
    assert f'memory:local:{r1.run_id}' in context and '<untrusted-data' in context
    kinds = [e['type'] for e in agent.store.events(r2.run_id)]
    assert 'memory_recalled' in kinds and 'memory_saved' in kinds


class _DownMemory(InMemoryMemory):
    """A complete `MemoryStore` whose server went away: searching and saving fail as `WeaviateMemory`'s do."""

    backend = 'weaviate'

    def search(self, query: str, *, k: int = 5, filters: Any = None) -> list[Any]:
        raise MemoryUnavailableError('Weaviate at http://127.0.0.1:1 is unreachable')

    def save_many(self, episodes: Any) -> list[str]:
        raise MemoryUnavailableError('Weaviate at http://127.0.0.1:1 is unreachable')


async def test_memory_down_mid_run_is_reported_and_the_run_goes_on() -> None:
    agent = Agent(model=ScriptedModel(['done without memory']), memory=_DownMemory(), checkpointer='memory')
    events = [e async for e in agent.astream('anything')]
    result_event = events[-1]
    assert result_event.type == 'run_finished' and result_event.status == 'completed'
    recalled = [e for e in events if isinstance(e, MemoryRecalled)]
    saved = [e for e in events if isinstance(e, MemorySaved)]
    assert recalled and recalled[0].error is not None and 'unreachable' in recalled[0].error
    assert saved and saved[0].error is not None


def test_recall_stays_within_the_agents_namespace() -> None:
    memory = InMemoryMemory()
    ada = Agent(model=ScriptedModel(['Ada prefers tea.']), memory=memory, namespace='ada', checkpointer='memory')
    assert ada.run('what does ada drink?').status == 'completed'
    grace_model = ScriptedModel(['no idea'])
    grace = Agent(model=grace_model, memory=memory, namespace='grace', checkpointer='memory')
    grace.run('what does ada drink?')
    context = '\n'.join(m.content for m in grace_model.requests[0].messages)
    assert 'Ada prefers tea.' not in context  # another namespace's episode is never recalled
    again = ScriptedModel(['tea'])
    Agent(model=again, memory=memory, namespace='ada', checkpointer='memory').run('what does ada drink?')
    assert 'Ada prefers tea.' in '\n'.join(m.content for m in again.requests[0].messages)

"""An agent whose tools run in real Docker sandboxes taken from a pool: one clean sandbox per run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from agentcore import Agent
from agentcore.sandbox import SandboxPool
from agentcore.testing import ScriptedModel
from agentcore.tools import builtin_tools

pytestmark = pytest.mark.docker


@pytest.fixture
def pool() -> Iterator[SandboxPool]:
    p = SandboxPool(size=1)
    try:
        yield p
    finally:
        p.close()


def _call(name: str, **arguments: object) -> dict[str, object]:
    return {'tool_calls': [{'name': name, 'arguments': arguments}]}


def test_each_run_gets_a_clean_sandbox_from_the_pool(pool: SandboxPool) -> None:
    first = ScriptedModel([
        _call('write_file', path='notes.txt', content='secret plan'),
        _call('shell', command='cat notes.txt; echo; echo "uid=$(id -u)"'),
        'written',
    ])
    agent = Agent(model=first, tools=builtin_tools(), sandbox=pool, checkpointer='memory')
    r1 = agent.run('write a note')
    assert r1.status == 'completed'
    shown = first.requests[2].messages[-1].content
    assert 'secret plan' in shown
    assert 'uid=' in shown and 'uid=0' not in shown  # tools never run as root

    second = ScriptedModel([_call('list_files', path='.'), _call('shell', command='cat notes.txt'), 'nothing there'])
    r2 = Agent(model=second, tools=builtin_tools(), sandbox=pool, checkpointer='memory').run('look for notes')
    assert r2.status == 'completed'
    assert 'notes.txt' not in second.requests[1].messages[-1].content
    assert 'No such file' in second.requests[2].messages[-1].content

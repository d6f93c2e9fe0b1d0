"""A run's workspace is part of its durable state: a resume in a new sandbox sees the files its completed steps left."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentcore import Agent, WorkspaceRestored
from agentcore.policy import Approve, Policy
from agentcore.runstore import RunStore
from agentcore.testing import FakeSandbox, ScriptedModel
from agentcore.tools import builtin_tools


def _call(name: str, **arguments: Any) -> dict[str, Any]:
    return {'tool_calls': [{'name': name, 'arguments': arguments}]}


WRITE = _call('write_file', path='notes/a.txt', content='first\n')
EDIT = _call('edit_file', path='notes/a.txt', search='first', replace='second')
READ = _call('read_file', path='notes/a.txt')
#: Asks before every edit_file call: a run pauses there, and a later process answers.
ASK_EDITS = Policy.from_dict({'version': 1, 'default': 'allow', 'rules': [{'tool': 'edit_file', 'action': 'ask'}]})


def _agent(tmp_path: Path, turns: list[Any], box: FakeSandbox, events: list[Any] | None = None) -> Agent:
    return Agent(model=ScriptedModel(turns), tools=builtin_tools(), sandbox=box, policy=ASK_EDITS,
                 store=RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}'), checkpointer=tmp_path / 'ckpt.sqlite',
                 guardrails=[])


def test_an_approval_answered_in_a_new_sandbox_sees_the_files_of_the_steps_before(tmp_path: Path) -> None:
    turns = [WRITE, EDIT, READ, 'done']
    first = _agent(tmp_path, turns, FakeSandbox())
    paused = first.run('write, edit, read')
    assert paused.status == 'awaiting_approval'

    # Another process: a new agent object and a new, empty sandbox; only the run store and checkpoints are shared.
    box = FakeSandbox()
    model = ScriptedModel(turns)
    second = Agent(model=model, tools=builtin_tools(), sandbox=box, policy=ASK_EDITS, store=first.store,
                   checkpointer=tmp_path / 'ckpt.sqlite', guardrails=[])
    seen: list[Any] = []
    done = _resume(second, paused.run_id, seen)
    assert done.status == 'completed', done
    assert box.read_file('notes/a.txt') == b'second\n'  # the write of step 1 was restored, then step 2 edited it
    restored = [e for e in seen if isinstance(e, WorkspaceRestored)]
    assert len(restored) == 1 and restored[0].changed and restored[0].files == 1 and restored[0].error is None
    read_result = model.requests[1].messages[-1].content  # step 4 sees what step 3 read
    assert 'second' in read_result
    told = [m.content for m in model.requests[0].messages if 'resumed in a new sandbox' in (m.content or '')]
    assert len(told) == 1 and 'pip packages' in told[0]


def _resume(agent: Agent, run_id: str, seen: list[Any]) -> Any:
    import asyncio

    async def go() -> Any:
        async for event in agent.astream_resume(run_id, Approve()):
            seen.append(event)
        return agent.store.get_run(run_id)

    asyncio.run(go())
    return agent.store.get_run(run_id)


def test_a_resume_in_the_same_sandbox_leaves_it_alone(tmp_path: Path) -> None:
    box = FakeSandbox()
    agent = _agent(tmp_path, [WRITE, EDIT, 'done'], box)
    paused = agent.run('write then edit')
    seen: list[Any] = []
    done = _resume(agent, paused.run_id, seen)
    assert done.status == 'completed'
    restored = [e for e in seen if isinstance(e, WorkspaceRestored)]
    assert len(restored) == 1 and not restored[0].changed
    assert box.read_file('notes/a.txt') == b'second\n'


def test_a_workspace_that_cannot_be_restored_fails_the_resume_and_says_why(tmp_path: Path) -> None:
    first = _agent(tmp_path, [WRITE, EDIT, 'done'], FakeSandbox())
    paused = first.run('write then edit')
    from sqlalchemy import text

    with first.store.engine.begin() as conn:  # the snapshots' file data is gone from the store
        conn.execute(text("DELETE FROM workspace_blobs WHERE data NOT LIKE '{%'"))
    box = FakeSandbox()
    second = Agent(model=ScriptedModel([WRITE, EDIT, 'done']), tools=builtin_tools(), sandbox=box, policy=ASK_EDITS,
                   store=RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}'), checkpointer=tmp_path / 'ckpt.sqlite',
                   guardrails=[])
    result = second.resume(paused.run_id, Approve())
    assert result.status == 'failed' and result.error is not None
    assert result.error.type == 'WorkspaceLostError' and 'not in the run store' in result.error.message
    assert result.error.hint is not None and 'fork' in result.error.hint
    assert second.store.get_run(paused.run_id).status == 'failed'
    assert box.list_files('.', recursive=True) == []  # nothing was passed off as the old workspace


def test_fork_at_a_step_restores_that_steps_files(tmp_path: Path) -> None:
    box = FakeSandbox()
    agent = Agent(model=ScriptedModel([WRITE, EDIT, 'done']), tools=builtin_tools(), sandbox=box,
                  store=RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}'), checkpointer=tmp_path / 'ckpt.sqlite',
                  guardrails=[])
    done = agent.run('write then edit')
    assert done.status == 'completed' and box.read_file('notes/a.txt') == b'second\n'

    # Fork after step 1 (the write, before the edit), into a new sandbox, and go another way from there.
    model = ScriptedModel([WRITE, READ, 'forked'])
    fresh = FakeSandbox()
    forker = Agent(model=model, tools=builtin_tools(), sandbox=fresh, store=agent.store,
                   checkpointer=tmp_path / 'ckpt.sqlite', guardrails=[])
    new_id = forker.fork(done.run_id, at_step=1)
    assert new_id != done.run_id
    result = forker.resume(new_id)
    assert (result.run_id, result.status, result.output, result.steps) == (new_id, 'completed', 'forked', 3)
    assert 'first' in model.requests[-1].messages[-1].content  # step 1's file, not the edited one
    assert fresh.read_file('notes/a.txt') == b'first\n'
    record = agent.store.get_run(new_id)
    assert record.task == 'write then edit' and '"forked_from"' in record.config_json
    assert agent.store.get_run(done.run_id).status == 'completed'  # the original is untouched
    assert box.read_file('notes/a.txt') == b'second\n'


def test_fork_at_a_step_the_run_never_reached_names_the_range(tmp_path: Path) -> None:
    import pytest

    from agentcore.runstore import RunNotFoundError

    agent = Agent(model=ScriptedModel([WRITE, 'done']), tools=builtin_tools(), sandbox=FakeSandbox(),
                  store=RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}'), checkpointer=tmp_path / 'ckpt.sqlite',
                  guardrails=[])
    done = agent.run('write')
    from agentcore._fork import ForkError

    with pytest.raises(ForkError, match=r'no checkpoint before model turn 8: it reached steps 0\.\.2') as info:
        agent.fork(done.run_id, at_step=7)
    assert info.value.usage_error and info.value.hint == 'pick --at between 0 and 2'
    with pytest.raises(RunNotFoundError):
        agent.fork('nope', at_step=0)


def test_snapshots_store_each_file_once_and_restore_modes_and_empty_directories(tmp_path: Path) -> None:
    import asyncio

    from sqlalchemy import func, select

    from agentcore._workspace import capture, restore
    from agentcore.runstore._blobs import _BLOBS

    store = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')

    def blobs() -> int:
        with store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(_BLOBS)).scalar_one())

    async def go() -> None:
        box = FakeSandbox({'a.txt': 'same', 'b.txt': 'same'})
        box.write_file('bin/run.sh', '#!/bin/sh\n', mode=0o755)
        first = await capture(box, store.blobs)
        assert blobs() == 3  # one blob for the two identical files, one for the script, one manifest
        assert await capture(box, store.blobs, previous=first) == first  # unchanged: nothing read or written
        assert blobs() == 3
        box.write_file('b.txt', 'changed')
        second = await capture(box, store.blobs, previous=first)
        assert second != first and blobs() == 5  # the changed file and a new manifest

        fresh = FakeSandbox()
        done = await restore(fresh, store.blobs, first)
        assert done.changed and done.files == 3
        assert fresh.read_file('b.txt') == b'same'
        assert {f.path: f.mode & 0o777 for f in fresh.list_files('.', recursive=True) if f.kind == 'file'}[
            'bin/run.sh'] == 0o755
        again = await restore(fresh, store.blobs, first)
        assert not again.changed  # already there: left alone

    asyncio.run(go())

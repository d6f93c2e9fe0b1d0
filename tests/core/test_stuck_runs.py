"""No run is stuck: a run is resumable from the moment it exists, a run whose process died is marked
`interrupted`, and a run whose store write failed (a full disk) is reconciled from its checkpoint."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentcore import Agent
from agentcore.runstore import RunStore
from agentcore.testing import ScriptedModel

from .test_exactly_once import effects, kill_when_hung, resume


def _env(tmp_path: Path, home: Path, hang: str) -> dict[str, str]:
    return {**os.environ, 'EFFECTS_LOG': str(tmp_path / 'effects.log'), 'AGENTCORE_HOME': str(home),
            'EFFECTS_HANG': hang}


def _runs_list(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    out = subprocess.run([sys.executable, '-m', 'agentcore', 'runs', 'list', '--json'], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return {r['run_id']: r for r in json.loads(out.stdout)}


@pytest.mark.slow
def test_a_run_killed_right_after_creation_is_interrupted_and_resumes_to_completion(
    tmp_path: Path, agentcore_home: Path
) -> None:
    env = _env(tmp_path, agentcore_home, 'create')
    kill_when_hung('stuck-new', env)
    assert not Path(env['EFFECTS_LOG']).exists()  # killed before its first node
    row = _runs_list(env)['stuck-new']
    assert row['status'] == 'interrupted'
    assert 'agentcore resume stuck-new' in row['stop_reason']
    status, output, _, _ = resume('stuck-new', env)
    assert (status, output) == ('completed', 'sent and charged')
    assert [line.split()[0] for line in effects(env)] == ['send', 'charge']
    assert _runs_list(env)['stuck-new']['status'] == 'completed'


@pytest.mark.slow
def test_runs_list_shows_a_run_killed_mid_call_as_interrupted(tmp_path: Path, agentcore_home: Path) -> None:
    env = _env(tmp_path, agentcore_home, 'send')
    kill_when_hung('stuck-mid', env)
    out = subprocess.run([sys.executable, '-m', 'agentcore', 'runs', 'list'], env={**env, 'COLUMNS': '200'},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    line = next(x for x in out.stdout.splitlines() if 'stuck-mid' in x)
    assert 'interrupted' in line
    status, _, _, _ = resume('stuck-mid', env)
    assert status == 'completed'


def test_a_live_run_of_this_process_is_not_taken_for_interrupted(tmp_path: Path) -> None:
    store = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')
    store.create_run('mine', 't', 'm')
    assert RunStore(store.url).reconcile_interrupted() == []
    assert store.get_run('mine').status == 'running'
    assert store.get_run('mine').owner_pid == os.getpid()


def test_a_run_whose_owner_process_is_gone_is_interrupted_once(tmp_path: Path) -> None:
    store = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')
    store.create_run('gone', 't', 'm')
    dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True)
    store.update_run('gone', owner_pid=int(dead.stdout))
    other = RunStore(store.url)
    assert other.reconcile_interrupted() == ['gone']
    assert other.reconcile_interrupted() == []  # once per store
    record = store.get_run('gone')
    assert record.status == 'interrupted' and 'agentcore resume gone' in (record.stop_reason or '')


class FullDiskOnce(RunStore):
    """A real run store whose next write of a run's final status fails once with ENOSPC, as on a full disk."""

    fail_next_finish = True

    def update_run(self, run_id: str, **fields: Any) -> None:
        if self.fail_next_finish and fields.get('status') == 'completed':
            self.fail_next_finish = False
            raise OSError(errno.ENOSPC, 'No space left on device')
        super().update_run(run_id, **fields)


def _scripted() -> ScriptedModel:
    return ScriptedModel([{'tool_calls': [{'name': 'add', 'arguments': {'a': 1, 'b': 2}}]}, 'three'])


def _add(a: int, b: int) -> int:
    """Add.

    Args:
        a: one.
        b: two.
    """
    return a + b


async def test_a_run_whose_final_store_write_failed_is_reconciled_on_resume(tmp_path: Path) -> None:
    from agentcore.tools import tool

    add = tool(side_effects='none')(_add)
    store = FullDiskOnce(f'sqlite:///{tmp_path / "runs.sqlite"}')
    checkpoints = tmp_path / 'checkpoints.sqlite'
    agent = Agent(model=_scripted(), tools=[add], store=store, checkpointer=checkpoints)
    with pytest.raises(OSError, match='No space left'):
        await agent.arun('add', run_id='full')
    stuck = store.get_run('full')  # marked failed as the error left the run (the next write worked), never `running`
    assert stuck.status == 'failed' and 'agentcore resume full' in (stuck.stop_reason or '')
    # Space is back: a resume (here in a new agent, as a new process would) settles the row from the checkpoint.
    again = Agent(model=ScriptedModel([]), tools=[add], store=RunStore(store.url), checkpointer=checkpoints)
    result = await again.aresume('full')
    assert (result.status, result.output) == ('completed', 'three')
    record = store.get_run('full')
    assert (record.status, record.steps, record.output) == ('completed', 2, 'three')
    assert record.tool_calls == result.tool_calls

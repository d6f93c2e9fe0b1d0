"""A PostgreSQL restart in the middle of a run costs a pause: the run completes, nothing is done or written twice."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from agentcore import Agent, Budget
from agentcore.audit import AuditLog
from agentcore.policy import Policy
from agentcore.testing import ScriptedModel
from agentcore.tools import tool

from .conftest import Cluster

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


class _Outage:
    """Stops the cluster; starts it again once agentcore has reported that it is retrying (so the run did wait)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.retrying = threading.Event()
        self.restarted = threading.Event()
        self.errors: list[BaseException] = []

    def begin(self, mode: str) -> None:
        self.cluster.stop(mode)
        threading.Thread(target=self._restart, daemon=True).start()

    def _restart(self) -> None:
        try:
            if not self.retrying.wait(timeout=60):
                self.errors.append(AssertionError('agentcore never retried during the outage'))
            self.cluster.start()
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
        finally:
            self.restarted.set()


class _Watch(logging.Handler):
    def __init__(self, outage: _Outage) -> None:
        super().__init__()
        self.outage = outage

    def emit(self, record: logging.LogRecord) -> None:
        if 'retrying' in record.getMessage():
            self.outage.retrying.set()


@pytest.mark.parametrize(('where', 'mode'), [('tool', 'fast'), ('model', 'immediate')])
def test_restart_mid_run(own_cluster: Cluster, tmp_path: Path, where: str, mode: str) -> None:
    """`where`: the server goes down inside an external tool call, or between two model turns."""
    effects = tmp_path / 'effects.txt'
    outage = _Outage(own_cluster)

    @tool(side_effects='external')
    def record(n: int) -> str:
        """Append a line to the effects file (an external effect), and maybe take the database down.

        Args:
            n: the line.
        """
        with effects.open('a') as f:
            f.write(f'{n}\n')
        if where == 'tool' and n == 1:
            outage.begin(mode)
        return f'recorded {n}'

    class Model(ScriptedModel):
        async def complete(self, request: Any) -> Any:
            if where == 'model' and sum(1 for m in request.messages if m.role == 'assistant') == 1:
                outage.begin(mode)
            return await super().complete(request)

    model = Model([{'tool_calls': [{'name': 'record', 'arguments': {'n': 1}}]},
                   {'tool_calls': [{'name': 'record', 'arguments': {'n': 2}}]},
                   'recorded both'])
    agent = Agent(model=model, tools=[record], store=own_cluster.store_url, checkpointer=own_cluster.url,
                  budget=Budget(max_steps=10), policy=Policy.allow_all())
    watch = _Watch(outage)
    logging.getLogger('agentcore.postgres').addHandler(watch)
    try:
        result = agent.run('record 1 then 2')
    finally:
        logging.getLogger('agentcore.postgres').removeHandler(watch)
        assert outage.restarted.wait(timeout=120)
    assert not outage.errors, outage.errors
    assert outage.retrying.is_set()
    assert (result.status, result.output) == ('completed', 'recorded both')
    assert effects.read_text().splitlines() == ['1', '2']  # each external effect exactly once

    store = agent.store
    assert store.get_run(result.run_id).status == 'completed'
    calls = store.tool_calls(result.run_id)
    assert [(c.tool, c.status) for c in calls] == [('record', 'completed'), ('record', 'completed')]
    assert [u.step for u in store.usage(result.run_id)] == [1, 2, 3]  # one usage row per model turn
    with store.engine.connect() as conn:
        seqs = [r[0] for r in conn.execute(text('SELECT seq FROM steps WHERE run_id = :r ORDER BY seq'),
                                           {'r': result.run_id})]
        decisions = conn.execute(text('SELECT count(*) FROM policy_decisions WHERE run_id = :r'),
                                 {'r': result.run_id}).scalar_one()
    assert seqs == list(range(len(seqs)))  # no event row written twice, none lost
    events = store.events(result.run_id)
    types = [e['type'] for e in events]
    assert (types.count('tool_call_finished'), types.count('model_turn_finished')) == (2, 3)
    assert decisions == 2
    assert AuditLog(store.engine, create_table=False).verify(result.run_id).ok
    # The run can still be read back after the restart, from a new agent (as a new process would).
    again = Agent(model=ScriptedModel([]), tools=[record], store=own_cluster.store_url,
                  checkpointer=own_cluster.url).resume(result.run_id)
    assert again.output == 'recorded both'
    store.close()

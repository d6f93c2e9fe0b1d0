"""Concurrent first use of an empty PostgreSQL database: every run completes, in one process and over several."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from agentcore import Agent, Budget
from agentcore._postgres import _entries
from tests._tools import add

from ._worker import _script, main as run_concurrently
from .conftest import FreshDatabase

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def _completed_runs(store_url: str) -> int:
    engine = create_engine(store_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM runs WHERE status = 'completed'")).scalar_one()
        duplicates = conn.execute(text('SELECT count(*) FROM (SELECT run_id, seq FROM steps GROUP BY run_id, seq '
                                       'HAVING count(*) > 1) d')).scalar_one()
    engine.dispose()
    assert duplicates == 0
    return int(count)


async def test_ten_concurrent_runs_in_one_process_on_an_empty_database(fresh_database: FreshDatabase) -> None:
    results = await run_concurrently(fresh_database.store_url, fresh_database.url, 10)
    assert [status for _, status in results] == ['completed'] * 10
    assert _completed_runs(fresh_database.store_url) == 10
    # One pool for the URL on this loop, shared by all ten runs.
    loop = asyncio.get_running_loop()
    assert [k for k, e in _entries.items() if e.loop is loop and k[1] == fresh_database.url] == [
        (id(loop), fresh_database.url)]


@pytest.mark.slow
def test_four_processes_on_an_empty_database(fresh_database: FreshDatabase) -> None:
    env = {**os.environ, 'PYTHONPATH': str(ROOT)}
    workers = [subprocess.Popen([sys.executable, '-m', 'tests.postgres._worker', fresh_database.store_url,
                                 fresh_database.url, '5'], cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    try:
        for w in workers:
            assert w.stdout is not None and w.stdout.readline().strip() == 'ready'
        for w in workers:  # all at once: they race on the empty database
            assert w.stdin is not None
            w.stdin.write('go\n')
            w.stdin.flush()
        outcomes = [w.communicate(timeout=240) for w in workers]
    finally:
        for w in workers:
            w.kill() if w.poll() is None else None
    for w, (out, err) in zip(workers, outcomes, strict=True):
        assert w.returncode == 0, err
        assert [status for _, status in json.loads(out.strip().splitlines()[-1])] == ['completed'] * 5
    assert _completed_runs(fresh_database.store_url) == 20


def test_sync_runs_each_get_a_live_pool(fresh_database: FreshDatabase) -> None:
    """`Agent.run` runs each call in its own event loop: the pool of an ended loop is replaced, not reused."""
    agent = Agent(model=_script(), tools=[add], store=fresh_database.store_url, checkpointer=fresh_database.url,
                  budget=Budget(max_steps=10))
    first, second = agent.run('2 + 3?'), agent.run('2 + 3?')
    assert (first.status, second.status) == ('completed', 'completed')
    assert Agent(model=_script(), tools=[add], store=fresh_database.store_url,
                 checkpointer=fresh_database.url).resume(first.run_id).output == 'five'
    # Pools of ended loops were closed with their loop.
    assert all(not e.loop.is_closed() or e.pool.closed for e in _entries.values())


def test_a_loop_can_end_while_the_pool_is_connecting(postgres_url: str) -> None:
    """psycopg_pool's workers swallow the cancellation `asyncio.run` ends with, and would wait forever."""
    from psycopg_pool.pool_async import AddConnection

    from agentcore._postgres import checkpoint_saver

    async def main() -> None:
        saver = await checkpoint_saver(postgres_url)
        saver.pool.run_task(AddConnection(saver.pool))  # a worker is connecting when the loop ends
        for _ in range(3):
            await asyncio.sleep(0)

    for _ in range(3):
        asyncio.run(main())  # returns (hung before)

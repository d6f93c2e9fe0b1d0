"""The run store on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from agentcore import Agent
from agentcore.runstore import RunNotFoundError, RunStore
from agentcore.testing import ScriptedModel
from agentcore.tools import tool


@tool(side_effects='none')
def echo(text: str) -> str:
    """Echo text back.

    Args:
        text: what to echo.
    """
    return text


def _exercise(store: RunStore) -> None:
    run_id = f'run-{uuid.uuid4().hex[:8]}'
    store.create_run(run_id, 'task', 'scripted', {'k': 1})
    store.create_run(run_id, 'task again', 'scripted')  # idempotent on resume
    store.add_event(run_id, {'type': 'run_started', 'run_id': run_id})
    store.add_event(run_id, {'type': 'run_finished', 'run_id': run_id})
    store.tool_call_started(run_id, 'c1', 'echo', {'text': 'hi'}, 'none')
    assert store.tool_call(run_id, 'c1').status == 'started'  # type: ignore[union-attr]
    store.tool_call_finished(run_id, 'c1', content='hi', is_error=False, data={'x': 1})
    store.add_policy_decision(run_id, 'c1', 'echo', 'allow', 'default', 'ok')
    store.add_usage(run_id, 1, 'scripted', 10, 5, 0.5)
    store.update_run(run_id, status='completed', output='hi', steps=1)

    rec = store.get_run(run_id)
    assert (rec.task, rec.status, rec.output, rec.steps) == ('task', 'completed', 'hi', 1)
    assert [e['type'] for e in store.events(run_id)] == ['run_started', 'run_finished']
    call = store.tool_call(run_id, 'c1')
    assert call is not None and (call.status, call.content) == ('completed', 'hi')
    assert [d.action for d in store.policy_decisions(run_id)] == ['allow']
    assert [u.input_tokens for u in store.usage(run_id)] == [10]
    assert run_id in [r.run_id for r in store.list_runs(1000)]
    with pytest.raises(RunNotFoundError):
        store.get_run('nope')


def test_run_store_on_sqlite(tmp_path: Path) -> None:
    store = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')
    _exercise(store)
    store.close()


@pytest.mark.postgres
def test_run_store_on_postgres(postgres_url: str) -> None:
    store = RunStore(postgres_url.replace('postgresql://', 'postgresql+psycopg://'))
    _exercise(store)
    store.close()


@pytest.mark.postgres
def test_agent_on_postgres_store_and_checkpointer(postgres_url: str) -> None:
    store = RunStore(postgres_url.replace('postgresql://', 'postgresql+psycopg://'))
    model = ScriptedModel([{'tool_calls': [{'name': 'echo', 'arguments': {'text': 'pg'}}]}, 'done on pg'])
    agent = Agent(model=model, tools=[echo], store=store, checkpointer=postgres_url)
    result = agent.run('use postgres')
    assert (result.status, result.output) == ('completed', 'done on pg')
    assert store.get_run(result.run_id).status == 'completed'
    again = Agent(model=ScriptedModel([]), tools=[echo], store=store, checkpointer=postgres_url).resume(result.run_id)
    assert again.output == 'done on pg'


def test_store_from_an_older_schema_is_migrated(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    url = f'sqlite:///{tmp_path / "old.sqlite"}'
    with create_engine(url).begin() as conn:
        conn.execute(text('CREATE TABLE runs (run_id VARCHAR PRIMARY KEY, task VARCHAR NOT NULL, model VARCHAR, '
                          'status VARCHAR, output VARCHAR, stop_reason VARCHAR, steps INTEGER, tool_calls INTEGER, '
                          'input_tokens INTEGER, output_tokens INTEGER, cost_usd FLOAT, created_at VARCHAR, '
                          'updated_at VARCHAR, config_json VARCHAR)'))
        conn.execute(text("INSERT INTO runs VALUES ('old', 't', 'm', 'completed', 'o', NULL, 1, 0, 1, 1, 0.0, "
                          "'2026-01-01', '2026-01-01', '{}')"))
    store = RunStore(url)
    old = store.get_run('old')
    assert (old.status, old.audit_head) == ('completed', None)
    store.update_run('old', audit_head='abc', audit_records=3)
    assert store.get_run('old').audit_records == 3


async def _flush_threads(store: RunStore, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    import threading

    seen: set[str] = set()
    write = store._write

    def recording(batch: list[Any]) -> None:
        seen.add(threading.current_thread().name)
        write(batch)

    monkeypatch.setattr(store, '_write', recording)
    store.create_run('r-aflush', 'task', 'model')
    store.add_event('r-aflush', {'type': 'note'})
    await store.aflush()
    assert [e['type'] for e in store.events('r-aflush')] == ['note']
    return seen


async def test_aflush_writes_sqlite_inline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')
    assert await _flush_threads(store, monkeypatch) == {'MainThread'}


@pytest.mark.postgres
async def test_aflush_writes_to_a_server_off_the_event_loop(postgres_url: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    store = RunStore(postgres_url.replace('postgresql://', 'postgresql+psycopg://'))
    with store.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(text("DELETE FROM steps WHERE run_id = 'r-aflush'"))
        conn.execute(text("DELETE FROM tool_calls WHERE run_id = 'r-aflush'"))
        conn.execute(text("DELETE FROM runs WHERE run_id = 'r-aflush'"))
    threads = await _flush_threads(store, monkeypatch)
    assert threads and 'MainThread' not in threads

    import threading

    ledger_threads: list[str] = []
    started = store.tool_call_started

    def recording_started(*args: Any) -> None:
        ledger_threads.append(threading.current_thread().name)
        started(*args)

    monkeypatch.setattr(store, 'tool_call_started', recording_started)
    await store.atool_call_started('r-aflush', 'call-1', 'echo', {'text': 'hi'}, 'external')
    assert ledger_threads and ledger_threads[0] != 'MainThread'
    record = await store.atool_call('r-aflush', 'call-1')
    assert record is not None and record.status == 'started'

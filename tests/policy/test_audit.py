from __future__ import annotations

import asyncio
import itertools
import json
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import create_engine

from agentcore.audit import GENESIS_HASH, AuditLog, AuditRecord, record_hash
from agentcore.policy import PolicyDecision

KEY = 'sk-' + 'proj-' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_-Q7'


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return create_engine(f'sqlite:///{tmp_path / "audit.db"}')


def _fill(log: AuditLog, run_id: str = 'run-1', n: int = 5) -> None:
    for i in range(n):
        log.append(run_id, 'tool_execution', {'call_id': f'c{i}', 'tool': 'shell', 'exit_code': i})


def test_append_chains_and_verifies(engine: Engine) -> None:
    log = AuditLog(engine)
    decision = PolicyDecision(action='deny', rule='rules[0] (shell: deny)', reason='no')
    first = log.append('run-1', 'policy_decision', {'decision': decision, 'at': datetime(2024, 1, 1, tzinfo=UTC)})
    _fill(log, n=3)
    log.append('run-2', 'memory_write', {'text': 'other run'})
    records = log.records('run-1')
    assert [r.seq for r in records] == [0, 1, 2, 3]
    assert records[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(records))
    assert first.hash == record_hash(GENESIS_HASH, 'run-1', 0, first.ts, 'policy_decision', first.payload)
    assert first.ts.endswith('+00:00')
    assert json.loads(first.payload)['decision'] == {'action': 'deny', 'rule': 'rules[0] (shell: deny)', 'reason': 'no'}
    assert first.payload == json.dumps(json.loads(first.payload), sort_keys=True, separators=(',', ':'))
    report = log.verify('run-1')
    assert (report.ok, report.records, report.first_broken) == (True, 4, None)
    assert log.verify('run-2').ok and log.verify('missing').records == 0
    assert log.count('run-1') == 4 and log.head('run-1') == records[-1].hash


def test_payload_secrets_are_redacted_before_writing(engine: Engine, tmp_path: Path) -> None:
    log = AuditLog(engine)
    log.append(
        'r', 'approval', {'arguments': {'token': KEY, 'cmd': f'export OPENAI_API_KEY={KEY}'}, 'password': 'p4ss'}
    )
    engine.dispose()
    raw = (tmp_path / 'audit.db').read_bytes()
    assert KEY.encode() not in raw and b'p4ss' not in raw
    payload = json.loads(log.records('r')[0].payload)
    assert payload['arguments']['cmd'] == 'export OPENAI_API_KEY=[REDACTED:openai_key]'
    assert payload['password'] == '[REDACTED:generic_secret]'


def test_unserialisable_payload_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match='not JSON-serialisable'):
        AuditLog(engine).append('r', 'x', {'v': object()})


def test_detects_edited_row(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET payload = replace(payload, 'c2', 'cX') WHERE seq = 2"))
    report = log.verify('run-1')
    assert (report.ok, report.first_broken) == (False, 2)
    assert 'edited' in report.reason


def test_detects_edited_row_with_recomputed_hash(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log)
    row = log.records('run-1')[1]
    forged_payload = row.payload.replace('c1', 'cX')
    forged = record_hash(row.prev_hash, row.run_id, row.seq, row.ts, row.kind, forged_payload)
    with engine.begin() as conn:
        conn.execute(
            text('UPDATE audit_log SET payload = :p, hash = :h WHERE seq = 1'), {'p': forged_payload, 'h': forged}
        )
    report = log.verify('run-1')
    assert (report.ok, report.first_broken) == (False, 2)
    assert 'does not chain' in report.reason


def test_detects_deleted_row(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE run_id = 'run-1' AND seq = 2"))
    report = log.verify('run-1')
    assert (report.ok, report.records, report.first_broken) == (False, 4, 2)
    assert 'deleted' in report.reason


def test_detects_truncation_with_expected_head(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log)
    head, count = log.head('run-1'), log.count('run-1')
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE run_id = 'run-1' AND seq = 4"))
    assert log.verify('run-1').ok  # the chain alone cannot see a cut tail
    assert not log.verify('run-1', expected_head=head).ok
    assert 'expected 5' in log.verify('run-1', expected_records=count).reason


def test_detects_reordered_rows_by_seq(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log)
    with engine.begin() as conn:
        conn.execute(text('UPDATE audit_log SET seq = -1 WHERE seq = 1'))
        conn.execute(text('UPDATE audit_log SET seq = 1 WHERE seq = 3'))
        conn.execute(text('UPDATE audit_log SET seq = 3 WHERE seq = -1'))
    report = log.verify('run-1')
    assert (report.ok, report.first_broken) == (False, 1)
    assert 'reordered' in report.reason and 'written as seq 3' in report.reason


def test_detects_reordered_rows_by_storage_order(engine: Engine) -> None:
    log = AuditLog(engine)
    _fill(log)
    rows = {r.seq: r for r in log.records('run-1')}
    with engine.begin() as conn:  # swap the physical rows (ids) of seq 1 and 2, contents intact
        conn.execute(text('UPDATE audit_log SET id = -1 WHERE id = :i'), {'i': rows[1].id})
        conn.execute(text('UPDATE audit_log SET id = :a WHERE id = :b'), {'a': rows[1].id, 'b': rows[2].id})
        conn.execute(text('UPDATE audit_log SET id = :b WHERE id = -1'), {'b': rows[2].id})
    report = log.verify('run-1')
    assert (report.ok, report.first_broken) == (False, 2)
    assert 'reordered' in report.reason


def test_concurrent_appends_keep_one_chain(engine: Engine) -> None:
    log = AuditLog(engine)
    threads = [threading.Thread(target=_fill, args=(log, 'run-c', 10)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    async def more() -> None:
        await asyncio.gather(*(log.append_async('run-c', 'memory_write', {'i': i}) for i in range(10)))

    asyncio.run(more())
    assert [r.seq for r in log.records('run-c')] == list(range(50))
    assert log.verify('run-c').ok


def test_table_name_and_shared_metadata(engine: Engine) -> None:
    AuditLog(engine)
    assert AuditRecord.__tablename__ == 'audit_log'
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))]
    assert 'audit_log' in names


def test_tip_and_begin_know_the_chain_without_asking_the_table(engine: Engine) -> None:
    log = AuditLog(engine)
    assert log.tip('run-1') == (0, None)
    _fill(log, n=3)
    assert log.tip('run-1') == (3, log.head('run-1'))
    log.begin('run-1')  # a run with records is not reset by a stray begin
    assert log.tip('run-1') == (3, log.head('run-1'))

    fresh = AuditLog(engine)  # another process: reads the head from the table
    assert fresh.tip('run-1') == (3, log.head('run-1'))
    fresh.begin('run-new')
    rows: list[dict[str, object]] = []
    fresh.append_deferred('run-new', 'approval', {'decision': 'approve'}, lambda _table, row: rows.append(row))
    assert (rows[0]['seq'], rows[0]['prev_hash']) == (0, GENESIS_HASH)
    assert fresh.tip('run-new') == (1, rows[0]['hash'])

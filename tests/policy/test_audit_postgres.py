from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import create_engine

from agentcore.audit import AuditLog


@pytest.mark.postgres
def test_audit_log_on_postgres(postgres_url: str) -> None:
    engine = create_engine(postgres_url.replace('postgresql://', 'postgresql+psycopg://'))
    run_id = f'audit-{uuid.uuid4().hex}'
    # Two logs on one database behave like two processes: only the unique (run_id, seq) keeps them in one chain.
    first, second = AuditLog(engine), AuditLog(engine)

    def fill(log: AuditLog) -> None:
        for i in range(15):
            log.append(run_id, 'tool_execution', {'i': i, 'api_key': 'should-not-be-stored-1'})

    threads = [threading.Thread(target=fill, args=(log,)) for log in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    records = first.records(run_id)
    assert [r.seq for r in records] == list(range(30))
    assert first.verify(run_id).ok
    assert all('should-not-be-stored' not in r.payload for r in records)
    with engine.begin() as conn:
        conn.execute(
            text('UPDATE audit_log SET kind = :k WHERE run_id = :r AND seq = 7'), {'k': 'memory_write', 'r': run_id}
        )
    report = second.verify(run_id)
    assert (report.ok, report.first_broken) == (False, 7)
    with engine.begin() as conn:
        conn.execute(text('DELETE FROM audit_log WHERE run_id = :r'), {'r': run_id})
    engine.dispose()

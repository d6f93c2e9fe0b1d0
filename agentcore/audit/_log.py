"""`AuditLog`: append-only, hash-chained audit records per run, with verification."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy import Engine, func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from agentcore.guardrails import Redactor
from agentcore.policy import canonical_json

from ._record import AUDIT_TABLE, GENESIS_HASH, AuditRecord, record_hash

_AUDIT: Any = AuditRecord.__table__  # type: ignore[attr-defined]

_RETRIES = 20

#: Kinds the agent graph writes; others are allowed.
AUDIT_KINDS = ('policy_decision', 'approval', 'tool_execution', 'memory_write', 'guardrail', 'budget')


class VerifyReport(BaseModel):
    """The result of `AuditLog.verify`.

    Attributes:
        ok: the chain is intact.
        records: how many records the run has.
        first_broken: `seq` (position in the chain) of the first bad record, or `None`.
        reason: what is wrong, or `'ok'`.
    """

    ok: bool
    records: int
    first_broken: int | None = None
    reason: str = 'ok'


class AuditLog:
    """Writes and verifies the `audit_log` table.

    Payloads are converted to JSON (pydantic models and datetimes included), redacted with `redactor` (secrets never
    reach the store) and stored as canonical JSON. Appends to one run are serialised by a per-run lock in this
    process; across processes the `(run_id, seq)` unique constraint makes a racing append retry.

    Limits: the chain detects edited, deleted, inserted and reordered rows, but not the removal of the last rows
    unless `verify` is given the expected head hash or count (store `head()` elsewhere, e.g. with the run), and
    not a rewrite of the whole chain by someone who can write the database.
    """

    def __init__(self, engine: Engine, *, redactor: Redactor | None = None, create_table: bool = True) -> None:
        self.engine = engine
        self.redactor = redactor if redactor is not None else Redactor()
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._heads: dict[str, tuple[int, str]] = {}
        if create_table:
            AuditRecord.metadata.create_all(engine, tables=[AuditRecord.metadata.tables[AUDIT_TABLE]])

    def _lock(self, run_id: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(run_id, threading.Lock())

    def append(self, run_id: str, kind: str, payload: dict[str, Any]) -> AuditRecord:
        """Append one record (redacted) to the run's chain and return it.

        Raises:
            ValueError: `payload` cannot be converted to JSON.
            sqlalchemy.exc.IntegrityError: other processes kept taking the next seq for 20 attempts.
        """
        text = self._payload_text(kind, payload)
        with self._lock(run_id):
            for attempt in range(_RETRIES):
                try:
                    return self._insert(run_id, kind, text)
                except IntegrityError:  # another process took this seq: re-read the head and try again
                    if attempt == _RETRIES - 1:
                        raise
                    time.sleep(0.002 * (attempt + 1))
        raise AssertionError('unreachable')

    def append_deferred(
        self, run_id: str, kind: str, payload: dict[str, Any], sink: Callable[[Any, dict[str, Any]], None]
    ) -> str:
        """Chain one record (redacted) and hand its row to `sink(table, row)` instead of inserting it.

        For writers that batch rows into one transaction (the run store flushes once per graph node). Only one
        process may write a run's chain this way; call `forget(run_id)` if the batch is not written. Returns the
        new record's hash (the run's new head).

        Raises:
            ValueError: `payload` cannot be converted to JSON.
        """
        text = self._payload_text(kind, payload)
        with self._lock(run_id):
            row = self._next_row(run_id, kind, text)
            sink(_AUDIT, row)
            self._heads[run_id] = (row['seq'] + 1, row['hash'])
            return str(row['hash'])

    def begin(self, run_id: str) -> None:
        """Declare `run_id` a run that was just created, so without records: its first append reads nothing."""
        self._heads.setdefault(run_id, (0, GENESIS_HASH))

    def forget(self, run_id: str | None = None) -> None:
        """Drop cached chain heads (of one run, or all): the next append re-reads the head from the table."""
        if run_id is None:
            self._heads.clear()
        else:
            self._heads.pop(run_id, None)

    def _payload_text(self, kind: str, payload: dict[str, Any]) -> str:
        try:
            return canonical_json(self.redactor.redact_obj(to_jsonable_python(payload)))
        except Exception as exc:  # pydantic_core raises its own serialisation errors
            raise ValueError(f'audit payload for {kind!r} is not JSON-serialisable: {exc}') from exc

    def _next_row(self, run_id: str, kind: str, text: str) -> dict[str, Any]:
        seq, prev = self._tip(run_id)
        ts = datetime.now(UTC).isoformat(timespec='microseconds')
        return {'run_id': run_id, 'seq': seq, 'ts': ts, 'kind': kind, 'payload': text, 'prev_hash': prev,
                'hash': record_hash(prev, run_id, seq, ts, kind, text)}

    def _tip(self, run_id: str) -> tuple[int, str]:
        """(next seq, hash of the last record) of the run's chain: cached, else read from the table."""
        head = self._heads.get(run_id)
        if head is None:
            last = self._last(run_id)
            head = (0, GENESIS_HASH) if last is None else (last.seq + 1, last.hash)
        return head

    def _insert(self, run_id: str, kind: str, text: str) -> AuditRecord:
        # The chain head of each run is cached, so an append is one INSERT; a racing writer in another process
        # trips the (run_id, seq) unique constraint, and the retry reloads the head from the table.
        values = self._next_row(run_id, kind, text)
        record = AuditRecord(**values)
        seq = record.seq
        try:
            with self.engine.begin() as conn:
                key = conn.execute(insert(_AUDIT).values(**values)).inserted_primary_key
                record.id = None if key is None else int(key[0])
        except IntegrityError:
            self._heads.pop(run_id, None)
            raise
        self._heads[run_id] = (seq + 1, record.hash)
        return record

    def _last(self, run_id: str) -> AuditRecord | None:
        with Session(self.engine) as session:
            return session.exec(
                select(AuditRecord).where(AuditRecord.run_id == run_id).order_by(col(AuditRecord.seq).desc()).limit(1)
            ).first()

    async def append_async(self, run_id: str, kind: str, payload: dict[str, Any]) -> AuditRecord:
        """`append` in a worker thread."""
        return await asyncio.to_thread(self.append, run_id, kind, payload)

    def records(self, run_id: str) -> list[AuditRecord]:
        """The run's records in chain order (by `seq`)."""
        with Session(self.engine) as session:
            rows = session.exec(select(AuditRecord).where(AuditRecord.run_id == run_id).order_by(col(AuditRecord.seq)))
            return list(rows)

    def tip(self, run_id: str) -> tuple[int, str | None]:
        """(number of records, hash of the last one or `None`) of the run's chain.

        No query is made when this log wrote the run's latest records itself.
        """
        seq, last = self._tip(run_id)
        return seq, None if seq == 0 else last

    def head(self, run_id: str) -> str | None:
        """The hash of the run's last record (keep it elsewhere to detect truncation), or `None`."""
        with Session(self.engine) as session:
            last = session.exec(
                select(AuditRecord).where(AuditRecord.run_id == run_id).order_by(col(AuditRecord.seq).desc()).limit(1)
            ).first()
            return None if last is None else last.hash

    def count(self, run_id: str) -> int:
        with Session(self.engine) as session:
            return session.exec(select(func.count()).select_from(AuditRecord).where(AuditRecord.run_id == run_id)).one()

    def verify(
        self, run_id: str, *, expected_head: str | None = None, expected_records: int | None = None
    ) -> VerifyReport:
        """Re-walk the run's chain.

        Detects: a record whose content no longer matches its hash (edited), a gap in `seq` or a `prev_hash` that is
        not the previous record's hash (deleted/inserted), rows whose storage order disagrees with `seq`
        (reordered), and, when given, a head hash or record count that differs (truncated).
        """
        rows = self.records(run_id)
        report = _walk(rows)
        if not report.ok:
            return report
        if expected_records is not None and len(rows) != expected_records:
            return VerifyReport(
                ok=False,
                records=len(rows),
                first_broken=len(rows),
                reason=f'{len(rows)} records, expected {expected_records} (records removed from the end?)',
            )
        if expected_head is not None and (rows[-1].hash if rows else None) != expected_head:
            return VerifyReport(
                ok=False,
                records=len(rows),
                first_broken=len(rows),
                reason='last record hash differs from the expected head (records removed or replaced at the end?)',
            )
        return report


def _walk(rows: list[AuditRecord]) -> VerifyReport:
    prev = GENESIS_HASH
    prev_id = -1
    for position, row in enumerate(rows):
        problem = None
        if row.seq != position:
            problem = f'expected seq {position}, found {row.seq} (a record was deleted or inserted)'
        elif row.hash != row.compute_hash():
            moved = _original_seq(row, len(rows))
            problem = (
                f'record seq {row.seq} was written as seq {moved} (reordered)'
                if moved is not None
                else f'record seq {row.seq} does not match its hash (edited)'
            )
        elif row.prev_hash != prev:
            problem = f'record seq {row.seq} does not chain to the previous record (deleted, inserted or reordered)'
        elif row.id is not None and row.id <= prev_id:
            problem = f'record seq {row.seq} was stored before record seq {row.seq - 1} (reordered)'
        else:
            try:
                json.loads(row.payload)
            except ValueError:
                problem = f'record seq {row.seq} payload is not JSON'
        if problem:
            return VerifyReport(ok=False, records=len(rows), first_broken=position, reason=problem)
        prev = row.hash
        prev_id = row.id if row.id is not None else prev_id
    return VerifyReport(ok=True, records=len(rows))


def _original_seq(row: AuditRecord, count: int) -> int | None:
    """The seq this row's hash was computed with, when only its seq was changed (a reordering), else `None`."""
    for seq in range(count):
        if seq != row.seq and record_hash(row.prev_hash, row.run_id, seq, row.ts, row.kind, row.payload) == row.hash:
            return seq
    return None

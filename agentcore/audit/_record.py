"""The `audit_log` table: one hash-chained row per audited event of a run."""

# No `from __future__ import annotations`: SQLModel reads the field annotations at class creation.

import hashlib

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from agentcore.policy import canonical_json

#: `prev_hash` of the first record of a run.
GENESIS_HASH = '0' * 64
#: The table name (shares `SQLModel.metadata` with the run store).
AUDIT_TABLE = 'audit_log'


class AuditRecord(SQLModel, table=True):
    """One audit event.

    `hash = sha256(prev_hash + canonical_json({run_id, seq, ts, kind, payload}))`, where `payload` is the stored
    canonical JSON text; `prev_hash` is the previous record's hash in the same run (`GENESIS_HASH` for seq 0).
    """

    __tablename__ = AUDIT_TABLE
    __table_args__ = (UniqueConstraint('run_id', 'seq', name='uq_audit_log_run_seq'),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: str  # looked up through the (run_id, seq) unique index: a second index would only slow appends
    seq: int
    ts: str
    kind: str
    payload: str
    prev_hash: str
    hash: str

    def compute_hash(self) -> str:
        """The hash this record should carry given its fields (compare with `hash` to detect edits)."""
        return record_hash(self.prev_hash, self.run_id, self.seq, self.ts, self.kind, self.payload)


def record_hash(prev_hash: str, run_id: str, seq: int, ts: str, kind: str, payload: str) -> str:
    """`sha256(prev_hash + canonical_json({...}))` as hex."""
    body = canonical_json({'run_id': run_id, 'seq': seq, 'ts': ts, 'kind': kind, 'payload': payload})
    return hashlib.sha256((prev_hash + body).encode('ascii')).hexdigest()

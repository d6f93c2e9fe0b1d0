"""Audit log: an append-only, hash-chained record of policy decisions, approvals, tool runs and memory writes.

Imports SQLModel: load it only where the run store is used.
"""

from __future__ import annotations

from ._log import AUDIT_KINDS, AuditLog, VerifyReport
from ._record import GENESIS_HASH, AuditRecord, record_hash

__all__ = ['AUDIT_KINDS', 'GENESIS_HASH', 'AuditLog', 'AuditRecord', 'VerifyReport', 'record_hash']

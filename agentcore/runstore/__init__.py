"""The run store: runs, steps, tool calls (the effect ledger), policy decisions and usage, via sqlmodel."""

from __future__ import annotations

from ._blobs import WorkspaceBlobs
from ._store import RunNotFoundError, RunStore, sqlite_url
from ._tables import PolicyDecisionRecord, RunRecord, StepRecord, ToolCallRecord, UsageRecord

__all__ = [
    'PolicyDecisionRecord',
    'RunNotFoundError',
    'RunRecord',
    'RunStore',
    'StepRecord',
    'ToolCallRecord',
    'UsageRecord',
    'WorkspaceBlobs',
    'sqlite_url',
]

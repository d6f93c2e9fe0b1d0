"""SQLModel tables of the run store: runs, events, the effect ledger, policy decisions, usage, workspace blobs."""

from __future__ import annotations

from sqlalchemy import LargeBinary
from sqlmodel import Column, Field, SQLModel


class RunRecord(SQLModel, table=True):
    """One run. `cost_usd` counts only when `cost_known` is not false (see `cost`)."""

    __tablename__ = 'runs'

    run_id: str = Field(primary_key=True)
    task: str
    model: str = ''
    status: str = 'running'
    output: str | None = None
    stop_reason: str | None = None
    steps: int = 0
    tool_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    #: False when a model turn's cost was unknown (no price for the model): the run's cost is unknown, whatever
    #: `cost_usd` holds. `None` in rows written before agentcore recorded it.
    cost_known: bool | None = None
    created_at: str
    updated_at: str
    config_json: str = '{}'
    #: Hash and length of the run's audit chain when it last stopped: lets `verify` notice rows cut from the end.
    audit_head: str | None = None
    audit_records: int | None = None
    #: The process that drives the run now (`host`, `pid`, and `pid_start`: the process's start, so a reused pid
    #: is not taken for it): a `running` run whose process is gone is marked `interrupted` at the next start.
    owner_host: str | None = None
    owner_pid: int | None = None
    owner_pid_start: str | None = None

    @property
    def cost(self) -> float | None:
        """The run's cost in USD, or `None` when it is unknown."""
        return None if self.cost_known is False else self.cost_usd


class StepRecord(SQLModel, table=True):
    """One run event, in order."""

    __tablename__ = 'steps'

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(index=True)
    seq: int
    type: str
    ts: str
    data_json: str


class ToolCallRecord(SQLModel, table=True):
    """One tool call: the effect ledger, keyed by (run id, tool-call id)."""

    __tablename__ = 'tool_calls'

    run_id: str = Field(primary_key=True)
    call_id: str = Field(primary_key=True)
    tool: str
    arguments_json: str
    side_effects: str = 'none'
    status: str = 'started'  # started | completed
    content: str | None = None
    is_error: bool = False
    full_output: str | None = None
    data_json: str | None = None
    started_at: str
    finished_at: str | None = None
    #: The last few KB of output the call streamed while it ran (kept as it runs, throttled): what a resumed run can
    #: tell about a call that a crash cut off.
    output_tail: str | None = None
    #: The workspace snapshot (manifest digest, `agentcore._workspace`) taken after the call, before it was marked
    #: completed: what a resume restores. `None` for calls that cannot change the sandbox.
    workspace: str | None = None


class PolicyDecisionRecord(SQLModel, table=True):
    __tablename__ = 'policy_decisions'

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(index=True)
    call_id: str
    tool: str
    action: str
    rule: str
    reason: str
    ts: str


class UsageRecord(SQLModel, table=True):
    """One model turn's tokens and cost. `cost_usd` counts only when `cost_known` is not false (see `cost`)."""

    __tablename__ = 'usage'

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(index=True)
    step: int
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    #: False when the turn's cost was unknown; `None` in rows written before agentcore recorded it.
    cost_known: bool | None = None
    ts: str

    @property
    def cost(self) -> float | None:
        """The turn's cost in USD, or `None` when it is unknown."""
        return None if self.cost_known is False else self.cost_usd


class WorkspaceBlobRecord(SQLModel, table=True):
    """One content-addressed piece of a workspace snapshot: a file's bytes, or a snapshot's manifest (JSON)."""

    __tablename__ = 'workspace_blobs'

    sha: str = Field(primary_key=True)  # `sha256:<hex>` of `data`
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))

"""Typed, serialisable run events: what `Agent.astream` yields and what the run store and the TUI consume.

Every event is a pydantic model with a literal `type` discriminator, so `parse_event(event.model_dump())` gives the
same event back (events travel through LangGraph's custom stream as plain dicts).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, TypeAdapter

from ._cost import Costed
from ._messages import Usage
from ._provenance import ArgumentProvenance


class _Event(BaseModel):
    run_id: str


class RunStarted(_Event):
    type: Literal['run_started'] = 'run_started'
    task: str
    model: str
    #: The policy the run is under: a file path, `<default>` (`Policy.default_policy()`), `<allow_all>`, `<dict>`.
    policy: str = ''


class ModelTurnStarted(_Event):
    type: Literal['model_turn_started'] = 'model_turn_started'
    step: int


class ModelTokenDelta(_Event):
    """A piece of a model turn's text as it streams in (only to `astream` listeners; the run store keeps the turn)."""

    type: Literal['model_token_delta'] = 'model_token_delta'
    step: int
    text: str


class ModelTurnFinished(_Event, Costed):
    """A model turn's answer and usage; `cost_usd` is `None` (and `cost_known` false) when its cost is unknown."""

    type: Literal['model_turn_finished'] = 'model_turn_finished'
    step: int
    content: str
    tool_calls: list[dict[str, Any]] = Field(default_factory=list)
    #: `length` (cut off at `max_tokens`) and `content_filter` mean the turn is incomplete.
    finish_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)


class TurnRejected(_Event):
    """A malformed model turn, reported back to the model instead of crashing the run."""

    type: Literal['turn_rejected'] = 'turn_rejected'
    step: int
    reason: str


class PolicyDecided(_Event):
    type: Literal['policy_decision'] = 'policy_decision'
    call_id: str
    tool: str
    action: Literal['allow', 'deny', 'ask']
    rule: str
    reason: str
    #: Where each argument value was found in the context (see `agentcore.policy.ArgumentProvenance`).
    provenance: list[ArgumentProvenance] = Field(default_factory=list)
    #: The untrusted sources in the context when the call was decided (empty: only trusted content).
    untrusted_sources: list[str] = Field(default_factory=list)


class ApprovalRequested(_Event):
    type: Literal['approval_requested'] = 'approval_requested'
    call_id: str
    tool: str
    arguments: dict[str, Any]
    args_hash: str
    reason: str
    provenance: list[ArgumentProvenance] = Field(default_factory=list)


class ApprovalResolved(_Event):
    type: Literal['approval_resolved'] = 'approval_resolved'
    call_id: str
    tool: str
    decision: str
    detail: str = ''


class ToolCallStarted(_Event):
    type: Literal['tool_call_started'] = 'tool_call_started'
    call_id: str
    tool: str
    arguments: dict[str, Any]


class ToolOutputDelta(_Event):
    """A piece of a running tool's output, as it arrives (streamed live; not stored: the full output is)."""

    type: Literal['tool_output_delta'] = 'tool_output_delta'
    call_id: str
    tool: str
    stream: Literal['stdout', 'stderr'] = 'stdout'
    text: str


class ToolCallFinished(_Event):
    type: Literal['tool_call_finished'] = 'tool_call_finished'
    call_id: str
    tool: str
    content: str
    is_error: bool = False
    reused: bool = False
    duration_s: float = 0.0


class GuardrailFlagged(_Event):
    type: Literal['guardrail_flagged'] = 'guardrail_flagged'
    stage: str
    guardrail: str
    action: str
    findings: list[str] = Field(default_factory=list)


class MemoryRecalled(_Event):
    type: Literal['memory_recalled'] = 'memory_recalled'
    query: str
    backend: str
    episodes: list[dict[str, Any]] = Field(default_factory=list)
    error: str | None = None


class MemorySaved(_Event):
    type: Literal['memory_saved'] = 'memory_saved'
    backend: str
    episode_id: str | None = None
    error: str | None = None


class WorkspaceRestored(_Event):
    """A resumed (or forked) run's workspace, put back as its completed steps left it.

    `changed` is false when the sandbox already held those files. `error` set: it could not be restored (the run
    did not continue). `skipped`: files the snapshot could not hold (symlinks, special or oversized files).
    """

    type: Literal['workspace_restored'] = 'workspace_restored'
    snapshot: str | None = None
    files: int = 0
    changed: bool = False
    skipped: list[str] = Field(default_factory=list)
    error: str | None = None


class OutputValidated(_Event):
    """Structured output accepted: the model's final answer matched the agent's `output_type`.

    `output` is the validated output as JSON data; `retries` how many invalid answers came before it.
    """

    type: Literal['output_validated'] = 'output_validated'
    step: int
    output: Any
    retries: int = 0


class ContextTrimmed(_Event):
    """A model turn was sent less than the run's whole history (`agentcore.ContextPolicy`); the state keeps it all.

    `notes`: what each strategy left out and why. `tokens`: the history's count; `sent_tokens`: the request's.
    """

    type: Literal['context_trimmed'] = 'context_trimmed'
    step: int
    budget: int
    tokens: int
    sent_tokens: int
    notes: list[str] = Field(default_factory=list)
    stubbed: list[str] = Field(default_factory=list)


class RunFinished(_Event, Costed):
    """How a run ended; `cost_usd` is `None` (and `cost_known` false) when any turn's cost was unknown."""

    type: Literal['run_finished'] = 'run_finished'
    status: str
    output: str | None = None
    stop_reason: str | None = None
    steps: int = 0
    usage: Usage = Field(default_factory=Usage)


RunEvent = Annotated[
    RunStarted
    | ModelTurnStarted
    | ModelTokenDelta
    | ModelTurnFinished
    | TurnRejected
    | PolicyDecided
    | ApprovalRequested
    | ApprovalResolved
    | ToolCallStarted
    | ToolOutputDelta
    | ToolCallFinished
    | GuardrailFlagged
    | MemoryRecalled
    | MemorySaved
    | WorkspaceRestored
    | ContextTrimmed
    | OutputValidated
    | RunFinished,
    Field(discriminator='type'),
]

_adapter: TypeAdapter[RunEvent] = TypeAdapter(RunEvent)


def parse_event(data: dict[str, Any]) -> RunEvent:
    """Rebuild an event from its `model_dump()`.

    Raises:
        pydantic.ValidationError: `data` is not a known event.
    """
    return _adapter.validate_python(data)

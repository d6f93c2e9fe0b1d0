"""The graph state. Plain JSON-shaped dicts only, so checkpoints pass strict msgpack deserialization."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from ._messages import Usage

RunStatus = Literal[
    'running', 'completed', 'stopped_by_budget', 'stopped_by_loop', 'denied', 'awaiting_approval', 'failed'
]

#: What the graph decided about one tool call of the current model turn.
CallAction = Literal['allow', 'deny', 'ask', 'approved', 'rejected', 'error']


class PendingCall(TypedDict):
    """One tool call of the current model turn, on its way through policy, approval and execution.

    `provenance` (set by `policy_check`): `ArgumentProvenance` dicts, one per argument value.
    """

    id: str
    name: str
    arguments: dict[str, Any]
    side_effects: str
    source: str
    action: CallAction
    rule: str
    reason: str
    provenance: NotRequired[list[dict[str, Any]]]


class AgentState(TypedDict, total=False):
    """State of one run. `messages` only grows (each node returns the messages it adds)."""

    run_id: str
    task: str
    namespace: str
    messages: Annotated[list[dict[str, Any]], operator.add]
    pending: list[PendingCall]
    status: RunStatus
    stop_reason: str | None
    output: str | None
    steps: int
    tool_calls: int
    input_tokens: int
    output_tokens: int
    #: Of `input_tokens`: those read from the provider's prompt cache, and those written to it (absent: 0).
    cached_input_tokens: int
    cache_write_tokens: int
    #: The cost of the model turns so far; `None` once a turn's cost is unknown (no price for the model).
    cost_usd: float | None
    started_at: float
    #: Failures of repeated tool calls (`agentcore._loops`): `'tool:args_hash'` -> times it failed.
    loops: dict[str, int]
    #: The last model turn's `finish_reason` (`length`: cut off at `max_tokens`).
    finish_reason: str | None
    #: Why the run failed, when a model error ended it: `{'type', 'message', 'hint', 'usage_error'}`.
    error: dict[str, Any] | None
    #: The workspace snapshot after the last step that ran tools (`agentcore._workspace`): what a resume or a fork
    #: from this checkpoint restores.
    workspace: str | None
    #: The secrets the run has seen, as salted digests (`agentcore._egress.EgressRecord.to_state`); never a value.
    egress: dict[str, Any]
    #: With an `output_type`: how many of the model's answers so far were invalid or missing structured output
    #: (`output` then holds the validated output as JSON text).
    output_retries: int


#: The state keys that hold a run's token counts, as `Usage` names them.
USAGE_KEYS = ('input_tokens', 'output_tokens', 'cached_input_tokens', 'cache_write_tokens')


def run_usage(values: Mapping[str, Any]) -> Usage:
    """The token usage a run's state has accumulated (a key an older checkpoint lacks counts 0)."""
    return Usage(**{key: int(values.get(key) or 0) for key in USAGE_KEYS})


def added_usage(values: Mapping[str, Any], usage: Usage) -> dict[str, int]:
    """The state's token counts with one more turn's `usage` added."""
    total = run_usage(values) + usage
    return {key: getattr(total, key) for key in USAGE_KEYS}

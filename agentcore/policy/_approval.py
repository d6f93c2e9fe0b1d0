"""Human approval of tool calls: requests, decisions (plain-dict serialisable), the `Approver` seam and helpers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from agentcore._errors import AgentcoreError
from agentcore._provenance import ArgumentProvenance

from ._canonical import args_hash
from ._policy import Policy, PolicyDecision


class ApprovalRequest(BaseModel):
    """A tool call waiting for a human. Bound to the exact `(tool_name, args_hash)` it was raised for.

    `may_have_taken_effect`: the call already ran once, before a crash cut it off (rule `interrupted_external`), so
    approving may repeat its effect; `started_at` and `output_seen` (the last output it streamed, possibly empty)
    are what is known of that first attempt.

    `provenance`: where each argument value was found in the run's context (the user, the system prompt, the
    policy; or only in untrusted content: which tool output, file, MCP result or memory, and whether that content
    told the agent to use it); `untrusted_sources`: the untrusted content in the context when the call was made.
    """

    model_config = ConfigDict(frozen=True)

    call_id: str
    tool_name: str
    arguments: dict[str, Any]
    args_hash: str
    rule: str
    reason: str
    may_have_taken_effect: bool = False
    started_at: str | None = None
    output_seen: str = ''
    provenance: tuple[ArgumentProvenance, ...] = ()
    untrusted_sources: tuple[str, ...] = ()

    def provenance_lines(self) -> list[str]:
        """One line per argument value taken from untrusted content, for the person deciding (empty: none)."""
        return [p.describe() for p in self.provenance if p.trust == 'untrusted']

    @classmethod
    def for_call(
        cls, call_id: str, tool_name: str, arguments: dict[str, Any], decision: PolicyDecision
    ) -> ApprovalRequest:
        """A request for one call the policy answered `ask` (or any decision) for, with its hash computed."""
        return cls(
            call_id=call_id,
            tool_name=tool_name,
            arguments=arguments,
            args_hash=args_hash(tool_name, arguments),
            rule=decision.rule,
            reason=decision.reason,
        )

    def matches(self, tool_name: str, arguments: dict[str, Any]) -> bool:
        """Whether `(tool_name, arguments)` is exactly the call this request (and so its approval) is for."""
        return tool_name == self.tool_name and args_hash(tool_name, arguments) == self.args_hash


class _Decision(BaseModel):
    """Optional binding: a decision carrying `call_id`/`args_hash` only applies to the request with those values."""

    model_config = ConfigDict(frozen=True, extra='forbid')
    call_id: str | None = None
    args_hash: str | None = None


class Approve(_Decision):
    """Run the call as requested."""

    kind: Literal['approve'] = 'approve'


class Edit(_Decision):
    """Run the call with these arguments instead (the policy re-checks them: see `check_edit`)."""

    kind: Literal['edit'] = 'edit'
    arguments: dict[str, Any]


class Reject(_Decision):
    """Do not run the call; the model is told `reason` and the run continues."""

    kind: Literal['reject'] = 'reject'
    reason: str = 'rejected by the user'


class Abort(_Decision):
    """Do not run the call and stop the whole run."""

    kind: Literal['abort'] = 'abort'
    reason: str = 'aborted by the user'


ApprovalDecision = Annotated[Approve | Edit | Reject | Abort, Field(discriminator='kind')]
_DECISION: TypeAdapter[ApprovalDecision] = TypeAdapter(ApprovalDecision)


class ApprovalError(AgentcoreError, ValueError):
    """A decision that cannot be used: malformed, or for another request."""

    usage_error = True


@runtime_checkable
class Approver(Protocol):
    """Whoever decides on calls the policy answered `ask` for (a terminal, a web UI, a test script)."""

    async def decide(self, request: ApprovalRequest) -> ApprovalDecision:
        """Decide on one request. Must not raise for a normal refusal: return `Reject` or `Abort`."""
        ...


def decision_to_dict(decision: ApprovalDecision) -> dict[str, Any]:
    """A decision as plain JSON-compatible data, e.g. `{'kind': 'reject', 'reason': '...'}` (unset bindings left out)."""
    return decision.model_dump(mode='json', exclude_none=True)


def parse_decision(data: ApprovalDecision | Mapping[str, Any]) -> ApprovalDecision:
    """A decision from plain data (as it comes back through a LangGraph interrupt) or a decision object.

    Raises:
        ApprovalError: not a decision (unknown `kind`, missing or extra fields).
    """
    if isinstance(data, Approve | Edit | Reject | Abort):
        return data
    try:
        return _DECISION.validate_python(dict(data) if isinstance(data, Mapping) else data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = '.'.join(str(p) for p in err['loc']) or 'decision'
        raise ApprovalError(
            f'invalid approval decision at {where}: {err["msg"]}',
            hint="send {'kind': 'approve'|'edit'|'reject'|'abort', ...}",
        ) from None


def validate_decision(request: ApprovalRequest, decision: ApprovalDecision | Mapping[str, Any]) -> ApprovalDecision:
    """Parse `decision` and check it can apply to `request`.

    Raises:
        ApprovalError: malformed decision; a decision bound to another call (`call_id`/`args_hash` differ); the
            request's `args_hash` does not match its own arguments (tampered state); or an `Edit` whose arguments are
            not JSON-representable.
    """
    parsed = parse_decision(decision)
    if not request.matches(request.tool_name, request.arguments):
        raise ApprovalError(f'approval request {request.call_id} does not match its arguments (args_hash differs)')
    if parsed.call_id not in (None, request.call_id) or parsed.args_hash not in (None, request.args_hash):
        raise ApprovalError(
            f'the {parsed.kind} decision was given for another call than {request.call_id} ({request.tool_name})',
            hint='decide on the pending request again',
        )
    if isinstance(parsed, Edit):
        try:
            args_hash(request.tool_name, parsed.arguments)
        except ValueError as exc:
            raise ApprovalError(f'edited arguments for {request.call_id}: {exc}') from None
    return parsed


def check_edit(
    policy: Policy, request: ApprovalRequest, edit: Edit, *, side_effects: str = 'none', source: str = 'python'
) -> PolicyDecision:
    """Re-check edited arguments against the policy.

    A human already approved the edited call, so `ask` counts as approved, and the values they wrote are trusted;
    only a `deny` stands (returned as is). The result's action is therefore `allow` or `deny`.
    """
    from agentcore._taint import from_approver

    decision = policy.evaluate(request.tool_name, edit.arguments, side_effects=side_effects, source=source,
                               provenance=from_approver(edit.arguments))
    if decision.action == 'deny':
        return decision
    return PolicyDecision(
        action='allow', rule=decision.rule, reason=f'edited arguments approved for {request.call_id} ({decision.rule})'
    )

"""The policy file format as pydantic models (types and unknown keys only; meaning is checked in `_compile`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Action = Literal['allow', 'deny', 'ask']
DefaultAction = Literal['auto', 'allow', 'deny', 'ask']

_STRICT = ConfigDict(extra='forbid', strict=True, frozen=True)


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


#: A string or a list of strings; a single string is read as a one-item list.
StrList = Annotated[list[str], BeforeValidator(_one_or_many)]


class ArgConstraint(BaseModel):
    """Constraints on one argument of a tool call. All that are set must hold.

    Attributes:
        prefix: the argument is a path (or a list of paths) that must lie under one of these prefixes after
            normalisation (`..` resolved lexically, so it cannot climb out).
        cwd: absolute directory relative paths are resolved against; without it a relative path only matches
            relative prefixes (`.` matches any relative path that does not climb out).
        regex: the argument is a string the regex must match in full.
        min: the argument is a number not below this.
        max: the argument is a number not above this.
        domains: the argument is a URL whose host equals one of these domains or is a subdomain of one.
        trusted: when true, no part of the argument may come only from untrusted content (tool output, files, web
            pages, MCP results, recalled memory): its value must be traced to the user, the system prompt or the
            policy, or be the model's own (`agentcore.policy.ArgumentProvenance`).
        optional: when true, a missing argument passes; by default a missing argument fails the constraint.
    """

    model_config = _STRICT

    prefix: StrList | None = None
    cwd: str | None = None
    regex: str | None = None
    min: float | None = None
    max: float | None = None
    domains: StrList | None = None
    trusted: bool | None = None
    optional: bool = False


class RuleSpec(BaseModel):
    """One rule: which tools (globs on the name), what to do, and argument constraints."""

    model_config = _STRICT

    tool: StrList
    action: Action
    when: dict[str, ArgConstraint] = Field(default_factory=dict)
    reason: str | None = None
    #: What happens to the calls this rule allows or asks for once untrusted content is in the context, instead of
    #: the run-wide `untrusted_content` setting for their kind (`external` or `memory_write`).
    untrusted_content: Action | None = None


class BudgetSpec(BaseModel):
    """Run budget; maps onto `agentcore._budget.Budget` (unset fields keep `Budget`'s defaults)."""

    model_config = _STRICT

    max_steps: int | None = Field(default=None, ge=1)
    max_tool_calls: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=1)
    max_usd: float | None = Field(default=None, ge=0)
    max_seconds: float | None = Field(default=None, gt=0)
    loop_limit: int | None = Field(default=None, ge=1)


class NetworkSpec(BaseModel):
    """Network settings. `allowed_domains`: origins network tools may reach; unset = none.

    Entries: `example.com` (http and https on ports 80/443 only, subdomains included), `host:8080` / `host:*`
    (that port / any port), `https://host[:port]` (that scheme only), `'*'` (any host, default ports).
    """

    model_config = _STRICT

    allowed_domains: StrList | None = None


class SandboxSpec(BaseModel):
    """Sandbox settings, enforced by the kernel inside the container (not by checking tool arguments).

    `writable`: the only workspace folders (relative, e.g. `src/`, `out`) that any process in the sandbox may
    write; the rest of the workspace is read-only (`SandboxConfig.writable_paths`). Unset: all of it is writable.
    """

    model_config = _STRICT

    writable: StrList | None = None


class UntrustedContentSpec(BaseModel):
    """What happens to calls once untrusted content is in the run's context (tool output, files, MCP, memory).

    Each is `allow`, `ask` or `deny`; a stricter decision of a rule always stands.

    Attributes:
        external: calls of tools with `external` side effects (sending, posting, paying, calling other services).
        memory_write: writes to long-term memory (`memory_save`, and the end-of-run episode: on `deny` it is not
            saved; otherwise it is saved marked untrusted).
        instructed: calls (with external side effects, or memory writes) carrying a value that the untrusted
            content instructs the agent to use (the injection detector reports findings around it).
    """

    model_config = _STRICT

    external: Action = 'ask'
    memory_write: Action = 'ask'
    instructed: Action = 'deny'


class PolicySpec(BaseModel):
    """A whole policy file."""

    model_config = _STRICT

    version: Literal[1] = 1
    default: DefaultAction = 'auto'
    #: What a resumed run does with a call that has external side effects, started before a crash and never
    #: finished (it may or may not have taken effect): ask a human, skip it (the model is told), or retry it.
    interrupted_external: Literal['ask', 'skip', 'retry'] = 'ask'
    budget: BudgetSpec | None = None
    network: NetworkSpec | None = None
    sandbox: SandboxSpec | None = None
    untrusted_content: UntrustedContentSpec = Field(default_factory=UntrustedContentSpec)
    rules: list[RuleSpec] = Field(default_factory=list)

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
        optional: when true, a missing argument passes; by default a missing argument fails the constraint.
    """

    model_config = _STRICT

    prefix: StrList | None = None
    cwd: str | None = None
    regex: str | None = None
    min: float | None = None
    max: float | None = None
    domains: StrList | None = None
    optional: bool = False


class RuleSpec(BaseModel):
    """One rule: which tools (globs on the name), what to do, and argument constraints."""

    model_config = _STRICT

    tool: StrList
    action: Action
    when: dict[str, ArgConstraint] = Field(default_factory=dict)
    reason: str | None = None


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
    rules: list[RuleSpec] = Field(default_factory=list)

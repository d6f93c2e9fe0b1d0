"""The `Guardrail` seam: checks text entering or leaving the agent and may block or modify it."""

from __future__ import annotations

import asyncio
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from agentcore._errors import AgentcoreError

#: Where the text comes from: the user's input, a tool's output (or recalled memory: also untrusted data), or the
#: model's final output.
Stage = Literal['input', 'tool_output', 'output']
GuardrailAction = Literal['allow', 'block', 'modify']
ALL_STAGES: tuple[Stage, ...] = ('input', 'tool_output', 'output')
TOOL_OUTPUT_ONLY: tuple[Stage, ...] = ('tool_output',)


class Finding(BaseModel):
    """One thing a guardrail noticed.

    Attributes:
        kind: what it is, e.g. `override`, `role_marker`, `openai_key`, `email`.
        detail: a short description that never contains the secret itself.
        span: `(start, end)` character offsets in the text the guardrail was given, or `None`.
        guardrail: the name of the guardrail that found it.
    """

    model_config = ConfigDict(frozen=True)

    kind: str
    detail: str
    span: tuple[int, int] | None = None
    guardrail: str = ''


class GuardrailResult(BaseModel):
    """The outcome of one check.

    Attributes:
        action: `allow` (text unchanged), `modify` (use `text` instead) or `block` (do not pass the text on).
        text: the text to pass on (the input when allowed).
        findings: what was found; may be non-empty even when allowed (report-only).
    """

    model_config = ConfigDict(frozen=True)

    action: GuardrailAction
    text: str
    findings: list[Finding] = Field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.findings)


@runtime_checkable
class Guardrail(Protocol):
    """A check on text at one of the stages. Implementations must be safe to call concurrently."""

    @property
    def name(self) -> str:
        """A short stable identifier used in findings and logs."""
        ...

    async def check(self, text: str, *, stage: Stage) -> GuardrailResult:
        """Check `text` seen at `stage`.

        Raises:
            GuardrailError: the check itself could not run (only guardrails that call out, e.g. `LLMJudge`).
        """
        ...


class GuardrailError(AgentcoreError):
    """A guardrail could not run its check (misconfiguration, an unreachable judge model)."""


def check_sync(guardrail: Guardrail, text: str, *, stage: Stage) -> GuardrailResult:
    """Run `guardrail.check` from synchronous code (not from inside a running event loop)."""
    return asyncio.run(guardrail.check(text, stage=stage))

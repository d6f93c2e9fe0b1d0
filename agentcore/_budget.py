"""Run budgets: hard limits the agent graph enforces between steps."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

BudgetKind = Literal['steps', 'tool_calls', 'tokens', 'usd', 'wall_clock']


class Budget(BaseModel):
    """Limits for one run. `None` means unlimited.

    Attributes:
        max_steps: model turns.
        max_tool_calls: tool calls executed (a call that would exceed it is not run).
        max_tokens: input plus output tokens over all model turns.
        max_usd: model cost in US dollars as reported by the model layer. A run on a model with no known price is
            refused at its start (`ConfigError`); one whose cost becomes unknown stops before its next turn.
        max_seconds: wall-clock time since the run started (resumes count the time spent paused too).
        loop_limit: how many times the same failing tool call (same tool, same canonical arguments; a tool error,
            or a call denied or rejected) may repeat before the model is told it is stuck; one more repeat after
            that stops the run with status `stopped_by_loop`. A call that succeeds clears its count, and one with
            side effects that succeeds clears every count (the world changed, a retry may now work).
    """

    model_config = ConfigDict(frozen=True, extra='forbid')

    max_steps: int | None = Field(default=50, ge=1)
    max_tool_calls: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=1)
    max_usd: float | None = Field(default=None, ge=0)
    max_seconds: float | None = Field(default=None, gt=0)
    loop_limit: int | None = Field(default=3, ge=1)

    def exceeded(
        self, *, steps: int, tool_calls: int, tokens: int, usd: float | None, elapsed_s: float
    ) -> tuple[BudgetKind, str] | None:
        """The first limit already reached before another model turn, as `(kind, explanation)`, or `None`.

        An unknown cost (`usd=None`: a turn of a model with no known price) reaches `max_usd`: it cannot be kept.
        """
        if self.max_steps is not None and steps >= self.max_steps:
            return 'steps', f'max_steps={self.max_steps} reached'
        if self.max_tokens is not None and tokens >= self.max_tokens:
            return 'tokens', f'max_tokens={self.max_tokens} reached ({tokens} used)'
        if self.max_usd is not None and usd is None:
            return 'usd', f'max_usd={self.max_usd} cannot be kept: the cost of a model turn is unknown'
        if self.max_usd is not None and usd is not None and usd >= self.max_usd:
            return 'usd', f'max_usd={self.max_usd} reached (${usd:.6f} spent)'
        if self.max_seconds is not None and elapsed_s >= self.max_seconds:
            return 'wall_clock', f'max_seconds={self.max_seconds} reached ({elapsed_s:.1f}s elapsed)'
        if self.max_tool_calls is not None and tool_calls >= self.max_tool_calls + 1:
            return 'tool_calls', f'max_tool_calls={self.max_tool_calls} reached'
        return None

    def tool_calls_left(self, used: int) -> int | None:
        """How many more tool calls may run, or `None` when unlimited."""
        if self.max_tool_calls is None:
            return None
        return max(0, self.max_tool_calls - used)

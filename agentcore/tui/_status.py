"""`RunTally`: what the status bar shows of a run (tokens, cost, budget left, state), folded from its events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcore._cost import add_cost

if TYPE_CHECKING:
    from agentcore import Budget


class RunTally:
    """Running totals of one run, updated event by event. `cost_usd` is `None` once a turn's cost is unknown.

    Args:
        budget: the agent's `Budget`; `None` for no limits.
    """

    def __init__(self, budget: Budget | None = None) -> None:
        self.budget = budget
        self.reset()

    def reset(self) -> None:
        self.steps = 0
        self.tool_calls = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost_usd: float | None = 0.0
        self.state = 'idle'

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def add(self, ev: dict[str, Any]) -> None:
        """Fold one event (a `RunEvent.model_dump(mode='json')`) into the totals."""
        kind = ev.get('type')
        if kind == 'run_started':
            self.state = 'running'
        elif kind == 'model_turn_started':
            self.state = f'model turn {ev.get("step")}'
        elif kind == 'model_turn_finished':
            usage = ev.get('usage') or {}
            self.steps = max(self.steps, int(ev.get('step', 0)))
            self.input_tokens += int(usage.get('input_tokens', 0))
            self.output_tokens += int(usage.get('output_tokens', 0))
            self.cost_usd = add_cost(self.cost_usd, _cost(ev, 0.0))
            self.state = 'running'
        elif kind == 'approval_requested':
            self.state = f'awaiting approval of {ev.get("tool")}'
        elif kind == 'tool_call_started':
            self.state = f'running {ev.get("tool")}'
        elif kind == 'tool_call_finished':
            self.tool_calls += 0 if ev.get('reused') else 1
            self.state = 'running'
        elif kind == 'run_finished':
            usage = ev.get('usage') or {}
            if usage:  # the run's own totals win over what was folded (they include resumed parts)
                self.input_tokens = int(usage.get('input_tokens', self.input_tokens))
                self.output_tokens = int(usage.get('output_tokens', self.output_tokens))
            self.cost_usd = _cost(ev, self.cost_usd)
            self.steps = int(ev.get('steps', self.steps))
            self.state = str(ev.get('status'))

    def budget_left(self) -> str:
        """What is left of each limit the budget sets, e.g. `48 steps, 9970 tokens`; `unlimited` without limits."""
        b = self.budget
        if b is None:
            return 'unlimited'
        parts: list[str] = []
        if b.max_steps is not None:
            parts.append(f'{max(0, b.max_steps - self.steps)} steps')
        if b.max_tool_calls is not None:
            parts.append(f'{max(0, b.max_tool_calls - self.tool_calls)} calls')
        if b.max_tokens is not None:
            parts.append(f'{max(0, b.max_tokens - self.tokens)} tokens')
        if b.max_usd is not None:
            parts.append('cost unknown' if self.cost_usd is None else f'${max(0.0, b.max_usd - self.cost_usd):.4f}')
        return ', '.join(parts) if parts else 'unlimited'


def _cost(ev: dict[str, Any], default: float | None) -> float | None:
    """An event's `cost_usd`: `None` when it says the cost is unknown, `default` when it says nothing."""
    if 'cost_usd' not in ev:
        return default
    value = ev['cost_usd']
    return None if value is None or ev.get('cost_known') is False else float(value)

"""What the replay wrappers share while one scenario is replayed: the run being replayed and the divergences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._digest import canonical_json
from ._effects import EffectTracker
from ._report import Divergence, DivergenceKind
from ._schema import RecordedCall, RecordedError, RecordedValidation, Scenario, ScenarioRun


class ReplaySession:
    """The recording being replayed, the current run, and the divergences found so far."""

    def __init__(self, scenario: Scenario, *, on_divergence: Callable[[Divergence], None] | None = None) -> None:
        self.scenario = scenario
        self.divergences: list[Divergence] = []
        self.tracker = EffectTracker()
        self._on_divergence = on_divergence
        self.index = 0
        self._calls: dict[str, tuple[int, int, RecordedCall]] = {}
        self.begin(0)

    @property
    def run(self) -> ScenarioRun:
        return self.scenario.runs[self.index]

    def begin(self, index: int) -> None:
        """Make run `index` (0-based) the current one."""
        self.index = index
        self._calls = {c.id: (t, i, c) for t, turn in enumerate(self.run.turns) for i, c in enumerate(turn.calls)}

    def call(self, call_id: str) -> tuple[str, RecordedCall] | None:
        """The recorded call with this id in the current run, and its field path."""
        found = self._calls.get(call_id)
        if found is None:
            return None
        t, i, call = found
        return f'runs[{self.index}].turns[{t}].calls[{i}]', call

    def validation(self, tool: str, arguments: dict[str, Any]) -> RecordedValidation | None:
        key = canonical_json(arguments)
        return next((v for v in self.run.validations if v.tool == tool and canonical_json(v.arguments) == key), None)

    def diverge(self, kind: DivergenceKind, message: str, *, where: str = '', field: str = '', diff: str = '') -> None:
        d = Divergence(kind=kind, run=self.index + 1, where=where, field=field, message=message, diff=diff)
        self.divergences.append(d)
        if self._on_divergence is not None:
            self._on_divergence(d)

    def run_diverged(self) -> bool:
        """Whether the current run already has a divergence."""
        return any(d.run == self.index + 1 for d in self.divergences)


def rebuild_exception(error: RecordedError) -> Exception:
    """An exception that the agent graph reports to the model exactly as it reported the recorded one."""
    from agentcore.tools import ToolError

    if error.tool_error:
        cls = type(error.type, (ToolError,), {})
        return cls(error.message, hint=error.hint)  # type: ignore[no-any-return]
    plain: type[Exception] = type(error.type, (Exception,), {})
    return plain(error.message)

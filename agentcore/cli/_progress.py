"""A live status line on stderr while `agentcore run` works: what it does, and how long the model call has waited."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Self

from agentcore._sanitize import strip_control

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from agentcore import RunEvent


def describe(event: RunEvent, model: str) -> str | None:
    """The status line an event starts (`None`: the current line stays); terminal control sequences removed."""
    line = _describe(event, model)
    return None if line is None else strip_control(line)


def _describe(event: RunEvent, model: str) -> str | None:
    kind = event.type
    if kind == 'model_turn_started':
        return f'step {getattr(event, "step", "?")}: waiting for {model}'
    if kind == 'model_token_delta':
        return f'step {getattr(event, "step", "?")}: {model} is writing'
    if kind == 'tool_call_started':
        return f'running {getattr(event, "tool", "?")}'
    if kind == 'approval_requested':
        return f'waiting for your approval of {getattr(event, "tool", "?")}'
    return None


class RunProgress:
    """A transient spinner line with the time spent in the current phase; off unless stderr is a terminal.

    Use it as a context manager and pass `on_event` to `Agent.run`. The line is erased when the run ends.
    """

    def __init__(self, model: str, *, console: Console | None = None, enabled: bool | None = None) -> None:
        self.model = model
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self.current: str | None = None

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            console = self._console or Console(stderr=True)
            self._progress = Progress(SpinnerColumn(), TextColumn('{task.description}'), TimeElapsedColumn(),
                                      console=console, transient=True)
            self._progress.start()
        return self

    def on_event(self, event: RunEvent) -> None:
        """Start a new phase (with its own clock) when `event` begins one."""
        line = describe(event, self.model)
        if line is None or line == self.current:
            return
        self.current = line
        if self._progress is None:
            return
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(line, total=None)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()

    def __repr__(self) -> str:
        return f'RunProgress(model={self.model!r}, enabled={self.enabled})'

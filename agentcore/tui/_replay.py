"""The replay stepper: step forward and back through a recording; on a divergence, the diff side by side."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ._diff import as_lines, render_rows, unified_to_rows


@dataclass(frozen=True)
class StepDivergence:
    """One way the replay differed at a step: its kind, a one-line message and a unified diff (may be empty)."""

    kind: str
    message: str
    diff: str = ''


@dataclass(frozen=True)
class ReplayStep:
    """One step of a recording, and how the replay differed there.

    Attributes:
        title: a one-line label (`turn 2: calls add`, `run 1: outcome completed`, ...).
        recorded: what the recording holds for the step (JSON-able).
        divergences: what differed in the replay at this step (empty: it matched).
        fork_step: the step of a stored run to fork at from here (`Agent.fork(at_step=...)`: after this step's
            tools ran); `None`: the step cannot be forked (a scenario recording's steps).
    """

    title: str
    recorded: Any
    divergences: tuple[StepDivergence, ...] = ()
    fork_step: int | None = None

    @property
    def diverged(self) -> bool:
        return bool(self.divergences)


@dataclass(frozen=True)
class ReplayTrace:
    """Everything the stepper shows: the recording's name, its steps and the replay's verdict."""

    name: str
    steps: Sequence[ReplayStep]
    verdict: str = ''
    #: The replay's result: `passed`, `failed` or `error` ('' when the trace was not replayed).
    status: str = ''

    @property
    def exit_code(self) -> int:
        """As `agentcore replay`: 0 passed (or not replayed), 1 failed, 2 bad input."""
        return {'failed': 1, 'error': 2}.get(self.status, 0)

    @property
    def divergences(self) -> list[int]:
        return [i for i, s in enumerate(self.steps) if s.diverged]


class ReplayScreen(Screen[None]):
    """Steps through a `ReplayTrace`. Matching steps show the recorded data; diverged ones a side-by-side diff.

    Args:
        trace: what to step through.
        on_fork: called with the shown step's `fork_step` when the user forks there (`f`); without it (a
            scenario recording) the binding is absent. Errors it raises are its own to show.
    """

    DEFAULT_CSS = """
    ReplayScreen #title { text-style: bold; padding: 0 1; background: $boost; }
    ReplayScreen #body { height: 1fr; }
    ReplayScreen #steps { width: 45; height: 1fr; }
    ReplayScreen .side { width: 1fr; height: 1fr; border: round $primary-darken-2; overflow-x: auto; }
    ReplayScreen #replayed-side { display: none; }
    ReplayScreen.diverged #replayed-side { display: block; }
    ReplayScreen.diverged .side { border: round $error; }
    ReplayScreen #note { color: $error; padding: 0 1; height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding('right,n,space', 'next', 'Next step', priority=True),
        Binding('left,p', 'previous', 'Previous step', priority=True),
        Binding('home', 'first', 'First step', priority=True),
        Binding('end', 'last', 'Last step', priority=True),
        Binding('d', 'next_divergence', 'Next divergence'),
        Binding('D', 'previous_divergence', 'Previous divergence'),
        Binding('f', 'fork', 'Fork from this step'),
        Binding('f1', 'help', 'Help'),
        Binding('escape,q', 'quit', 'Quit'),
    ]

    def __init__(self, trace: ReplayTrace, *, on_fork: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.trace = trace
        self.index = 0
        self.on_fork = on_fork

    def compose(self) -> ComposeResult:
        yield Static('', id='title', markup=False)
        with Horizontal(id='body'):
            yield DataTable(id='steps', cursor_type='row', show_cursor=True)
            with VerticalScroll(id='recorded-side', classes='side'):
                yield Static('', id='recorded', markup=False)
            with VerticalScroll(id='replayed-side', classes='side'):
                yield Static('', id='replayed', markup=False)
        yield Static('', id='note', markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one('#steps', DataTable)
        table.can_focus = False
        table.add_columns('#', ' ', 'step')
        for i, step in enumerate(self.trace.steps):
            table.add_row(str(i + 1), '✗' if step.diverged else '✓', step.title[:38])
        self.query_one('#recorded-side').border_title = 'recorded'
        self.query_one('#replayed-side').border_title = 'replayed'
        self.show(0)

    @property
    def step(self) -> ReplayStep | None:
        return self.trace.steps[self.index] if self.trace.steps else None

    def show(self, index: int) -> None:
        """Show step `index` (clamped to the recording)."""
        total = len(self.trace.steps)
        self.index = max(0, min(index, total - 1)) if total else 0
        step = self.step
        diverged = self.trace.divergences
        head = f'Replay: {self.trace.name} · step {self.index + 1 if total else 0}/{total} · '
        head += f'{len(diverged)} divergence(s)' if diverged else 'no divergence'
        self.query_one('#title', Static).update(head + (f' · {self.trace.verdict}' if self.trace.verdict else ''))
        if step is None:
            self.query_one('#recorded', Static).update('(the recording has no steps)')
            return
        self.query_one('#steps', DataTable).move_cursor(row=self.index)
        self.set_class(step.diverged, 'diverged')
        if step.diverged:
            self._show_divergence(step)
        else:
            self.query_one('#recorded-side').border_title = 'recorded'
            self.query_one('#recorded', Static).update(Text('\n'.join(as_lines(step.recorded)), no_wrap=True))
            self.query_one('#replayed', Static).update('')
            self.query_one('#note', Static).update('')
        self.query_one('#recorded-side', VerticalScroll).scroll_home(animate=False)
        self.query_one('#replayed-side', VerticalScroll).scroll_home(animate=False)

    def _show_divergence(self, step: ReplayStep) -> None:
        left, right = Text(no_wrap=True), Text(no_wrap=True)
        names = ('recorded', 'replayed')
        for d in step.divergences:
            if d.diff:
                left_name, right_name, rows = unified_to_rows(d.diff)
                names = (left_name, right_name) if names == ('recorded', 'replayed') else names
                render_rows(rows, left, right)
            else:
                render_rows([(line, '', 'same') for line in as_lines(step.recorded)], left, right)
                right.append(f'(no diff) {d.message}\n', style='bold red')
        left.rstrip()
        right.rstrip()
        self.query_one('#recorded-side').border_title = names[0]
        self.query_one('#replayed-side').border_title = names[1]
        self.query_one('#recorded', Static).update(left)
        self.query_one('#replayed', Static).update(right)
        self.query_one('#note', Static).update('\n'.join(f'✗ {d.kind}: {d.message}' for d in step.divergences))

    def action_next(self) -> None:
        self.show(self.index + 1)

    def action_previous(self) -> None:
        self.show(self.index - 1)

    def action_first(self) -> None:
        self.show(0)

    def action_last(self) -> None:
        self.show(len(self.trace.steps) - 1)

    def action_next_divergence(self) -> None:
        later = [i for i in self.trace.divergences if i > self.index]
        if later:
            self.show(later[0])
        else:
            self.notify('No divergence after this step.')

    def action_previous_divergence(self) -> None:
        earlier = [i for i in self.trace.divergences if i < self.index]
        if earlier:
            self.show(earlier[-1])
        else:
            self.notify('No divergence before this step.')

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Forking exists only where there is a stored run to fork (`on_fork`)."""
        return self.on_fork is not None if action == 'fork' else True

    def action_fork(self) -> None:
        step = self.step
        if self.on_fork is None or step is None:
            return
        if step.fork_step is None:
            self.notify('This step cannot be forked: it is not a step of a stored run.', severity='warning')
            return
        self.on_fork(step.fork_step)

    def action_help(self) -> None:
        from ._help import HelpScreen

        self.app.push_screen(HelpScreen([('Replay stepper', self.BINDINGS)]))

    def action_quit(self) -> None:
        self.dismiss(None)


class ReplayApp(App[None]):
    """A stand-alone app around one `ReplayScreen` (what `agentcore replay --tui` runs)."""

    TITLE = 'agentcore replay'

    def __init__(self, trace: ReplayTrace) -> None:
        super().__init__()
        self.trace = trace

    def on_mount(self) -> None:
        self.push_screen(ReplayScreen(self.trace), callback=lambda _: self.exit())

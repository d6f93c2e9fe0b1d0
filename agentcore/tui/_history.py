"""The run history browser: past runs from the run store; choosing one replays its events into the timeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from agentcore._cost import usd_text


class HistoryScreen(Screen[str | None]):
    """A table of the newest runs in `store` (a `RunStore`). Dismisses with the chosen run id, or `None`.

    Args:
        store: the run store to browse.
        limit: how many runs to list, newest first.
        on_step_through: called with the selected run id to open it in the replay stepper (`s`); without it
            the binding is absent.
    """

    DEFAULT_CSS = """
    HistoryScreen #title { text-style: bold; padding: 0 1; }
    HistoryScreen DataTable { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding('enter', 'open', 'Open the selected run'),
        Binding('s', 'step_through', 'Step through (fork from a step)'),
        Binding('escape', 'close', 'Back'),
        Binding('f5', 'refresh', 'Reload the list'),
    ]

    def __init__(self, store: Any, *, limit: int = 200, on_step_through: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.store = store
        self.limit = limit
        self.on_step_through = on_step_through
        self.run_ids: list[str] = []
        self._chosen = False

    def compose(self) -> ComposeResult:
        keys = 'enter opens a run, s steps through it' if self.on_step_through is not None else 'enter opens a run'
        yield Static(f'Run history ({keys}, escape goes back)', id='title', markup=False)
        yield DataTable(id='runs', cursor_type='row', zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one('#runs', DataTable)
        table.add_columns('run id', 'status', 'steps', 'tokens', 'cost $', 'created', 'task')
        self.action_refresh()
        table.focus()

    def action_refresh(self) -> None:
        table = self.query_one('#runs', DataTable)
        table.clear()
        self.run_ids = []
        for r in self.store.list_runs(self.limit):
            self.run_ids.append(r.run_id)
            table.add_row(r.run_id, r.status, str(r.steps), str(r.input_tokens + r.output_tokens),
                          usd_text(r.cost).lstrip('$'), (r.created_at or '')[:19].replace('T', ' '),
                          ' '.join((r.task or '').split())[:60], key=r.run_id)
        if not self.run_ids:
            self.query_one('#title', Static).update('Run history: no runs yet (escape goes back)')

    @property
    def selected(self) -> str | None:
        """The run id under the cursor (`None`: no runs)."""
        row = self.query_one('#runs', DataTable).cursor_row
        return self.run_ids[row] if self.run_ids and 0 <= row < len(self.run_ids) else None

    def action_open(self) -> None:
        chosen = self.selected
        if not self._chosen and chosen is not None:
            self._chosen = True
            self.dismiss(chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Stepping through exists only where the app opens the stepper (`on_step_through`)."""
        return self.on_step_through is not None if action == 'step_through' else True

    def action_step_through(self) -> None:
        chosen = self.selected
        if self.on_step_through is not None and chosen is not None:
            self.on_step_through(chosen)

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_close(self) -> None:
        self.dismiss(None)

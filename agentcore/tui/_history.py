"""The run history browser: past runs from the run store; choosing one replays its events into the timeline."""

from __future__ import annotations

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
    """

    DEFAULT_CSS = """
    HistoryScreen #title { text-style: bold; padding: 0 1; }
    HistoryScreen DataTable { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding('enter', 'open', 'Open the selected run'),
        Binding('escape', 'close', 'Back'),
        Binding('f5', 'refresh', 'Reload the list'),
    ]

    def __init__(self, store: Any, *, limit: int = 200) -> None:
        super().__init__()
        self.store = store
        self.limit = limit
        self.run_ids: list[str] = []
        self._chosen = False

    def compose(self) -> ComposeResult:
        yield Static('Run history (enter opens a run, escape goes back)', id='title', markup=False)
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

    def action_open(self) -> None:
        table = self.query_one('#runs', DataTable)
        if not self._chosen and self.run_ids and 0 <= table.cursor_row < len(self.run_ids):
            self._chosen = True
            self.dismiss(self.run_ids[table.cursor_row])

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_close(self) -> None:
        self.dismiss(None)

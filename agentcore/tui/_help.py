"""The help screen: every key binding of every screen, generated from their `BINDINGS` so it cannot go stale."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

#: (section title, bindings) pairs.
Sections = Sequence[tuple[str, Iterable[BindingType]]]


def binding_rows(sections: Sections) -> list[tuple[str, str, str]]:
    """`(section, keys, description)` for every binding, keys as the user types them (`ctrl+o`, `f1`, ...)."""
    rows: list[tuple[str, str, str]] = []
    for title, bindings in sections:
        for b in bindings:
            binding = b if isinstance(b, Binding) else Binding(*b)
            keys = ' / '.join(k.strip() for k in binding.key.split(','))
            rows.append((title, keys, binding.description or binding.action))
    return rows


class HelpScreen(ModalScreen[None]):
    """Lists every key binding, by screen. Closes with escape, q or f1."""

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help { width: 90%; max-width: 100; height: 90%; border: thick $accent; background: $surface; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding('escape,q,f1', 'close', 'Close help'),
    ]

    def __init__(self, sections: Sections) -> None:
        super().__init__()
        self.rows = binding_rows([*sections, ('Help', self.BINDINGS)])

    def compose(self) -> ComposeResult:
        table = Table(title='Keys', expand=True, show_lines=False)
        table.add_column('where', style='bold')
        table.add_column('keys', style='bold cyan', no_wrap=True)
        table.add_column('does')
        last = ''
        for section, keys, what in self.rows:
            table.add_row(section if section != last else '', keys, what)
            last = section
        with VerticalScroll(id='help'):
            yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)

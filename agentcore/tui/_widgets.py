"""Widgets shared by the chat app, the history browser and the replay stepper."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.widgets import RichLog, Static

from agentcore._cost import usd_text
from agentcore._sanitize import strip_control

from ._format import Line, OutputStream, describe

_STYLES = {
    'run': 'bold cyan',
    'model': 'bold magenta',
    'text': '',
    'tool': 'bold yellow',
    'output': 'grey70',
    'stream': 'grey50',
    'policy': 'blue',
    'approval': 'bold green',
    'guardrail': 'bold red',
    'memory': 'green',
    'error': 'bold red',
    'dim': 'dim',
    'user': 'bold cyan',
    'agent': '',
}


class Timeline(RichLog):
    """The live timeline of a run: one or more lines per event. Keeps at most `max_lines` lines, scrolls freely.

    `entries` holds the plain text of every line written (what tests and copy-paste see).
    """

    def __init__(self, *, max_lines: int = 5000, id: str | None = None) -> None:
        super().__init__(max_lines=max_lines, wrap=True, markup=False, highlight=False, id=id)
        self.entries: list[str] = []
        self._streams: dict[str, OutputStream] = {}

    def add_event(self, event: dict[str, Any]) -> None:
        """Append the lines describing one event (a `RunEvent.model_dump(mode='json')`).

        `tool_output_delta` events add the running call's new output lines (bounded, see `OutputStream`).
        """
        kind = event.get('type')
        if kind == 'tool_output_delta':
            stream = self._streams.setdefault(str(event.get('call_id')), OutputStream())
            self.add_lines(stream.add(str(event.get('stream')), str(event.get('text', ''))))
            return
        if kind == 'tool_call_finished':
            self._streams.pop(str(event.get('call_id')), None)
        self.add_lines(describe(event))

    def add_lines(self, lines: Iterable[Line]) -> None:
        for line in lines:
            text = strip_control(line.text)  # model and tool text cannot drive the terminal
            self.entries.append(text)
            self.write(Text(text, style=_STYLES.get(line.style, '')))
        if self.max_lines is not None and len(self.entries) > self.max_lines:
            del self.entries[: len(self.entries) - self.max_lines]

    def reset(self) -> None:
        """Remove every line."""
        self.entries.clear()
        self._streams.clear()
        self.clear()

    @property
    def text(self) -> str:
        return '\n'.join(self.entries)


class Conversation(Timeline):
    """The conversation pane: what the user asked and what the agent answered."""

    def say(self, who: str, text: str) -> None:
        style = 'user' if who == 'you' else 'agent'
        rows = text.splitlines() or ['']
        self.add_lines([Line(f'{who}: {rows[0]}', style), *(Line(f'  {r}', style) for r in rows[1:]), Line('', 'dim')])


class StatusBar(Static):
    """One line: model, tokens, cost, budget left, sandbox state and what the run is doing."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__('', id=id)
        self.model = '-'
        self.tokens = 0
        self.cost_usd: float | None = 0.0  # None: unknown (a model with no price)
        self.budget_left = '-'
        self.sandbox = 'off'
        self.state = 'idle'

    def set(self, **fields: Any) -> None:
        """Update some fields (`model`, `tokens`, `cost_usd`, `budget_left`, `sandbox`, `state`) and redraw."""
        for key, value in fields.items():
            if not hasattr(self, key):
                raise AttributeError(f'StatusBar has no field {key!r}')
            setattr(self, key, value)
        self.update(self.line)

    @property
    def line(self) -> str:
        cost = usd_text(self.cost_usd, unknown='cost unknown')
        return (f'{self.model} │ {self.tokens} tokens │ {cost} │ budget left: {self.budget_left} │ '
                f'sandbox: {self.sandbox} │ {self.state}')

    def on_mount(self) -> None:
        self.update(self.line)

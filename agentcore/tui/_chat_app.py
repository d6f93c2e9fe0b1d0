"""`ChatApp`: the `agentcore chat` terminal UI.

A conversation pane, a live timeline of each run, an approval dialog for `ask` decisions, a status bar and a run
history browser, from which a stored run opens in the replay stepper and forks from the step it shows. Each message
(and each fork) starts one agent run in a Textual worker on the app's event loop, so the UI keeps drawing and taking
keys while the model and the tools work.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Static
from textual.worker import Worker

from agentcore._sanitize import strip_control

from ._approval import ApprovalScreen, TUIApprover
from ._argcheck import check_against_schema
from ._format import Line
from ._help import HelpScreen
from ._history import HistoryScreen
from ._status import RunTally
from ._widgets import Conversation, StatusBar, Timeline

if TYPE_CHECKING:
    from agentcore import Agent, RunEvent
    from agentcore.runstore import RunStore
    from agentcore.tools import Tool

#: Builds the agent the app drives, given the approver it must use (`Agent(..., approver=approver)`).
AgentFactory = Callable[[TUIApprover], 'Agent']


class ChatApp(App[None]):
    """The chat UI around one agent.

    Args:
        agent_factory: builds the agent, given the `TUIApprover` it must use for `ask` decisions. Called once, in
            the constructor, so configuration errors surface before the terminal is taken over.
        store: the run store the history browser reads; defaults to the agent's own `store`.
        new_run_id: makes the id of each new run (tests pass a fixed sequence); default: random hex.

    Raises:
        Whatever `agent_factory` raises (e.g. `ConfigError` for a bad model or policy).
    """

    TITLE = 'agentcore chat'
    CSS = """
    #panes { height: 1fr; }
    #left { width: 2fr; }
    #right { width: 3fr; }
    .pane-title { background: $boost; text-style: bold; padding: 0 1; }
    Conversation, Timeline { height: 1fr; border: round $primary-darken-2; }
    Conversation:focus, Timeline:focus { border: round $accent; }
    #prompt { dock: bottom; }
    #live { height: auto; max-height: 8; padding: 0 1; color: $text-muted; display: none; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding('f1', 'help', 'Help'),
        Binding('ctrl+r', 'history', 'History'),
        Binding('ctrl+b', 'cancel', 'Cancel run'),
        Binding('ctrl+l', 'clear', 'Clear'),
        Binding('ctrl+f', 'follow', 'Follow on/off'),
        Binding('ctrl+t', 'focus_timeline', 'Timeline'),
        Binding('escape', 'focus_prompt', 'Message box', show=False),
        Binding('ctrl+q', 'quit', 'Quit'),
    ]

    def __init__(self, agent_factory: AgentFactory, *, store: RunStore | None = None,
                 new_run_id: Callable[[], str] | None = None) -> None:
        super().__init__()
        self.approver = TUIApprover(self, validator=self._validate)
        self.agent = agent_factory(self.approver)
        self.store = store if store is not None else self.agent.store
        self._new_run_id = new_run_id or (lambda: uuid.uuid4().hex)
        self.tally = RunTally(self.agent.budget)
        self._worker: Worker[None] | None = None
        self.runs: list[str] = []
        #: The text of the model turn streaming in, and since when the model has been waited for (no text yet).
        self._live_text = ''
        self._waiting_since: float | None = None

    # -- layout -----------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon='◆')
        with Horizontal(id='panes'):
            with Vertical(id='left'):
                yield Static('Conversation', classes='pane-title')
                yield Conversation(id='conversation')
            with Vertical(id='right'):
                yield Static('Timeline', classes='pane-title')
                yield Timeline(id='timeline')
                yield Static('', id='live', markup=False)
        yield Input(placeholder='Ask the agent… (enter sends · f1 help · ctrl+r history)', id='prompt')
        yield StatusBar(id='status')
        yield Footer()

    def on_mount(self) -> None:
        self.status.set(model=self.agent.model.name,
                        budget_left=self.tally.budget_left(), sandbox=self._sandbox_state(busy=False))
        self.query_one('#prompt', Input).focus()
        self.set_interval(1.0, self._show_wait)

    @property
    def timeline(self) -> Timeline:
        return self.query_one('#timeline', Timeline)

    @property
    def conversation(self) -> Conversation:
        return self.query_one('#conversation', Conversation)

    @property
    def status(self) -> StatusBar:
        return self.query_one('#status', StatusBar)

    @property
    def running(self) -> bool:
        """Whether a run is in progress."""
        return self._worker is not None and not self._worker.is_finished

    # -- running ----------------------------------------------------------------------------------------------
    @on(Input.Submitted, '#prompt')
    def _submitted(self, event: Input.Submitted) -> None:
        task = event.value.strip()
        if not task:
            return
        if self.running:
            self.notify('A run is in progress: wait for it, or cancel it with ctrl+b.', severity='warning')
            return
        event.input.value = ''
        self.send(task)

    def send(self, task: str) -> Worker[None]:
        """Start a run for `task` in a worker and return the worker (tests await `worker.wait()`)."""
        self.conversation.say('you', task)
        self._worker = self.run_worker(self._run(task), name='agent-run', group='run', exclusive=True,
                                       exit_on_error=False)
        return self._worker

    async def _run(self, task: str) -> None:
        run_id = self._new_run_id()
        self.runs.append(run_id)
        await self._show_run(self.agent.astream(task, run_id=run_id))

    async def _show_run(self, events: AsyncIterator[RunEvent]) -> None:
        """Stream a run's `events` into the timeline, status bar and conversation; a failure is shown, not raised."""
        self.tally.reset()
        self.status.set(state='starting', tokens=0, cost_usd=0.0, budget_left=self.tally.budget_left())
        try:
            async for event in events:
                self.show_event(event.model_dump(mode='json'))
        except Exception as exc:  # shown in the UI: a failing run must not take the app down
            message = ' '.join(str(exc).split()) or type(exc).__name__
            hint = getattr(exc, 'hint', None)
            self.timeline.add_lines([Line(f'✗ run failed: {message}' + (f' (fix: {hint})' if hint else ''),
                                          'error')])
            self.conversation.say('agent', f'(run failed: {message})')
            self.status.set(state='failed')

    def show_event(self, event: dict[str, Any]) -> None:
        """Show one event (a `RunEvent.model_dump(mode='json')`) in the timeline, status bar and conversation."""
        kind = event.get('type')
        if kind == 'model_token_delta':  # the turn's text as it streams in, below the timeline
            self._stream_text(str(event.get('text') or ''), event.get('step'))
            return
        if kind == 'model_turn_started':
            self._waiting_since, self._live_text = time.monotonic(), ''
        elif kind in ('model_turn_finished', 'run_finished'):
            self._waiting_since = None
            self._live.display = False
        self.timeline.add_event(event)
        if kind == 'tool_output_delta':  # the call is still running: nothing else changes
            return
        self.tally.add(event)
        busy = kind == 'tool_call_started' and self._is_sandboxed(str(event.get('tool')))
        self.status.set(tokens=self.tally.tokens, cost_usd=self.tally.cost_usd, budget_left=self.tally.budget_left(),
                        state=self.tally.state, sandbox=self._sandbox_state(busy=busy))
        if kind == 'run_finished':
            status = event.get('status')
            if status == 'completed':
                self.conversation.say('agent', str(event.get('output') or ''))
            else:
                self.conversation.say('agent', f'({status}: {event.get("stop_reason") or "no answer"})')

    def action_cancel(self) -> None:
        if self._worker is not None and self.running:
            self._worker.cancel()
            self.timeline.add_lines([Line('■ run cancelled by the user', 'error')])
            self.conversation.say('agent', '(cancelled)')
            self.status.set(state='cancelled', sandbox=self._sandbox_state(busy=False))

    # -- past runs --------------------------------------------------------------------------------------------
    def action_history(self) -> None:
        from ._replay import ReplayScreen

        if isinstance(self.screen, (HistoryScreen, ReplayScreen)):
            return
        self.push_screen(HistoryScreen(self.store, on_step_through=self.step_through), callback=self._open_run)

    def step_through(self, run_id: str) -> None:
        """Open stored run `run_id` in the replay stepper, one step per model turn; `f` there forks it."""
        from ._replay import ReplayScreen
        from ._run_steps import trace_from_run

        try:
            trace = trace_from_run(self.store, run_id)
        except Exception as exc:  # e.g. deleted since the list was read
            self.notify(f'Cannot open {run_id}: {exc}', severity='error')
            return

        def fork_here(step: int) -> None:
            self.fork(run_id, step)

        self.push_screen(ReplayScreen(trace, on_fork=fork_here))

    def fork(self, run_id: str, at_step: int) -> Worker[None] | None:
        """Fork stored run `run_id` at step `at_step` (after its tools ran) and continue the new run here.

        The fork and the run happen in a worker (returned; `None` while another run is in progress). A step
        that cannot be forked (`ForkError`, an unknown run) is a notification and nothing else changes; once
        forked, the screens above the chat close and the new run streams into the cleared timeline.
        """
        if self.running:
            self.notify('A run is in progress: fork when it has finished.', severity='warning')
            return None
        self._worker = self.run_worker(self._fork(run_id, at_step), name='agent-run', group='run', exclusive=True,
                                       exit_on_error=False)
        return self._worker

    async def _fork(self, run_id: str, at_step: int) -> None:
        new_id = self._new_run_id()
        try:
            await self.agent.afork(run_id, at_step=at_step, new_run_id=new_id)
            task = self.store.get_run(new_id).task
        except Exception as exc:  # ForkError, RunNotFoundError, a checkpoint store that fails: said, not raised
            message = ' '.join(str(exc).split()) or type(exc).__name__
            hint = getattr(exc, 'hint', None)
            self.notify(f'Cannot fork {run_id} at step {at_step}: {message}' + (f' (fix: {hint})' if hint else ''),
                        severity='error', timeout=10)
            return
        self.runs.append(new_id)
        for _ in range(len(self.screen_stack) - 1):  # the stepper and the history browser
            self.pop_screen()
        self.action_clear()
        self.conversation.say('you', task)
        self.timeline.add_lines([Line(f'⑂ run {new_id}: fork of {run_id} at step {at_step}', 'run')])
        self.notify(f'Forked {run_id} at step {at_step}: new run {new_id}.')
        await self._show_run(self.agent.astream_resume(new_id))

    def _open_run(self, run_id: str | None) -> None:
        if run_id is None:
            return
        if self.running:  # the live run keeps writing to the timeline
            self.notify('A run is in progress: open past runs when it has finished.', severity='warning')
            return
        self.load_run(run_id)

    def load_run(self, run_id: str) -> None:
        """Replay a stored run's events into the (cleared) timeline and conversation.

        Raises:
            RunNotFoundError: no such run in the store.
        """
        record = self.store.get_run(run_id)
        self.action_clear()
        self.conversation.say('you', record.task)
        self.tally.reset()
        for event in self.store.events(run_id):
            self.show_event(event)
        self.status.set(state=f'viewing {run_id} ({record.status})')

    # -- keys -------------------------------------------------------------------------------------------------
    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(help_sections()))

    def action_clear(self) -> None:
        self.timeline.reset()
        self.conversation.reset()

    def action_follow(self) -> None:
        self.timeline.auto_scroll = not self.timeline.auto_scroll
        self.notify(f'Timeline follow {"on" if self.timeline.auto_scroll else "off"}.')

    def action_focus_timeline(self) -> None:
        self.timeline.focus()

    def action_focus_prompt(self) -> None:
        self.query_one('#prompt', Input).focus()

    @property
    def _live(self) -> Static:
        return self.query_one('#live', Static)

    def _stream_text(self, text: str, step: object) -> None:
        self._waiting_since = None
        self._live_text += text
        shown = self._live_text if len(self._live_text) <= 600 else '…' + self._live_text[-600:]
        self._live.update(f'✎ {strip_control(shown)}')
        self._live.display = True
        self.status.set(state=f'model turn {step}: writing')

    def _show_wait(self) -> None:
        """While a model call has produced nothing yet, say for how long it has been waited for."""
        if self._waiting_since is not None and self.running:
            waited = int(time.monotonic() - self._waiting_since)
            self.status.set(state=f'{self.tally.state}: waiting for the model, {waited}s')

    # -- helpers ----------------------------------------------------------------------------------------------
    def _tool(self, name: str) -> Tool | None:
        return next((t for t in self.agent.tools if t.name == name), None)

    def _validate(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        found = self._tool(tool)
        if found is None:
            return arguments
        check_against_schema(found.parameters, arguments)
        checked: dict[str, Any] = found.validate_arguments(arguments)
        return checked

    def _is_sandboxed(self, tool: str) -> bool:
        found = self._tool(tool)
        return found is not None and found.side_effects == 'sandbox'

    def _sandbox_state(self, *, busy: bool) -> str:
        if not any(t.side_effects == 'sandbox' for t in self.agent.tools):
            return 'off'
        return 'busy' if busy else 'idle'


def help_sections() -> list[tuple[str, list[BindingType]]]:
    """Every screen's key bindings, for the help screen."""
    from ._replay import ReplayScreen

    return [('Chat', ChatApp.BINDINGS), ('Approval dialog', ApprovalScreen.BINDINGS),
            ('Run history', HistoryScreen.BINDINGS), ('Replay stepper', ReplayScreen.BINDINGS)]

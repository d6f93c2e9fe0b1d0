"""The approval dialog and `TUIApprover`, the approver that shows it.

The agent consults its approver for every `ask` decision without pausing the run; `TUIApprover.decide` pushes an
`ApprovalScreen` and awaits the user's answer, so the run waits while the rest of the UI stays live.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from agentcore._sanitize import strip_control

from ._format import args_text

if TYPE_CHECKING:
    from agentcore.policy import ApprovalDecision, ApprovalRequest

#: Checks edited arguments for a tool: returns them (possibly coerced) or raises `ValueError` saying what is wrong.
Validator = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class ApprovalView:
    """What the dialog shows of one `ApprovalRequest`."""

    call_id: str
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)
    rule: str = ''
    reason: str = ''
    #: The call ran once before a crash cut it off: approving may repeat its effect (see `ApprovalRequest`).
    may_have_taken_effect: bool = False
    started_at: str | None = None
    output_seen: str = ''
    #: `ApprovalRequest.provenance_lines()`: the argument values taken from untrusted content.
    provenance: tuple[str, ...] = ()

    @classmethod
    def of(cls, request: ApprovalRequest) -> ApprovalView:
        return cls(call_id=request.call_id, tool=request.tool_name, arguments=dict(request.arguments),
                   rule=request.rule, reason=request.reason, may_have_taken_effect=request.may_have_taken_effect,
                   started_at=request.started_at, output_seen=request.output_seen,
                   provenance=tuple(request.provenance_lines()))


def parse_arguments(text: str, tool: str, validator: Validator | None = None) -> dict[str, Any]:
    """Edited arguments from the dialog's JSON text.

    Raises:
        ValueError: not JSON (with line and column), or rejected by `validator`.
        TypeError: valid JSON, but not an object.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f'not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})') from None
    if not isinstance(value, dict):
        raise TypeError(f'arguments must be a JSON object, not {type(value).__name__}')
    arguments: dict[str, Any] = value
    if validator is not None:
        try:
            arguments = validator(tool, arguments)
        except Exception as exc:  # any validator failure is shown in the dialog, not raised
            raise ValueError(' '.join(str(exc).split()) or type(exc).__name__) from None
    return arguments


class ApprovalScreen(ModalScreen['ApprovalDecision | None']):
    """A modal dialog for one `ask` decision: approve, edit the arguments (JSON), reject with a reason, or abort.

    Dismisses with an `Approve`, `Edit`, `Reject` or `Abort` from `agentcore.policy`. Invalid edited JSON keeps the
    dialog open and says what is wrong.
    """

    DEFAULT_CSS = """
    ApprovalScreen { align: center middle; }
    ApprovalScreen #dialog { width: 90%; max-width: 110; height: auto; max-height: 90%; border: thick $warning;
                             background: $surface; padding: 0 1; }
    ApprovalScreen #title { text-style: bold; color: $warning; }
    ApprovalScreen #arguments { height: 8; }
    ApprovalScreen #error { color: $error; height: auto; }
    ApprovalScreen #taken-effect { color: $error; height: auto; max-height: 12; }
    ApprovalScreen #provenance { color: $warning; height: auto; max-height: 8; }
    ApprovalScreen #buttons { height: 3; }
    ApprovalScreen #buttons Button { margin-right: 1; }
    ApprovalScreen #keys { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding('ctrl+o', 'approve', 'Approve as requested'),
        Binding('ctrl+s', 'edit', 'Approve with the edited arguments'),
        Binding('ctrl+r', 'reject', 'Reject (with the reason typed)'),
        Binding('ctrl+b', 'abort', 'Abort the run'),
    ]

    def __init__(self, request: ApprovalView, validator: Validator | None = None) -> None:
        super().__init__()
        self.request = request
        self._validator = validator
        self._original = json.dumps(request.arguments, indent=2, sort_keys=True, ensure_ascii=False)

    def compose(self) -> ComposeResult:
        req = self.request
        with Vertical(id='dialog'):
            yield Static(strip_control(f'Approval needed: {req.tool}  (call {req.call_id})'), id='title', markup=False)
            yield Static(strip_control(f'rule: {req.rule or "-"}\nreason: {req.reason or "-"}'), id='why', markup=False)
            if req.provenance:
                yield Static(strip_control('values from untrusted content:\n' + '\n'.join(f'  {line}' for line in req.provenance)),
                             id='provenance', markup=False)
            if req.may_have_taken_effect:
                seen = req.output_seen.strip()[-600:] or '(none)'
                yield Static(strip_control(f'This call may already have taken effect: it started at '
                                           f'{req.started_at or "?"} and the run was interrupted before it finished; '
                                           f'approving runs it again.\noutput seen so far:\n{seen}'),
                             id='taken-effect', markup=False)
            yield Static('arguments (JSON, editable):', markup=False)
            yield TextArea(self._original, id='arguments', soft_wrap=True, tab_behavior='indent')
            yield Static('', id='error', markup=False)
            yield Input(placeholder='reason for rejecting (optional; enter rejects)', id='reason')
            with Horizontal(id='buttons'):
                yield Button('Approve', id='approve', variant='success')
                yield Button('Edit & approve', id='edit', variant='primary')
                yield Button('Reject', id='reject', variant='warning')
                yield Button('Abort run', id='abort', variant='error')
            yield Static('ctrl+o approve · ctrl+s edit & approve · ctrl+r reject · ctrl+b abort · tab moves',
                         id='keys', markup=False)

    def on_mount(self) -> None:
        self.query_one('#approve', Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        actions = {'approve': self.action_approve, 'edit': self.action_edit, 'reject': self.action_reject,
                   'abort': self.action_abort}
        if event.button.id in actions:
            actions[event.button.id]()

    @on(Input.Submitted, '#reason')
    def _reason_submitted(self) -> None:
        self.action_reject()

    @property
    def error(self) -> str:
        """The validation message shown for the edited arguments ('' when none)."""
        return str(self.query_one('#error', Static).content)

    def action_approve(self) -> None:
        from agentcore.policy import Approve

        self.dismiss(Approve())

    def action_edit(self) -> None:
        from agentcore.policy import Approve, Edit

        text = self.query_one('#arguments', TextArea).text
        try:
            arguments = parse_arguments(text, self.request.tool, self._validator)
        except (ValueError, TypeError) as exc:
            self.query_one('#error', Static).update(f'✗ {exc}')
            self.query_one('#arguments', TextArea).focus()
            return
        self.dismiss(Approve() if arguments == self.request.arguments else Edit(arguments=arguments))

    def action_reject(self) -> None:
        from agentcore.policy import Reject

        reason = self.query_one('#reason', Input).value.strip()
        self.dismiss(Reject(reason=reason) if reason else Reject())

    def action_abort(self) -> None:
        from agentcore.policy import Abort

        self.dismiss(Abort())


class TUIApprover:
    """An `Approver` that asks in the running Textual app: `decide` shows an `ApprovalScreen` and awaits it.

    Args:
        app: the running app that shows the dialog.
        validator: checks edited arguments (e.g. against the tool's schema); see `Validator`.

    `decide` must be awaited on the app's event loop (the agent runs in one of the app's workers). If the app
    closes while a dialog is open, the run is cancelled with its worker.
    """

    def __init__(self, app: App[Any], *, validator: Validator | None = None) -> None:
        self._app = app
        self.validator = validator
        self.requests: list[ApprovalView] = []

    async def decide(self, request: ApprovalRequest) -> ApprovalDecision:
        """Show the dialog for `request` and return the user's decision (`Reject` if it is dismissed without one)."""
        view = ApprovalView.of(request)
        self.requests.append(view)
        answer: asyncio.Future[ApprovalDecision | None] = asyncio.get_running_loop().create_future()

        def done(decision: ApprovalDecision | None) -> None:
            if not answer.done():
                answer.set_result(decision)

        self._app.push_screen(ApprovalScreen(view, self.validator), callback=done)
        decision = await answer
        if decision is None:  # dismissed without a choice: refuse the call rather than guess
            from agentcore.policy import Reject

            return Reject(reason=f'no decision for {view.tool}({args_text(view.arguments, 80)})')
        return decision

"""`CLIApprover`: asks on a terminal whether a tool call may run."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any, TextIO

from ._approval import Abort, ApprovalDecision, ApprovalRequest, Approve, Edit, Reject

_CHOICES = {
    'a': 'approve',
    'approve': 'approve',
    'y': 'approve',
    'yes': 'approve',
    'e': 'edit',
    'edit': 'edit',
    'r': 'reject',
    'reject': 'reject',
    'n': 'reject',
    'no': 'reject',
    'q': 'abort',
    'abort': 'abort',
}


class CLIApprover:
    """Prompts on a terminal: approve, edit the arguments (one line of JSON), reject (with a reason) or abort.

    End of input counts as `Abort`. After `max_attempts` unusable answers in a row it rejects the call.
    Streams are injectable for tests; reads run in a worker thread so the event loop is not blocked.
    """

    def __init__(self, input: TextIO | None = None, output: TextIO | None = None, *, max_attempts: int = 3) -> None:
        self._in = input if input is not None else sys.stdin
        self._out = output if output is not None else sys.stdout
        self._max_attempts = max_attempts

    async def _ask(self, prompt: str) -> str | None:
        self._out.write(prompt)
        self._out.flush()
        line = await asyncio.to_thread(self._in.readline)
        return None if line == '' else line.strip()

    def _show(self, request: ApprovalRequest) -> None:
        args = json.dumps(request.arguments, indent=2, ensure_ascii=False, sort_keys=True)
        self._out.write(
            f'\nTool call {request.call_id} needs approval\n'
            f'  tool:   {request.tool_name}\n  rule:   {request.rule}\n  reason: {request.reason}\n'
            f'  args:   {args.replace(chr(10), chr(10) + "          ")}\n'
        )
        lines = request.provenance_lines()
        if lines:
            self._out.write('  values from untrusted content:\n' + ''.join(f'    {line}\n' for line in lines))
        if request.may_have_taken_effect:
            self._out.write(interrupted_text(request))


    async def decide(self, request: ApprovalRequest) -> ApprovalDecision:
        """Show the request and read a decision. Never raises for bad answers; re-asks instead."""
        self._show(request)
        for _ in range(self._max_attempts):
            answer = await self._ask('[a]pprove, [e]dit, [r]eject, [q] abort? ')
            if answer is None:
                return Abort(reason='no answer (end of input)')
            choice = _CHOICES.get(answer.lower())
            if choice == 'approve':
                return Approve()
            if choice == 'abort':
                return Abort()
            if choice == 'reject':
                reason = await self._ask('reason (optional): ')
                return Reject(reason=reason) if reason else Reject()
            if choice == 'edit':
                edited = await self._edit()
                if edited is not None:
                    return edited
                continue
            self._out.write(f'unknown answer {answer!r}\n')
        return Reject(reason=f'no usable answer after {self._max_attempts} attempts')

    async def _edit(self) -> Edit | None:
        line = await self._ask('new arguments as one line of JSON: ')
        if line is None:
            return None
        try:
            value: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            self._out.write(f'not JSON: {exc.msg} at column {exc.colno}\n')
            return None
        if not isinstance(value, dict):
            self._out.write('arguments must be a JSON object\n')
            return None
        return Edit(arguments=value)


def interrupted_text(request: ApprovalRequest) -> str:
    """What is known of a call a crash cut off, for a terminal: it may already have taken effect."""
    seen = request.output_seen.rstrip('\n')
    shown = seen.replace('\n', '\n          ') if seen else '(none)'
    return (f'  WARNING: this call may already have taken effect: it started at {request.started_at or "?"} and the\n'
            f'  run was interrupted before it finished; approving runs it again.\n'
            f'  output seen so far: {shown}\n')

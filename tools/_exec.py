"""Built-in tools that run commands in the run's sandbox: `python` and `shell`."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ._base import ToolContext, ToolError, ToolResult
from ._function import FunctionTool
from ._output import DEFAULT_MAX_CHARS, exec_result

#: Seconds a command may run when the model does not say.
DEFAULT_TIMEOUT_S = 120.0
#: The most seconds the model may ask for.
MAX_TIMEOUT_S = 600.0
#: Extra seconds the sandbox gives the persistent-session client beyond the code's own timeout.
_CLIENT_GRACE_S = 20.0


def sandbox_of(ctx: ToolContext) -> Any:
    """The run's sandbox.

    Raises:
        ToolError: the run has no sandbox.
    """
    if ctx.sandbox is None:
        raise ToolError('this run has no sandbox', hint='run the agent with a sandbox to use the built-in tools')
    return ctx.sandbox


def _streaming(ctx: ToolContext) -> dict[str, Any]:
    """`aexec` keyword arguments that stream the command's output to `ctx.on_output` (none when it is unset)."""
    return {} if ctx.on_output is None else {'on_output': ctx.on_output}


class _ExecTool(FunctionTool):
    """Shared configuration of the command-running tools."""

    def __init__(
        self,
        name: str,
        *,
        description: str | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
        default_timeout_s: float = DEFAULT_TIMEOUT_S,
        max_timeout_s: float = MAX_TIMEOUT_S,
    ) -> None:
        super().__init__(
            self._call,
            name=name,
            description=description,
            side_effects='sandbox',
            source='builtin',
            max_chars=max_chars,
        )
        self.default_timeout_s = default_timeout_s
        self.max_timeout_s = max_timeout_s
        # The bounds in the schema the model sees; `_timeout` enforces them.
        bounds = {'exclusiveMinimum': 0, 'maximum': max_timeout_s}
        for option in self._parameters['properties']['timeout_s'].get('anyOf', []):
            if option.get('type') == 'number':
                option.update(bounds)

    async def _call(self, *args: Any, **kwargs: Any) -> ToolResult:  # pragma: no cover - overridden
        raise NotImplementedError

    def _timeout(self, asked: float | None) -> float:
        if asked is None:
            return self.default_timeout_s
        if not 0 < asked <= self.max_timeout_s:  # NaN fails too
            raise ToolError(f"argument 'timeout_s': expected seconds in (0, {self.max_timeout_s:g}], got {asked:g}",
                            hint=f'pass at most {self.max_timeout_s:g}, or leave it out for the default')
        return asked


class ShellTool(_ExecTool):
    """`shell`: run a command with `/bin/sh -c` in the sandbox's workspace."""

    def __init__(self, **options: Any) -> None:
        super().__init__('shell', **options)

    async def _call(self, command: str, ctx: ToolContext, timeout_s: float | None = None) -> ToolResult:
        """Run a shell command (`/bin/sh -c`) in the sandbox, in the workspace directory.

        Returns its stdout, its stderr and its exit code when not 0. Long output is cut in the middle.

        Args:
            command: The command line, e.g. `ls -la` or `pip list | grep numpy`.
            timeout_s: Seconds before the command is killed (default 120, at most 600).
            ctx: The call's context (not shown to the model).
        """
        timeout = self._timeout(timeout_s)
        result = await sandbox_of(ctx).aexec(['/bin/sh', '-c', command], timeout_s=timeout, **_streaming(ctx))
        return exec_result(result, max_chars=self.max_chars, timeout_s=timeout)


_PERSISTENT_DESCRIPTION = (
    'Run Python 3 code in a persistent interpreter session in the sandbox (working directory: the workspace). '
    'Variables, imports and functions defined in one call stay available in the next ones. The value of a final '
    'expression is printed, as in a REPL. Returns stdout, stderr (tracebacks) and whether it failed. A call that '
    'times out restarts the session: everything defined before is lost.'
)


class PythonTool(_ExecTool):
    """`python`: run Python code in the sandbox.

    By default each call is a fresh `python3 -` process with the code on stdin. With `persistent=True` the calls of
    one run share an interpreter: a small server process (`agentcore.tools._pyrepl`) started inside the sandbox on first use
    keeps its globals between calls; a call that times out kills it, and the next call starts a new one.
    """

    def __init__(self, *, persistent: bool = False, **options: Any) -> None:
        super().__init__('python', description=_PERSISTENT_DESCRIPTION if persistent else None, **options)
        self.persistent = persistent
        self._runs_started: set[str] = set()

    async def _call(self, code: str, ctx: ToolContext, timeout_s: float | None = None) -> ToolResult:
        """Run Python 3 code in a fresh `python3` process in the sandbox (working directory: the workspace).

        Nothing persists between calls except files. Print what you want to see. Returns stdout, stderr (tracebacks)
        and the exit code when not 0. Long output is cut in the middle.

        Args:
            code: The Python source to run.
            timeout_s: Seconds before the code is killed (default 120, at most 600).
            ctx: The call's context (not shown to the model).
        """
        timeout = self._timeout(timeout_s)
        sandbox = sandbox_of(ctx)
        if not self.persistent:
            result = await sandbox.aexec([_python(sandbox), '-'], stdin=code, timeout_s=timeout, **_streaming(ctx))
            return exec_result(result, max_chars=self.max_chars, timeout_s=timeout)
        # Not streamed: the session client prints one JSON answer at the end, not the code's own output.
        argv = [*_repl_command('client', ctx, sandbox), f'{timeout:g}']
        raw = await sandbox.aexec(argv, stdin=code, timeout_s=timeout + _CLIENT_GRACE_S)
        try:
            answer = json.loads(raw.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):  # the client itself failed: show what it printed
            return exec_result(raw, max_chars=self.max_chars, timeout_s=timeout)
        seen = ctx.run_id in self._runs_started
        self._runs_started.add(ctx.run_id)
        notes = []
        if answer['started'] and seen:
            notes.append('[note: a new Python session was started; variables from earlier calls are gone]\n')
        if answer['timed_out']:
            notes.append('[the Python session was stopped; the next call starts a new one]\n')
        result = SimpleNamespace(
            exit_code=0 if answer['ok'] else 1,
            stdout=''.join(notes) + answer['stdout'],
            stderr=answer['stderr'],
            timed_out=answer['timed_out'],
            truncated=answer['truncated'] or getattr(raw, 'truncated', False),
            oom_killed=getattr(raw, 'oom_killed', False),
            duration_s=getattr(raw, 'duration_s', None),
        )
        tool_result = exec_result(result, max_chars=self.max_chars, timeout_s=timeout)
        assert tool_result.data is not None
        tool_result.data['session_started'] = answer['started']
        return tool_result

    async def stop_session(self, ctx: ToolContext) -> None:
        """Kill this run's persistent interpreter, if one is running (a no-op without `persistent`)."""
        if not self.persistent or ctx.sandbox is None:
            return
        await ctx.sandbox.aexec(_repl_command('stop', ctx, ctx.sandbox), timeout_s=30)
        self._runs_started.discard(ctx.run_id)


@functools.cache
def _repl_source() -> str:
    return Path(__file__).with_name('_pyrepl.py').read_text(encoding='utf-8')


def _python(sandbox: Any) -> str:
    """The sandbox's Python interpreter: its `config.python` when it has one, else `python3`."""
    return str(getattr(getattr(sandbox, 'config', None), 'python', None) or 'python3')


def _repl_command(mode: str, ctx: ToolContext, sandbox: Any) -> list[str]:
    """`python3 -c BOOT SOURCE MODE SESSION`: the persistent-session script (see `agentcore.tools._pyrepl`) for this run."""
    from ._pyrepl import BOOT

    session = hashlib.sha256(ctx.run_id.encode()).hexdigest()[:16]
    return [_python(sandbox), '-c', BOOT, _repl_source(), mode, session]

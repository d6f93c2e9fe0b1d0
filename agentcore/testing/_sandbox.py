"""`FakeSandbox`: a `Sandbox` whose workspace lives in memory and whose commands return scripted results."""

from __future__ import annotations

import os
import posixpath
import shlex
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from agentcore.sandbox._base import BaseSandbox
from agentcore.sandbox._errors import SandboxClosedError, SandboxConfigError, SandboxFileNotFoundError
from agentcore.sandbox._paths import normalize
from agentcore.sandbox._protocol import Command, OnOutput
from agentcore.sandbox._result import ExecResult, FileInfo, Limit

from ._workspace import MemoryWorkspace

__all__ = ['ExecCall', 'ExecResults', 'FakeSandbox']

_SHELLS = frozenset({'/bin/sh', 'sh', '/bin/bash', 'bash'})


@dataclass(frozen=True)
class ExecCall:
    """One command a `FakeSandbox` was asked to run, as its scripted results see it and `FakeSandbox.calls` keeps it.

    Attributes:
        command: The command line results are looked up by: `cmd` itself when it was a string, the script of a
            `['/bin/sh', '-c', SCRIPT]` argv (as the `shell` tool sends), else the argv joined with shell quoting
            (`['python3', '-']` gives `'python3 -'`).
        argv: What a real sandbox would run (`('/bin/sh', '-c', cmd)` for a string).
        stdin: The data given on standard input, as passed.
        timeout_s: The timeout asked for (`None`: the sandbox's default).
        env: Extra environment variables.
        cwd: The working directory, normalised and relative to the workspace (`.` for the workspace itself).
        streamed: Whether the caller asked for the output while it runs (`on_output`).
    """

    command: str
    argv: tuple[str, ...]
    stdin: str | bytes | None = None
    timeout_s: float | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    cwd: str = '.'
    streamed: bool = False


#: Scripted command results: a mapping from `ExecCall.command` to a result, or a function of the call (returning
#: `None` for "not scripted"). A string stands for `ExecResult(exit_code=0, stdout=<it>, stderr='')`.
ExecResults = Mapping[str, ExecResult | str] | Callable[[ExecCall], ExecResult | str | None]


def _argv(cmd: Command) -> tuple[str, tuple[str, ...]]:
    """`(command, argv)` of `cmd`, checked as the real sandbox checks it.

    Raises:
        ValueError: `cmd` is empty, not strings, or holds NUL.
    """
    if isinstance(cmd, str):
        argv: tuple[str, ...] = ('/bin/sh', '-c', cmd)
    elif isinstance(cmd, Sequence) and cmd and all(isinstance(a, str) for a in cmd):
        argv = tuple(cmd)
    else:
        raise ValueError(f'cmd must be a string or a non-empty list of strings (got {cmd!r})')
    if any('\0' in a for a in argv):
        raise ValueError('cmd must not contain NUL characters')
    if isinstance(cmd, str):
        return cmd, argv
    if len(argv) == 3 and argv[0] in _SHELLS and argv[1] == '-c':
        return argv[2], argv
    return shlex.join(argv), argv


class FakeSandbox(BaseSandbox):
    """An in-memory `Sandbox` for tests: real workspace semantics, scripted commands, nothing started.

    Files behave as in `DockerSandbox`: paths are relative to the workspace (absolute ones only inside `workdir`),
    `..` and paths outside the workspace raise `WorkspacePathError`, a missing path `SandboxFileNotFoundError`, a
    directory where a file is needed (or a file over `max_file_bytes`) `SandboxFileError`; `write_file` creates the
    parent directories; `copy_in` / `copy_out` move real host files with the same archive checks. `reset()` empties
    the workspace; after `close()` every call raises `SandboxClosedError`. The async forms (`aexec`, `awrite_file`,
    ...) run the sync ones on a worker thread, as for every `BaseSandbox`.

    Commands do not run. Each `exec` is recorded in `calls` (an `ExecCall`) and answered from `results`, by
    `ExecCall.command` or by calling it, else with `default`. Output over `output_limit_bytes` per stream is cut as
    the real sandbox cuts it (`truncated`, `Limit.OUTPUT`, a note on stderr); `on_output` receives the result's
    stdout, then its stderr, before `exec` returns. A scripted function may read, write and `remove` the sandbox's
    files (through the sandbox's own methods) to play a command's effects. Timeouts are not enforced: script a
    `timed_out` result to test one.

    Args:
        files: Workspace files to start with, path to text or bytes.
        results: Scripted results (see `ExecResults`). Also settable later as the `results` attribute.
        default: The result of a command `results` does not script; default exit code 0 and no output.
        workdir: Where the workspace is mounted (an absolute path, as `SandboxConfig.workdir`).
        output_limit_bytes: Bytes of stdout and of stderr kept per command.
        max_file_bytes: Largest file `write_file` and `read_file` accept.
        max_timeout_s: Largest `timeout_s` an `exec` accepts.

    Raises:
        SandboxConfigError: `workdir` is not a normalised absolute path, or a limit is not positive.
        WorkspacePathError, SandboxFileError: a path of `files` is refused.
    """

    def __init__(
        self,
        files: Mapping[str, str | bytes] | None = None,
        *,
        results: ExecResults | None = None,
        default: ExecResult | str | None = None,
        workdir: str = '/workspace',
        output_limit_bytes: int = 1 << 20,
        max_file_bytes: int = 64 << 20,
        max_timeout_s: float = 3600.0,
    ) -> None:
        if not workdir.startswith('/') or workdir == '/' or posixpath.normpath(workdir) != workdir:
            raise SandboxConfigError(f'FakeSandbox workdir must be a normalised absolute path (got {workdir!r})')
        if min(output_limit_bytes, max_file_bytes, max_timeout_s) <= 0:
            raise SandboxConfigError('FakeSandbox limits must be positive')
        self.workdir = workdir
        self.results = results
        self.default = default
        self.output_limit_bytes = output_limit_bytes
        self.max_timeout_s = max_timeout_s
        #: Every command run so far, in order (kept across `reset`).
        self.calls: list[ExecCall] = []
        self._workspace = MemoryWorkspace(max_file_bytes=max_file_bytes, max_archive_bytes=512 << 20)
        self._lock = threading.Lock()
        self._closed = False
        for path, data in (files or {}).items():
            self.write_file(path, data)

    @property
    def commands(self) -> list[str]:
        """`ExecCall.command` of every call so far, in order."""
        with self._lock:
            return [c.command for c in self.calls]

    @property
    def closed(self) -> bool:
        """True after `close()`."""
        return self._closed

    def __repr__(self) -> str:
        state = 'closed' if self._closed else f'{len(self._workspace)} files'
        return f'FakeSandbox({state}, {len(self.calls)} calls)'

    def _path(self, path: str | os.PathLike[str], what: str = 'path') -> str:
        if self._closed:
            raise SandboxClosedError('the sandbox is closed')
        return normalize(path, self.workdir, what=what)

    # -- exec ------------------------------------------------------------------------------------------------

    def _exec(
        self, cmd: Command, *, timeout_s: float | None, env: Mapping[str, str] | None, cwd: str | None,
        stdin: str | bytes | None, cancel: threading.Event | None, on_output: OnOutput | None = None,
    ) -> ExecResult:  # fmt: skip
        """Record the command and return its scripted result.

        Raises:
            ValueError: malformed `cmd`, `timeout_s` or `env`. WorkspacePathError: `cwd` is outside the workspace.
            SandboxFileNotFoundError: `cwd` is not a directory. SandboxClosedError: after `close()`.
            TypeError: a scripted result is neither an `ExecResult` nor a string.
        """
        command, argv = _argv(cmd)
        if timeout_s is not None and not 0 < float(timeout_s) <= self.max_timeout_s:
            raise ValueError(f'timeout_s must be in (0, {self.max_timeout_s}] (got {timeout_s!r})')
        env_dict = {str(k): str(v) for k, v in (env or {}).items()}
        if any(not k or '=' in k or '\0' in k + v for k, v in env_dict.items()):
            raise ValueError('env names must be non-empty without "=" or NUL, and values without NUL')
        with self._lock:
            rel = self._path(cwd or '.', 'cwd')
            if not self._workspace.is_dir(rel):
                raise SandboxFileNotFoundError(f'cwd {rel!r} is not a directory', hint='check the path with list_files()')
            if cancel is not None and cancel.is_set():
                return ExecResult(exit_code=-9, stdout='', stderr='agentcore: cancelled before it started\n')
            call = ExecCall(command=command, argv=argv, stdin=stdin, timeout_s=timeout_s, env=env_dict, cwd=rel,
                            streamed=on_output is not None)  # fmt: skip
            self.calls.append(call)
        result = self._cap(self._scripted(call))  # outside the lock: a script may use the sandbox's files
        if on_output is not None:
            _deliver(on_output, result)
        return result

    def _scripted(self, call: ExecCall) -> ExecResult:
        results = self.results
        found = results(call) if callable(results) else None if results is None else results.get(call.command)
        if found is None:
            found = self.default if self.default is not None else ExecResult(exit_code=0, stdout='', stderr='')
        if isinstance(found, str):
            return ExecResult(exit_code=0, stdout=found, stderr='')
        if not isinstance(found, ExecResult):
            raise TypeError(f'scripted result for {call.command!r} must be an ExecResult or a str, got {found!r}')
        return found

    def _cap(self, result: ExecResult) -> ExecResult:
        limit = self.output_limit_bytes
        out, err = result.stdout.encode(), result.stderr.encode()
        if len(out) <= limit and len(err) <= limit:
            return result
        stderr = err[:limit].decode(errors='replace')
        if stderr and not stderr.endswith('\n'):
            stderr += '\n'
        return replace(
            result, stdout=out[:limit].decode(errors='replace'), truncated=True, limit=result.limit or Limit.OUTPUT,
            stderr=f'{stderr}agentcore: output over {limit} bytes per stream was discarded\n',
        )  # fmt: skip

    # -- files -----------------------------------------------------------------------------------------------

    def write_file(self, path: str, data: str | bytes, *, mode: int | None = None) -> None:
        """Create or overwrite a workspace file, creating parent directories.

        Raises:
            WorkspacePathError: `path` is outside the workspace, or the workspace itself.
            SandboxFileError: over `max_file_bytes`, a directory, or a parent is a file. SandboxClosedError.
        """
        blob = data.encode() if isinstance(data, str) else bytes(data)
        with self._lock:
            self._workspace.write(self._path(path), blob, mode)

    def remove(self, path: str) -> None:
        """Delete a workspace file, or a directory and all under it, to play a scripted command's effects.

        Not a `Sandbox` method: a real sandbox deletes with a command.

        Raises:
            WorkspacePathError: `path` is outside the workspace, or the workspace itself. SandboxFileNotFoundError.
            SandboxClosedError.
        """
        with self._lock:
            self._workspace.remove(self._path(path))

    def read_file(self, path: str) -> bytes:
        """Return a workspace file's bytes.

        Raises:
            WorkspacePathError, SandboxFileNotFoundError, SandboxFileError (a directory), SandboxClosedError.
        """
        with self._lock:
            return self._workspace.read(self._path(path))

    def list_files(self, path: str = '.', *, recursive: bool = False) -> list[FileInfo]:
        """List a directory (sorted by path), or describe a single file.

        Raises:
            WorkspacePathError, SandboxFileNotFoundError, SandboxClosedError.
        """
        with self._lock:
            return self._workspace.listing(self._path(path), recursive=recursive)

    def workspace_digest(self) -> dict[str, str]:
        """Map each workspace file to `sha256:<hex>`. Raises: SandboxClosedError."""
        with self._lock:
            self._path('.')
            return self._workspace.digest()

    def copy_out(self, path: str, dest: str | os.PathLike[str]) -> list[str]:
        """Copy a workspace file (into `dest/<name>`) or a directory's content (into `dest/`) to the host.

        Raises:
            WorkspacePathError, SandboxFileNotFoundError, SandboxClosedError. UnsafeArchiveError: `dest` holds a
                symlink or a file where a directory is needed.
        """
        with self._lock:
            return self._workspace.copy_out(self._path(path), dest)

    def copy_in(self, src: str | os.PathLike[str], dest: str = '.') -> list[str]:
        """Copy a host file, or a host directory's content, into workspace directory `dest`.

        Host symlinks and special files are skipped.

        Raises:
            FileNotFoundError: `src` is missing. WorkspacePathError: `dest` is outside the workspace.
            SandboxFileError: `dest` is a file. SandboxClosedError.
        """
        with self._lock:
            return self._workspace.copy_in(src, self._path(dest))

    # -- lifecycle -------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Empty the workspace (the record of `calls` is kept). Raises: SandboxClosedError: after `close()`."""
        with self._lock:
            self._path('.')
            self._workspace.clear()

    def close(self) -> None:
        """Close the sandbox (idempotent); every later call raises `SandboxClosedError`."""
        with self._lock:
            self._closed = True


def _deliver(on_output: OnOutput, result: ExecResult) -> None:
    """Hand the result's output to `on_output`; one that raises is not called again (as with the real sandbox)."""
    for stream, text in (('stdout', result.stdout), ('stderr', result.stderr)):
        if text:
            try:
                on_output(stream, text)
            except Exception:  # a failing display must not break the command
                return

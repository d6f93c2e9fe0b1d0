"""`BaseSandbox`: implement the sync operations once, get the async forms and context managers for free.

The async methods run the sync ones on a shared thread pool (sized for many concurrent sandboxes, unlike the
event loop's default executor), so a long `aexec` never blocks the event loop. Cancelling an `aexec` asks the
implementation to kill the running command (`_cancel`) and then re-raises `CancelledError`.
"""

from __future__ import annotations

import abc
import asyncio
import functools
import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import ParamSpec, Self, TypeVar

from ._protocol import Command
from ._result import ExecResult, FileInfo

__all__ = ['BaseSandbox', 'run_blocking']

P = ParamSpec('P')
T = TypeVar('T')
_MAX_THREADS = 256
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _threads() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_MAX_THREADS, thread_name_prefix='agentcore-sandbox')
        return _pool


async def run_blocking(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking sandbox call on the shared sandbox thread pool and await its result."""
    return await asyncio.get_running_loop().run_in_executor(_threads(), functools.partial(func, *args, **kwargs))


class BaseSandbox(abc.ABC):
    """Skeleton of a `Sandbox`: subclasses implement the abstract sync methods."""

    @abc.abstractmethod
    def _exec(
        self, cmd: Command, *, timeout_s: float | None, env: Mapping[str, str] | None, cwd: str | None,
        stdin: str | bytes | None, cancel: threading.Event | None,
    ) -> ExecResult:  # fmt: skip
        """Run `cmd`; return early (killing it) once `cancel` is set."""

    def _cancel(self, token: threading.Event) -> None:  # noqa: B027 - optional hook
        """Ask a running `_exec` that was given `token` to stop (default: nothing to do)."""

    def exec(
        self, cmd: Command, *, timeout_s: float | None = None, env: Mapping[str, str] | None = None,
        cwd: str | None = None, stdin: str | bytes | None = None,
    ) -> ExecResult:  # fmt: skip
        """Run `cmd` (a string goes through `/bin/sh -c`, a list runs as argv) in the workspace or `cwd`."""
        return self._exec(cmd, timeout_s=timeout_s, env=env, cwd=cwd, stdin=stdin, cancel=None)

    @abc.abstractmethod
    def write_file(self, path: str, data: str | bytes, *, mode: int | None = None) -> None:
        """Create or overwrite a workspace file (parents are created)."""

    @abc.abstractmethod
    def read_file(self, path: str) -> bytes:
        """Return the content of a workspace file."""

    @abc.abstractmethod
    def list_files(self, path: str = '.', *, recursive: bool = False) -> list[FileInfo]:
        """List a workspace directory (or describe one file)."""

    @abc.abstractmethod
    def workspace_digest(self) -> dict[str, str]:
        """Map every workspace file to `sha256:<hex>` (symlinks to `symlink:<sha256 of target>`)."""

    @abc.abstractmethod
    def copy_out(self, path: str, dest: str | os.PathLike[str]) -> list[str]:
        """Copy a workspace file or directory's content to host directory `dest`; return the files written."""

    @abc.abstractmethod
    def copy_in(self, src: str | os.PathLike[str], dest: str = '.') -> list[str]:
        """Copy a host file or directory's content into workspace directory `dest`; return the files written."""

    @abc.abstractmethod
    def reset(self) -> None:
        """Return to a clean state: no processes, empty workspace and temporary directories."""

    @abc.abstractmethod
    def close(self) -> None:
        """Destroy the sandbox; idempotent."""

    async def aexec(
        self, cmd: Command, *, timeout_s: float | None = None, env: Mapping[str, str] | None = None,
        cwd: str | None = None, stdin: str | bytes | None = None,
    ) -> ExecResult:  # fmt: skip
        """Async `exec`. Cancelling the awaiting task kills the command."""
        token = threading.Event()
        try:
            return await run_blocking(self._exec, cmd, timeout_s=timeout_s, env=env, cwd=cwd, stdin=stdin, cancel=token)
        except asyncio.CancelledError:
            token.set()
            self._cancel(token)
            raise

    async def awrite_file(self, path: str, data: str | bytes, *, mode: int | None = None) -> None:
        """Async `write_file`."""
        await run_blocking(self.write_file, path, data, mode=mode)

    async def aread_file(self, path: str) -> bytes:
        """Async `read_file`."""
        return await run_blocking(self.read_file, path)

    async def alist_files(self, path: str = '.', *, recursive: bool = False) -> list[FileInfo]:
        """Async `list_files`."""
        return await run_blocking(self.list_files, path, recursive=recursive)

    async def aworkspace_digest(self) -> dict[str, str]:
        """Async `workspace_digest`."""
        return await run_blocking(self.workspace_digest)

    async def acopy_out(self, path: str, dest: str | os.PathLike[str]) -> list[str]:
        """Async `copy_out`."""
        return await run_blocking(self.copy_out, path, dest)

    async def acopy_in(self, src: str | os.PathLike[str], dest: str = '.') -> list[str]:
        """Async `copy_in`."""
        return await run_blocking(self.copy_in, src, dest)

    async def areset(self) -> None:
        """Async `reset`."""
        await run_blocking(self.reset)

    async def aclose(self) -> None:
        """Async `close`."""
        await run_blocking(self.close)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

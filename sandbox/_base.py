"""`BaseSandbox`: implement the sync operations once, get the async forms and context managers for free.

The async methods run the sync ones on reusable daemon threads, so a long `aexec` never blocks the event loop,
many sandboxes can run commands at once, and interpreter exit never waits for a running command. Cancelling an `aexec` asks the
implementation to kill the running command (`_cancel`) and then re-raises `CancelledError`.
"""

from __future__ import annotations

import abc
import asyncio
import contextvars
import os
import queue
import threading
from collections.abc import Callable, Mapping
from typing import ParamSpec, TypeVar

from agentcore._closing import Closing

from ._protocol import Command, OnOutput
from ._result import ExecResult, FileInfo

__all__ = ['BaseSandbox', 'run_blocking']

P = ParamSpec('P')
T = TypeVar('T')


_IDLE_EXIT_S = 60.0


class _DaemonThreads:
    """Reusable daemon worker threads: grows as needed, shrinks after a minute idle, never blocks exit."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            spawn = self._idle == 0
            if not spawn:
                self._idle -= 1  # reserve an idle worker for this job
        self._jobs.put(job)
        if spawn:
            threading.Thread(target=self._work, name='agentcore-sandbox-call', daemon=True).start()

    def _work(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=_IDLE_EXIT_S)
            except queue.Empty:
                with self._lock:
                    if self._idle > 0:  # nobody reserved us: leave
                        self._idle -= 1
                        return
                continue
            job()
            with self._lock:
                self._idle += 1


_threads = _DaemonThreads()


def _settle(future: asyncio.Future[T], result: T | None, error: BaseException | None) -> None:
    if future.done():
        return  # the awaiting task was cancelled
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]


async def run_blocking(func: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking sandbox call on a daemon worker thread and await its result.

    Daemon threads (rather than the loop's default executor) mean no cap on concurrent sandbox calls and no wait
    at interpreter exit for a long command: the sandboxes are removed by their at-exit cleanup instead.
    """
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def work() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:  # noqa: B036 - handed over to the awaiting task
            error = exc
        try:
            loop.call_soon_threadsafe(_settle, future, result, error)
        except RuntimeError:
            pass  # the event loop is closed: nobody is waiting any more

    _threads.submit(work)
    return await future


def _loop_relay(loop: asyncio.AbstractEventLoop, on_output: OnOutput, token: threading.Event) -> OnOutput:
    """An `on_output` for a worker thread that runs `on_output` on `loop` (until the call is cancelled).

    It runs in (a copy of) the calling task's context, so context variables (e.g. a graph's stream writer) work.
    """
    context = contextvars.copy_context()

    def deliver(stream: str, text: str) -> None:
        if not token.is_set():
            on_output(stream, text)

    def relay(stream: str, text: str) -> None:
        try:
            loop.call_soon_threadsafe(deliver, stream, text, context=context)
        except RuntimeError:
            pass  # the event loop is closed: nobody is listening any more

    return relay


class BaseSandbox(Closing, abc.ABC):
    """Skeleton of a `Sandbox`: subclasses implement the abstract sync methods."""

    @abc.abstractmethod
    def _exec(
        self, cmd: Command, *, timeout_s: float | None, env: Mapping[str, str] | None, cwd: str | None,
        stdin: str | bytes | None, cancel: threading.Event | None, on_output: OnOutput | None = None,
    ) -> ExecResult:  # fmt: skip
        """Run `cmd`; return early (killing it) once `cancel` is set; pass output to `on_output` as it arrives."""

    def _cancel(self, token: threading.Event) -> None:
        """Ask a running `_exec` that was given `token` to stop (default: nothing to do)."""

    def exec(
        self, cmd: Command, *, timeout_s: float | None = None, env: Mapping[str, str] | None = None,
        cwd: str | None = None, stdin: str | bytes | None = None, on_output: OnOutput | None = None,
    ) -> ExecResult:  # fmt: skip
        """Run `cmd` (a string goes through `/bin/sh -c`, a list runs as argv) in the workspace or `cwd`.

        `on_output(stream, text)` is called (on the calling thread) with output while the command runs.
        """
        return self._exec(cmd, timeout_s=timeout_s, env=env, cwd=cwd, stdin=stdin, cancel=None, on_output=on_output)

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
        cwd: str | None = None, stdin: str | bytes | None = None, on_output: OnOutput | None = None,
    ) -> ExecResult:  # fmt: skip
        """Async `exec`. Cancelling the awaiting task kills the command.

        `on_output(stream, text)` runs on the event loop's thread, and every call comes before `aexec` returns.
        """
        token = threading.Event()
        relay = None if on_output is None else _loop_relay(asyncio.get_running_loop(), on_output, token)
        try:
            return await run_blocking(
                self._exec, cmd, timeout_s=timeout_s, env=env, cwd=cwd, stdin=stdin, cancel=token, on_output=relay
            )
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


"""Exactly-once bookkeeping: who owns a run (host, pid, process start), and the output a running call streamed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

#: How much of a running call's streamed output the effect ledger keeps (the last characters).
OUTPUT_TAIL_CHARS = 4096
#: At most one ledger write of a running call's output per this many seconds.
OUTPUT_TAIL_EVERY_S = 0.5


def _boot_id() -> str:
    try:
        with open('/proc/sys/kernel/random/boot_id') as f:
            return f.read().strip()
    except OSError:
        return ''


def process_start(pid: int) -> str | None:
    """When process `pid` started, as `<boot id>:<clock ticks since boot>` (Linux), or `None` when unknown.

    With the pid it names one process for good: a pid reused later, or after a reboot, has another start.
    """
    try:
        with open(f'/proc/{pid}/stat') as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(')') + 2 :].split()  # after the command name, which may hold spaces
    return f'{_boot_id()}:{fields[19]}' if len(fields) > 19 else None


@cache
def this_host() -> str:
    return socket.gethostname()


def owner_columns() -> dict[str, Any]:
    """The run-store columns that name this process as the owner of a run."""
    pid = os.getpid()  # not cached: a forked child is another owner
    return {'owner_host': this_host(), 'owner_pid': pid, 'owner_pid_start': process_start(pid)}


def owner_gone(host: str | None, pid: int | None, pid_start: str | None) -> bool:
    """Whether the process that owned a run has certainly ended: it ran on this host and is no longer there.

    Owners on other hosts, and runs without an owner, are never taken for gone.
    """
    if host != this_host() or pid is None:
        return False
    if pid == os.getpid():
        return pid_start is not None and pid_start != process_start(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        pass
    if pid_start is None:
        return False
    now = process_start(pid)
    return now is not None and now != pid_start


class OutputTail:
    """The last `OUTPUT_TAIL_CHARS` of a running call's output, written to the ledger at most every 0.5 s.

    `add` may be called from any thread (tools stream from worker threads); the writes run as one task on the
    event loop that built the object, started at the first output, so a call that prints nothing costs nothing.
    `aclose` stops the task (the call's result, written next, supersedes the tail).
    """

    def __init__(self, write: Callable[[str], Awaitable[None]]) -> None:
        self._write = write
        self._loop = asyncio.get_running_loop()
        self._owner = threading.get_ident()
        self._text = ''
        self._version = 0
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def text(self) -> str:
        return self._text

    def add(self, stream: str, text: str) -> None:
        """Keep `text` (stderr marked as such) and make sure a write is coming."""
        piece = text if stream != 'stderr' else ''.join(f'[stderr] {line}' for line in text.splitlines(True))
        self._text = (self._text + piece)[-OUTPUT_TAIL_CHARS:]
        self._version += 1
        if self._task is None and not self._closed:
            if threading.get_ident() == self._owner:
                self._start()
            else:
                self._loop.call_soon_threadsafe(self._start)

    def _start(self) -> None:
        if self._task is None and not self._closed:
            self._task = self._loop.create_task(self._flusher(), name='agentcore-output-tail')

    async def _flusher(self) -> None:
        written = 0
        while not self._closed:
            if self._version != written:
                written = self._version
                with contextlib.suppress(Exception):  # the tail is best-effort: the call goes on without it
                    await self._write(self._text)
            await asyncio.sleep(OUTPUT_TAIL_EVERY_S)

    async def aclose(self) -> None:
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

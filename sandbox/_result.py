"""Value types returned by sandboxes: `ExecResult`, `FileInfo` and the `Limit` that a call ran into."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

__all__ = ['ExecResult', 'FileInfo', 'Limit']


class Limit(enum.StrEnum):
    """Which limit a call ran into (the most serious one, when several were hit)."""

    MEMORY = 'memory'
    PIDS = 'pids'
    DISK = 'disk'
    FILE_SIZE = 'file_size'
    EXECUTOR = 'executor'
    TIMEOUT = 'timeout'
    OUTPUT = 'output'


@dataclass(frozen=True, slots=True)
class ExecResult:
    """The outcome of one command.

    Attributes:
        exit_code: The command's exit status; negative `-N` when it was killed by signal N (a timeout gives -9).
        stdout: Standard output decoded as UTF-8 (undecodable bytes replaced), at most the output limit.
        stderr: Standard error, likewise; notes from agentcore itself start with `agentcore:`.
        timed_out: The call's timeout expired and every process it started was killed.
        truncated: stdout or stderr went over the output limit; the excess was read and discarded.
        duration_s: Wall time of the call as seen by the host.
        oom_killed: The container's OOM killer fired during the call; None when the cgroup could not be read.
        limit: The most serious limit hit, or None.
        recycled: The sandbox was replaced by a fresh container after this call (memory, pids or disk limit hit,
            or the executor hung or died): the workspace and any background processes are gone.
    """

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool = False
    truncated: bool = False
    duration_s: float = 0.0
    oom_killed: bool | None = None
    limit: Limit | None = None
    recycled: bool = False

    @property
    def ok(self) -> bool:
        """True if the command exited with status 0 within its limits."""
        return self.exit_code == 0 and not self.timed_out and self.limit is None

    @property
    def output(self) -> str:
        """Stdout followed by stderr (newline-separated when both are non-empty)."""
        if self.stdout and self.stderr:
            return self.stdout + ('' if self.stdout.endswith('\n') else '\n') + self.stderr
        return self.stdout or self.stderr


@dataclass(frozen=True, slots=True)
class FileInfo:
    """One entry of `Sandbox.list_files()`.

    Attributes:
        path: Path relative to the workspace, `/`-separated.
        kind: `file`, `dir`, `symlink` (never followed) or `other` (FIFO, socket, device).
        size: Size in bytes as reported by `lstat`.
        mode: Permission bits, e.g. `0o644`.
        mtime: Modification time, seconds since the epoch.
    """

    path: str
    kind: Literal['file', 'dir', 'symlink', 'other']
    size: int
    mode: int
    mtime: float

"""The `Sandbox` protocol: what tools, the agent loop and the scenario recorder code against.

One protocol carries both forms: async methods (`aexec`, `awrite_file`, ...) for the agent's event loop, and
plain sync methods (`exec`, `write_file`, ...) for scripts and tests. Implementations usually subclass
`BaseSandbox`, which derives the async forms from the sync ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from ._result import ExecResult, FileInfo

__all__ = ['Command', 'Sandbox', 'SandboxProvider']

#: A shell command line (run with `/bin/sh -c`) or an argv list (run directly, no shell).
Command = str | Sequence[str]

#: Receives a running command's output as it arrives: `(stream, text)`, stream being 'stdout' or 'stderr'.
OnOutput = Callable[[str, str], None]


@runtime_checkable
class Sandbox(Protocol):
    """An isolated place to run commands and keep files; paths are relative to its workspace.

    Limits and errors are implementation-specific; see `DockerSandbox` for the Docker one. `on_output`, when
    given to `exec`/`aexec`, receives the command's output while it runs (`aexec`: on the event loop's thread);
    the returned `ExecResult` is the same either way.
    """

    def exec(
        self, cmd: Command, *, timeout_s: float | None = None, env: Mapping[str, str] | None = None,
        cwd: str | None = None, stdin: str | bytes | None = None, on_output: OnOutput | None = None,
    ) -> ExecResult: ...  # fmt: skip

    def write_file(self, path: str, data: str | bytes, *, mode: int | None = None) -> None: ...

    def read_file(self, path: str) -> bytes: ...

    def list_files(self, path: str = '.', *, recursive: bool = False) -> list[FileInfo]: ...

    def workspace_digest(self) -> dict[str, str]: ...

    def copy_out(self, path: str, dest: str | os.PathLike[str]) -> list[str]: ...

    def copy_in(self, src: str | os.PathLike[str], dest: str = '.') -> list[str]: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...

    async def aexec(
        self, cmd: Command, *, timeout_s: float | None = None, env: Mapping[str, str] | None = None,
        cwd: str | None = None, stdin: str | bytes | None = None, on_output: OnOutput | None = None,
    ) -> ExecResult: ...  # fmt: skip

    async def awrite_file(self, path: str, data: str | bytes, *, mode: int | None = None) -> None: ...

    async def aread_file(self, path: str) -> bytes: ...

    async def alist_files(self, path: str = '.', *, recursive: bool = False) -> list[FileInfo]: ...

    async def aworkspace_digest(self) -> dict[str, str]: ...

    async def acopy_out(self, path: str, dest: str | os.PathLike[str]) -> list[str]: ...

    async def acopy_in(self, src: str | os.PathLike[str], dest: str = '.') -> list[str]: ...

    async def areset(self) -> None: ...

    async def aclose(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


@runtime_checkable
class SandboxProvider(Protocol):
    """Lends sandboxes, one for each run (or scenario), and takes them back when it ends. `SandboxPool` is one.

    An `Agent` given a provider acquires a sandbox when a run starts and releases it when the run ends or pauses.
    """

    async def aacquire(self, timeout_s: float | None = None) -> Sandbox:
        """A clean sandbox for one run.

        Raises:
            PoolExhaustedError: none became free within `timeout_s`.
            SandboxError: a sandbox could not be started.
        """
        ...

    async def arelease(self, sandbox: Sandbox) -> None:
        """Take back a sandbox this provider lent.

        Raises:
            ValueError: `sandbox` was not lent by this provider.
        """
        ...

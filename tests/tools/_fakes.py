"""A local fake of the sandbox contract, for the unit tests of the built-in tools."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agentcore.sandbox import ExecResult, FileInfo, Limit, SandboxFileNotFoundError, WorkspacePathError


class FakeSandbox:
    """The sandbox contract (`aexec`, `awrite_file`, `aread_file`, `alist_files`) on local processes and files.

    Commands run as local subprocesses in `workspace`, unconfined: only for tests. It returns the sandbox's own
    `ExecResult` and `FileInfo` and raises its `WorkspacePathError` and `SandboxFileNotFoundError`.
    """

    def __init__(self, workspace: Path, output_limit: int = 1 << 20) -> None:
        self.workspace = workspace
        self.output_limit = output_limit
        self.calls: list[dict[str, Any]] = []

    def _resolve(self, rel: str) -> Path:
        real = (self.workspace / rel).resolve()
        if rel.startswith('/') or '..' in rel.split('/') or not real.is_relative_to(self.workspace.resolve()):
            raise WorkspacePathError(f'path {rel!r} is outside the workspace')
        return real

    def _existing(self, rel: str) -> Path:
        real = self._resolve(rel)
        if not real.exists():
            raise SandboxFileNotFoundError(f'{rel!r} does not exist')
        return real

    async def aexec(
        self,
        cmd: str | list[str],
        *,
        timeout_s: float | None = None,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        stdin: str | bytes | None = None,
        on_output: Callable[[str, str], None] | None = None,
    ) -> ExecResult:
        argv = ['/bin/sh', '-c', cmd] if isinstance(cmd, str) else list(cmd)
        self.calls.append({'argv': argv, 'timeout_s': timeout_s, 'stdin': stdin, 'streamed': on_output is not None})
        start = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=self._resolve(cwd or '.'),
            env={**os.environ, **(env or {})},
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        data = stdin.encode() if isinstance(stdin, str) else stdin
        got = {'stdout': bytearray(), 'stderr': bytearray()}

        async def pump(name: str, reader: asyncio.StreamReader) -> None:
            while chunk := await reader.read(1 << 16):
                got[name] += chunk
                if on_output is not None:
                    on_output(name, chunk.decode(errors='replace'))

        async def communicate() -> None:
            assert proc.stdout is not None and proc.stderr is not None
            if proc.stdin is not None:
                proc.stdin.write(data or b'')
                proc.stdin.close()
            await asyncio.gather(pump('stdout', proc.stdout), pump('stderr', proc.stderr), proc.wait())

        timed_out = False
        try:
            await asyncio.wait_for(communicate(), timeout_s or 60)
        except TimeoutError:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()
        out, err = bytes(got['stdout']), bytes(got['stderr'])
        cut = len(out) > self.output_limit or len(err) > self.output_limit
        return ExecResult(
            exit_code=-9 if timed_out else proc.returncode or 0,
            stdout=out[: self.output_limit].decode(errors='replace'),
            stderr=err[: self.output_limit].decode(errors='replace'),
            timed_out=timed_out,
            truncated=cut,
            duration_s=time.monotonic() - start,
            oom_killed=False,
            limit=Limit.TIMEOUT if timed_out else Limit.OUTPUT if cut else None,
        )

    async def awrite_file(self, path: str, data: str | bytes, *, mode: int | None = None) -> None:
        real = self._resolve(path)
        real.parent.mkdir(parents=True, exist_ok=True)
        real.write_bytes(data.encode() if isinstance(data, str) else data)

    async def aread_file(self, path: str) -> bytes:
        return self._existing(path).read_bytes()

    async def alist_files(self, path: str = '.', *, recursive: bool = False) -> list[FileInfo]:
        real = self._existing(path)
        items = sorted(real.rglob('*') if recursive else real.iterdir()) if real.is_dir() else [real]
        root = self.workspace.resolve()
        return [
            FileInfo(str(item.relative_to(root)), 'dir' if item.is_dir() else 'file', item.stat().st_size, 0o644, 0.0)
            for item in items
        ]

"""`SandboxPool`: pre-started, clean sandboxes, so that taking one never waits for a container start.

A released sandbox is reset in the background (every process killed, workspace, /tmp and /dev/shm emptied,
System V IPC removed, each verified) and only then offered again; if the reset cannot prove it clean, or the
sandbox was used `max_uses` times, it is destroyed and a fresh one started instead. A sandbox is never handed to
another run dirty.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from agentcore._closing import Closing

from ._base import run_blocking
from ._config import SandboxConfig
from ._docker import DockerSandbox
from ._errors import PoolExhaustedError, SandboxClosedError, SandboxError

if TYPE_CHECKING:
    import docker

    from ._protocol import Sandbox

__all__ = ['SandboxPool']


class SandboxPool(Closing):
    """A pool of warm `DockerSandbox`es.

    Args:
        config: Settings for every sandbox in the pool.
        size: How many idle, warm sandboxes to keep ready.
        max_size: Most sandboxes alive at once (idle, in use, starting or resetting); default `max(4 * size, 8)`.
        max_uses: After this many runs a sandbox is destroyed rather than reset.
        client: Docker client to use (default: the shared one).
        factory: Makes a new sandbox (default: `DockerSandbox(config, client=client)`).

    Raises:
        ValueError: `size < 0`, `max_size < max(size, 1)` or `max_uses < 1`.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, size: int = 2, max_size: int | None = None,
        max_uses: int = 100, client: docker.DockerClient | None = None,
        factory: Callable[[], DockerSandbox] | None = None,
    ) -> None:  # fmt: skip
        self.config = config or SandboxConfig()
        self.size, self.max_size, self.max_uses = size, max_size or max(4 * size, 8), max_uses
        if size < 0 or self.max_size < max(size, 1) or max_uses < 1:
            raise ValueError(f'invalid pool sizes: size={size}, max_size={max_size}, max_uses={max_uses}')
        self._factory = factory or (lambda: DockerSandbox(self.config, client=client))
        self._cond = threading.Condition()
        self._idle: collections.deque[DockerSandbox] = collections.deque()
        self._in_use: dict[int, DockerSandbox] = {}
        self._uses: dict[int, int] = {}
        self._starting = self._resetting = 0
        self._closed = False
        self._workers = ThreadPoolExecutor(max_workers=max(2, min(size, 8)), thread_name_prefix='agentcore-pool')
        self._refill()

    # --- bookkeeping (call with self._cond held) ------------------------------------------------------------

    def _total(self) -> int:
        return len(self._idle) + len(self._in_use) + self._starting + self._resetting

    def _refill(self) -> None:
        with self._cond:
            if self._closed:
                return
            wanted = self.size - (len(self._idle) + self._starting + self._resetting)
            count = max(0, min(wanted, self.max_size - self._total()))
            self._starting += count
        for _ in range(count):
            self._workers.submit(self._start_one)

    def _start_one(self) -> None:
        try:
            sandbox: DockerSandbox | None = self._factory()
        except Exception:
            sandbox = None
        with self._cond:
            self._starting -= 1
            if sandbox is not None and not self._closed:
                self._idle.append(sandbox)
                sandbox = None
            self._cond.notify_all()
        if sandbox is not None:
            sandbox.close()

    def _reset_one(self, sandbox: DockerSandbox) -> None:
        try:
            sandbox.reset()
            clean = sandbox.healthy
        except SandboxError:
            clean = False
        with self._cond:
            self._resetting -= 1
            keep = clean and not self._closed
            if keep:
                self._idle.append(sandbox)
            self._cond.notify_all()
        if not keep:
            self._destroy(sandbox)
        self._refill()

    def _submit(self, job: Callable[[DockerSandbox], None], sandbox: DockerSandbox) -> None:
        try:
            self._workers.submit(job, sandbox)
        except RuntimeError:  # the pool closed meanwhile and its workers are gone
            sandbox.close()

    def _destroy(self, sandbox: DockerSandbox) -> None:
        with self._cond:
            self._uses.pop(id(sandbox), None)
        sandbox.close()

    # --- public ---------------------------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """Counts of idle, in-use, starting and resetting sandboxes."""
        with self._cond:
            return {'idle': len(self._idle), 'in_use': len(self._in_use), 'starting': self._starting,
                    'resetting': self._resetting}  # fmt: skip

    def wait_ready(self, timeout_s: float = 60.0) -> bool:
        """Block until no start or reset is in flight (or `timeout_s` passes); True if `size` are then idle."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while (self._starting or self._resetting) and not self._closed:
                if not self._cond.wait(deadline - time.monotonic()):
                    break
            return len(self._idle) >= self.size

    def _claim(self, deadline: float | None) -> DockerSandbox | None:
        with self._cond:
            while True:
                if self._closed:
                    raise SandboxClosedError('the sandbox pool is closed')
                if self._idle:
                    return self._idle.popleft()
                if self._starting == 0 and self._total() < self.max_size:
                    self._starting += 1
                    return None  # nothing warm is coming: start one in the caller's thread
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise PoolExhaustedError(f'no sandbox free within the timeout (max_size={self.max_size})')
                self._cond.wait(remaining)

    def acquire(self, timeout_s: float | None = None) -> DockerSandbox:
        """Take a clean sandbox: a warm one at once if any is idle, else the next one to finish starting.

        Raises:
            PoolExhaustedError: `timeout_s` passed with `max_size` sandboxes in use.
            SandboxClosedError: the pool is closed.
            ImageNotFoundError, EngineUnavailableError, SandboxStartError: a needed start failed.
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            sandbox = self._claim(deadline)
            if sandbox is None:
                try:
                    sandbox = self._factory()
                finally:
                    with self._cond:
                        self._starting -= 1
            elif not sandbox.ping():
                self._submit(self._destroy, sandbox)
                continue
            with self._cond:
                self._in_use[id(sandbox)] = sandbox
            self._refill()
            return sandbox

    def release(self, sandbox: Sandbox) -> None:
        """Give a sandbox back; it is reset (or destroyed) in the background before anyone else gets it.

        Raises:
            ValueError: `sandbox` is not currently acquired from this pool.
        """
        with self._cond:
            if self._closed:
                return  # close() already destroyed it
            lent = self._in_use.pop(id(sandbox), None)
            if lent is None:
                raise ValueError('this sandbox is not in use from this pool')
            uses = self._uses[id(lent)] = self._uses.get(id(lent), 0) + 1
            reuse = not self._closed and lent.healthy and uses < self.max_uses
            if reuse:
                self._resetting += 1
        self._submit(self._reset_one if reuse else self._destroy, lent)
        self._refill()

    @contextlib.contextmanager
    def sandbox(self, timeout_s: float | None = None) -> Iterator[DockerSandbox]:
        """`with pool.sandbox() as sb:` acquires and always releases."""
        sandbox = self.acquire(timeout_s)
        try:
            yield sandbox
        finally:
            self.release(sandbox)

    async def aacquire(self, timeout_s: float | None = None) -> DockerSandbox:
        """Async `acquire`."""
        return await run_blocking(self.acquire, timeout_s)

    async def arelease(self, sandbox: Sandbox) -> None:
        """Async `release`."""
        await run_blocking(self.release, sandbox)

    @contextlib.asynccontextmanager
    async def asandbox(self, timeout_s: float | None = None) -> AsyncIterator[DockerSandbox]:
        """`async with pool.asandbox() as sb:` acquires and always releases."""
        sandbox = await self.aacquire(timeout_s)
        try:
            yield sandbox
        finally:
            await self.arelease(sandbox)

    def close(self) -> None:
        """Destroy every sandbox of the pool, in use or not (idempotent)."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            doomed = list(self._idle) + list(self._in_use.values())
            self._idle.clear()
            self._in_use.clear()
            self._cond.notify_all()
        for sandbox in doomed:
            self._workers.submit(sandbox.close)
        self._workers.shutdown(wait=True)

    async def aclose(self) -> None:
        """Async `close`."""
        await run_blocking(self.close)


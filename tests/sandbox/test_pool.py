"""SandboxPool against the real engine: warm acquire, clean hand-over, replacement of dirty or dead sandboxes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agentcore.sandbox import PoolExhaustedError, SandboxClosedError, SandboxPool

from .conftest import small_config

pytestmark = pytest.mark.docker

_DIRTY = (
    'echo secret > /workspace/left.txt; echo t > /tmp/left; echo s > /dev/shm/left; '
    'mkdir -p locked/deep && touch locked/deep/f && chmod 000 locked; '
    'python3 -c "from multiprocessing import shared_memory as s; m = s.SharedMemory(create=True, size=4096); '
    'm.buf[:6] = b\'secret\'; print(m.name)"; '
    'python3 -c "import ctypes; assert ctypes.CDLL(None).shmget(0, 4096, 0o1600) >= 0"; '
    'setsid sleep 1010 & nohup sleep 1011 >/dev/null 2>&1 &'
)
_CHECK = (
    'ls -A /workspace /tmp /dev/shm; cat /proc/sysvipc/shm | wc -l; '
    "for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null; echo; done | grep -c '[s]leep 101' || true"
)


@pytest.fixture
def pool(image: str) -> Iterator[SandboxPool]:
    with SandboxPool(small_config(), size=2, max_size=3) as pool:
        assert pool.wait_ready(60)
        yield pool


def test_warm_acquire_starts_no_container(pool: SandboxPool, created_containers: list[dict[str, Any]]) -> None:
    before = len(created_containers)
    sb = pool.acquire()
    assert len(created_containers) == before  # handed over a pre-started one
    assert sb.exec('echo warm').stdout == 'warm\n'
    pool.release(sb)


def test_released_sandbox_comes_back_clean(pool: SandboxPool) -> None:
    with pool.sandbox() as sb:
        first_id = sb.id
        assert sb.exec(_DIRTY).exit_code == 0
        assert 'left.txt' in sb.exec('ls').stdout
        assert sb.exec(_CHECK).stdout.split()[-2:] == ['2', '2']  # the dirt is really there
    assert pool.wait_ready(30)
    seen = []
    for _ in range(pool.stats()['idle']):  # every idle one is clean, the reused one included
        sb = pool.acquire()
        seen.append(sb)
        check = sb.exec(_CHECK).stdout.split()
        assert check == ['/dev/shm:', '/tmp:', '/workspace:', '1', '0'], check
    assert first_id in {s.id for s in seen}
    for sb in seen:
        pool.release(sb)


def test_sandbox_is_destroyed_after_max_uses_and_when_broken(image: str) -> None:
    with SandboxPool(small_config(), size=1, max_size=2, max_uses=1) as pool:
        with pool.sandbox() as sb:
            used_id = sb.id
        with pool.sandbox() as sb:
            assert sb.id != used_id
            sb.close()  # a caller breaking it must not poison the pool
        with pool.sandbox() as sb:
            assert not sb.closed and sb.exec('echo ok').stdout == 'ok\n'


def test_acquire_times_out_when_exhausted_and_refuses_after_close(image: str) -> None:
    pool = SandboxPool(small_config(), size=0, max_size=1)
    held = pool.acquire()
    with pytest.raises(PoolExhaustedError):
        pool.acquire(timeout_s=0.2)
    pool.release(held)
    pool.close()
    assert held.closed
    with pytest.raises(SandboxClosedError):
        pool.acquire()


async def test_async_pool(image: str) -> None:
    async with SandboxPool(small_config(), size=1) as pool:
        async with pool.asandbox() as sb:
            result = await sb.aexec('echo async-pool')
        assert result.stdout == 'async-pool\n'
        with pytest.raises(ValueError, match='not in use'):
            pool.release(sb)

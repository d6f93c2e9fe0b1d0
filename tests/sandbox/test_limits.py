"""Hostile commands against a real sandbox: each limit holds, comes back as a clear result, and the sandbox recovers.

Every test uses its own sandbox with small limits (see `small_config`), so the bombs are stopped by the limits
themselves within seconds.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from agentcore.sandbox import DockerSandbox, Limit, SandboxDiedError

pytestmark = pytest.mark.docker


def test_fork_bomb_is_contained_by_the_pids_limit(fresh: DockerSandbox) -> None:
    old_id = fresh.id
    t0 = time.monotonic()
    result = fresh.exec('bomb() { bomb | bomb & }; bomb; sleep 5', timeout_s=2)
    assert time.monotonic() - t0 < 2 + fresh.config.host_grace_s + 3
    assert result.limit is Limit.PIDS and 'process limit of 64 reached' in result.stderr
    assert result.recycled and fresh.id != old_id
    assert fresh.exec('echo alive').stdout == 'alive\n'


def test_memory_bomb_is_oom_killed_not_the_executor(fresh: DockerSandbox) -> None:
    fresh.write_file('keep.txt', 'x')
    result = fresh.exec(['python3', '-c', 'b = []\nwhile True: b.append(bytearray(16 << 20))'], timeout_s=30)
    assert result.oom_killed is True and result.limit is Limit.MEMORY
    assert result.exit_code == -9 and 'memory limit of 192 MiB reached' in result.stderr
    assert result.recycled and fresh.list_files() == []
    assert fresh.exec('echo alive').stdout == 'alive\n'


def test_disk_fill_reports_a_full_workspace(fresh: DockerSandbox) -> None:
    result = fresh.exec('for i in 1 2 3 4 5; do head -c 10000000 /dev/zero > f$i || break; done; df -k .', timeout_s=30)
    assert result.limit is Limit.DISK and 'No space left on device' in result.stderr
    assert 'is full' in result.stderr and result.recycled
    assert fresh.exec('df -k . | tail -1').stdout.split()[2] == '0'


def test_single_file_over_fsize_is_stopped(fresh: DockerSandbox) -> None:
    result = fresh.exec('head -c 20000000 /dev/zero > big', timeout_s=30)
    assert result.limit is Limit.FILE_SIZE and result.exit_code == 128 + 25 and result.recycled
    assert 'file size limit of 16 MiB reached' in result.stderr


def test_tmp_and_shm_are_bounded_too(fresh: DockerSandbox) -> None:
    result = fresh.exec('head -c 40000000 /dev/zero > /dev/shm/fill', timeout_s=30)
    assert result.limit is Limit.DISK and result.recycled


def test_network_is_unreachable(fresh: DockerSandbox) -> None:
    script = (
        'import socket\n'
        'for host, port in [("1.1.1.1", 53), ("8.8.8.8", 443), ("deb.debian.org", 80)]:\n'
        '    try:\n'
        '        socket.create_connection((host, port), timeout=2); print("CONNECTED", host)\n'
        '    except OSError as exc:\n'
        '        print("blocked", host, type(exc).__name__)\n'
        'import os; print(sorted(os.listdir("/sys/class/net")))\n'
    )
    result = fresh.exec(['python3', '-c', script], timeout_s=20)
    assert 'CONNECTED' not in result.stdout and result.stdout.count('blocked') == 3
    assert result.stdout.strip().endswith("['lo']")


def test_hung_executor_hits_the_host_deadline_and_is_replaced(fresh: DockerSandbox) -> None:
    fresh.write_file('lost.txt', 'x')
    old_id = fresh.id
    t0 = time.monotonic()
    result = fresh.exec('kill -STOP $PPID; sleep 100', timeout_s=1)
    elapsed = time.monotonic() - t0
    assert result.timed_out and result.limit is Limit.EXECUTOR and result.recycled
    assert 1 + fresh.config.host_grace_s <= elapsed < 1 + fresh.config.host_grace_s + 3
    assert fresh.id != old_id and fresh.list_files() == []
    assert fresh.exec('echo fresh').stdout == 'fresh\n'


def test_killed_executor_is_reported_and_replaced(fresh: DockerSandbox) -> None:
    old_id = fresh.id
    result = fresh.exec('kill -9 $PPID; sleep 5', timeout_s=10)
    assert result.limit is Limit.EXECUTOR and not result.timed_out and result.recycled
    assert 'executor died' in result.stderr and fresh.id != old_id
    assert fresh.exec('echo fresh').stdout == 'fresh\n'


def test_file_descriptor_limit_holds(fresh: DockerSandbox) -> None:
    script = (
        'import os\nfds = []\ntry:\n    while True: fds.append(os.open("/dev/null", 0))\n'
        'except OSError as e: print(len(fds), e.errno)'
    )
    count, errno = fresh.exec(['python3', '-c', script]).stdout.split()
    assert int(count) < fresh.config.nofile and errno == '24'


def test_container_killed_from_outside_is_a_typed_error_then_replaced(fresh: DockerSandbox, engine: Any) -> None:
    fresh.write_file('a.txt', 'x')
    engine.api.remove_container(fresh.id, force=True)
    with pytest.raises(SandboxDiedError) as info:
        fresh.read_file('a.txt')
    assert 'replaced by a fresh sandbox' in str(info.value) and info.value.hint
    assert fresh.list_files() == [] and fresh.exec('echo back').stdout == 'back\n'
    engine.api.remove_container(fresh.id, force=True)
    result = fresh.exec('echo lost')
    assert result.limit is Limit.EXECUTOR and result.recycled and 'executor died' in result.stderr

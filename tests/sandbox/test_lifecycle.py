"""Nothing is left behind: close removes, a SIGKILLed owner's containers go away, orphans are reaped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore.sandbox import DockerSandbox, ImageNotFoundError, SandboxClosedError, reap_orphans

from .conftest import SESSION, TEST_LABEL, small_config

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
Spawn = Callable[[str], tuple[subprocess.Popen[str], list[str]]]

_OWNER = f"""
import sys, threading, time
from agentcore.sandbox import DockerSandbox, SandboxConfig, SandboxPool
cfg = SandboxConfig(memory_mb=192, workspace_mb=16, labels={{'{TEST_LABEL}': '{SESSION}'}})
sb = DockerSandbox(cfg)
pool = SandboxPool(cfg, size=2)
pool.wait_ready(60)
busy = pool.acquire()
pool.wait_ready(60)
threading.Thread(target=busy.exec, args=('sleep 600',), daemon=True).start()
mode = sys.argv[1]
if mode == 'stop':  # the executor gets SIGSTOPped, so it can never notice its owner is gone
    sb.exec('(sleep 0.3; kill -STOP $PPID) >/dev/null 2>&1 &')
ids = [sb.id, busy.id] + [s.id for s in pool._idle]
print(' '.join(ids), flush=True)
time.sleep(600)
"""


def _exists(engine: Any, cid: str) -> bool:
    return bool(engine.api.containers(all=True, filters={'id': cid}))


@pytest.fixture
def spawn_owner(engine: Any) -> Iterator[Callable[[str], tuple[subprocess.Popen[str], list[str]]]]:
    """Start owner processes; whatever happens in the test, they are killed and their orphans reaped after it."""
    procs: list[subprocess.Popen[str]] = []

    def spawn(mode: str) -> tuple[subprocess.Popen[str], list[str]]:
        proc = subprocess.Popen([sys.executable, '-c', _OWNER, mode], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        procs.append(proc)
        assert proc.stdout is not None
        ids = proc.stdout.readline().split()
        assert len(ids) == 4, ids
        return proc, ids

    yield spawn
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    reap_orphans(engine)


def _wait_gone(engine: Any, ids: list[str], timeout_s: float) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        left = [cid for cid in ids if _exists(engine, cid)]
        if not left:
            return []
        time.sleep(0.2)
    return left


def test_close_removes_the_container(engine: Any, image: str) -> None:
    sb = DockerSandbox(small_config())
    cid = sb.id
    assert _exists(engine, cid)
    sb.close()
    sb.close()
    assert not _exists(engine, cid) and sb.closed
    with pytest.raises(SandboxClosedError):
        sb.exec('true')


def test_sigkill_of_the_owner_leaves_no_container(engine: Any, image: str, spawn_owner: Spawn) -> None:
    proc, ids = spawn_owner('plain')
    assert all(_exists(engine, cid) for cid in ids)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _wait_gone(engine, ids, timeout_s=20) == []


def test_orphans_of_a_killed_owner_are_reaped_on_next_start_and_by_prune(
    engine: Any, image: str, spawn_owner: Spawn
) -> None:
    proc, ids = spawn_owner('stop')
    time.sleep(1.0)  # let the background job stop the executor
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    orphan = ids[0]
    others = _wait_gone(engine, ids[1:], timeout_s=20)
    assert others == [] and _exists(engine, orphan)  # a stopped executor cannot clean up after itself
    assert orphan[:12] in reap_orphans(engine, dry_run=True)
    next_start = subprocess.run(
        [sys.executable, '-c', 'from agentcore.sandbox import DockerSandbox\nDockerSandbox().close()'], cwd=ROOT, check=True
    )
    assert next_start.returncode == 0 and _wait_gone(engine, [orphan], timeout_s=5) == []

    proc, ids = spawn_owner('stop')
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _wait_gone(engine, ids[1:], timeout_s=20) == [] and _exists(engine, ids[0])
    cli = subprocess.run([sys.executable, '-c', 'from agentcore.cli import main; main()', 'sandbox', 'prune'],
                         cwd=ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    assert cli.returncode == 0 and 'removed' in cli.stdout and ids[0][:12] in cli.stdout, cli.stderr
    assert not _exists(engine, ids[0])


def test_reaper_spares_containers_of_live_owners(engine: Any, image: str) -> None:
    with DockerSandbox(small_config()) as sb:
        assert sb.id[:12] not in reap_orphans(engine) and _exists(engine, sb.id)
        assert sb.exec('echo alive').stdout == 'alive\n'


def test_missing_image_is_a_typed_error_with_the_fix(engine: Any) -> None:
    before = len(engine.api.containers(all=True))
    with pytest.raises(ImageNotFoundError) as info:
        DockerSandbox(small_config(image='agentcore-sandbox:no-such-tag'))
    assert info.value.hint == 'agentcore sandbox build' and 'no-such-tag' in str(info.value)
    assert len(engine.api.containers(all=True)) == before


def test_reap_uses_owner_labels(engine: Any, image: str) -> None:
    with DockerSandbox(small_config()) as sb:
        labels = engine.api.inspect_container(sb.id)['Config']['Labels']
    assert labels['agentcore.sandbox'] == '1' and labels['agentcore.sandbox.pid'] == str(os.getpid())
    assert labels['agentcore.sandbox.pid-start'] and labels['agentcore.sandbox.owner']


def test_close_while_a_command_runs_interrupts_it(engine: Any, fresh: DockerSandbox) -> None:
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            fresh.exec('sleep 60', timeout_s=60)
        except BaseException as exc:  # noqa: B036 - recorded for the assertion
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.5)
    cid = fresh.id
    t0 = time.monotonic()
    fresh.close()
    worker.join(10)
    assert not worker.is_alive() and time.monotonic() - t0 < 5
    assert len(outcome) == 1 and isinstance(outcome[0], SandboxClosedError)
    assert not _exists(engine, cid)

"""Ownership labels, orphan reaping and the at-exit cleanup that together leave no container behind.

Three layers: `close()` removes a container; every container is created with `StdinOnce` and `AutoRemove`, so
when the owning process dies (even by SIGKILL) its attach socket closes, the executor sees end of stdin and exits,
and the engine removes the container; and `reap_orphans()` (run once per process at the first sandbox start, and
by `agentcore sandbox prune`) removes labelled containers whose owner process is gone.
"""

from __future__ import annotations

import atexit
import datetime
import os
import socket
import threading
import weakref
from typing import TYPE_CHECKING, Protocol

from ._engine import engine_errors, remove_container

if TYPE_CHECKING:
    import docker

__all__ = ['LABEL', 'owner_labels', 'reap_once', 'reap_orphans', 'track']

LABEL = 'agentcore.sandbox'
_OWNER = f'{LABEL}.owner'
_PID = f'{LABEL}.pid'
_PID_START = f'{LABEL}.pid-start'
_reaped = False
_reap_lock = threading.Lock()


class _Closable(Protocol):
    def close(self) -> None: ...


_live: weakref.WeakSet[_Closable] = weakref.WeakSet()


def _pid_start(pid: int) -> str:
    try:
        with open(f'/proc/{pid}/stat', 'rb') as fh:
            return fh.read().rsplit(b')', 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ''


def _owner() -> str:
    try:
        namespace = os.readlink('/proc/self/ns/pid')
    except OSError:
        namespace = ''
    return f'{socket.gethostname()}/{namespace}'


def owner_labels() -> dict[str, str]:
    """Labels naming this process as the owner of a new container."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')
    pid = os.getpid()
    return {LABEL: '1', _OWNER: _owner(), _PID: str(pid), _PID_START: _pid_start(pid), f'{LABEL}.created': now}


def _owner_alive(labels: dict[str, str]) -> bool:
    try:
        pid = int(labels.get(_PID, ''))
    except ValueError:
        return False
    start = _pid_start(pid)
    if not start:
        return False
    return not labels.get(_PID_START) or labels[_PID_START] == start


def reap_orphans(client: docker.DockerClient, *, everything: bool = False, dry_run: bool = False) -> list[str]:
    """Remove sandbox containers whose owner process (on this host) is gone; return their short ids.

    Args:
        client: The Docker client.
        everything: Remove every agentcore sandbox container, whoever owns it.
        dry_run: Only report what would be removed.

    Raises:
        EngineUnavailableError, EnginePermissionError: the engine cannot be used.
    """
    me = _owner()
    with engine_errors():
        found = client.api.containers(all=True, filters={'label': f'{LABEL}=1'})
    doomed = [
        c['Id'] for c in found
        if everything or (c['Labels'].get(_OWNER) == me and not _owner_alive(c['Labels']))
    ]  # fmt: skip
    if not dry_run:
        for cid in doomed:
            remove_container(client, cid)
    return [cid[:12] for cid in doomed]


def reap_once(client: docker.DockerClient) -> None:
    """Run `reap_orphans` the first time a sandbox starts in this process."""
    global _reaped
    with _reap_lock:
        if not _reaped:
            _reaped = True
            reap_orphans(client)


def track(sandbox: _Closable) -> None:
    """Close `sandbox` at interpreter exit if it is still open then."""
    _live.add(sandbox)


@atexit.register
def _close_all() -> None:
    threads = [threading.Thread(target=sb.close, daemon=True) for sb in list(_live)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

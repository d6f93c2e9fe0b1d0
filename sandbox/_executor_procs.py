"""Process, cgroup and reset helpers of the in-container executor (standard library only; shipped).

The sandbox user cannot use cgroups or change uid (every capability is dropped), so a call's processes are found
by scanning /proc: every live process that did not exist when the call started belongs to it, wherever it was
re-parented to by `setsid` or a double fork. Killing repeats until a scan finds nothing, so children forked during
the kill are caught; the pids limit bounds how long a fork bomb can keep that up.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import time
from typing import Any

_ME = os.getpid()
_IPC_RMID = 0
_KILL_ROUNDS = 500


def live_pids() -> set[int]:
    """Live (non-zombie) processes in the container other than this one and the init process (pid 1)."""
    found = set()
    for name in os.listdir('/proc'):
        if not name.isdigit() or int(name) in (1, _ME):
            continue
        try:
            with open(f'/proc/{name}/stat', 'rb') as fh:
                state = fh.read().rsplit(b')', 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in (b'Z', b'X'):
            found.add(int(name))
    return found


def all_pids() -> set[int]:
    """Every process id in the container, zombies included (cheap: no per-process reads)."""
    return {int(name) for name in os.listdir('/proc') if name.isdigit()}


def reap() -> None:
    """Collect any exited children of the executor so they stop showing up in /proc."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_new(before: set[int], pgid: int | None) -> bool:
    """SIGKILL process group `pgid` and every live process not in `before`; True once none is left."""
    if pgid is not None:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
    for _ in range(_KILL_ROUNDS):
        victims = live_pids() - before
        if not victims:
            return True
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        # No reap() here: it would steal the exit status of the call's own process from Popen.
        time.sleep(0.001)
    return False


def kill_all() -> bool:
    """SIGKILL every process of the sandbox user except this one (and init); True once none is left.

    `kill(-1, SIGKILL)` is atomic with respect to fork in Linux (it runs under the tasklist lock), so one call
    takes out a fork bomb; the loop only covers processes that were exiting or being reaped meanwhile.
    """
    for _ in range(_KILL_ROUNDS // 10):
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        reap()
        if not live_pids():
            return True
        time.sleep(0.005)
    return False


def _counter(paths: list[str], key: str) -> int | None:
    for path in paths:
        try:
            with open(path) as fh:
                for line in fh:
                    name, _, value = line.partition(' ')
                    if name == key:
                        return int(value)
        except (OSError, ValueError):
            continue
    return None


def oom_kills() -> int | None:
    """The container's OOM-kill counter (cgroup v1 or v2), or None if unreadable."""
    return _counter(['/sys/fs/cgroup/memory/memory.oom_control', '/sys/fs/cgroup/memory.events'], 'oom_kill')


def pids_max_hits() -> int | None:
    """How often a fork failed because the pids limit was reached (cgroup v1 or v2), or None if unreadable."""
    return _counter(['/sys/fs/cgroup/pids/pids.events', '/sys/fs/cgroup/pids.events'], 'max')


def disk_full(dirs: list[str]) -> bool:
    """True if any of the writable mounts in `dirs` has no free block left."""
    for path in dirs:
        try:
            st = os.statvfs(path)
        except OSError:
            continue
        if st.f_blocks and st.f_bavail == 0:
            return True
    return False


def _unlock(top: str) -> None:
    # The user may have chmod-ed directories to 000; give them back to the owner before deleting.
    stack = [top]
    while stack:
        path = stack.pop()
        try:
            if path != top:
                os.chmod(path, 0o700)
            with os.scandir(path) as it:
                stack.extend(e.path for e in it if e.is_dir(follow_symlinks=False))
        except OSError:
            continue


def wipe(top: str) -> list[str]:
    """Delete everything inside directory `top` (not `top` itself); return what could not be deleted."""
    if not os.path.isdir(top):
        return []
    _unlock(top)
    for _ in range(3):
        for entry in list(os.scandir(top)):
            try:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass
        left = os.listdir(top)
        if not left:
            return []
    return [os.path.join(top, name) for name in left]


def _ipc_ids(kind: str) -> list[int]:
    try:
        with open(f'/proc/sysvipc/{kind}') as fh:
            return [int(line.split()[1]) for line in list(fh)[1:] if line.strip()]
    except (OSError, ValueError, IndexError):
        return []


def remove_ipc() -> int:
    """Remove every System V shared memory segment, semaphore set and message queue; return how many are left."""
    libc: Any = ctypes.CDLL(None, use_errno=True)
    for ident in _ipc_ids('shm'):
        libc.shmctl(ident, _IPC_RMID, None)
    for ident in _ipc_ids('sem'):
        libc.semctl(ident, 0, _IPC_RMID)
    for ident in _ipc_ids('msg'):
        libc.msgctl(ident, _IPC_RMID, None)
    return sum(len(_ipc_ids(kind)) for kind in ('shm', 'sem', 'msg'))


def op_reset(req: dict[str, Any], payload: bytes) -> tuple[dict[str, Any], bytes]:
    """Kill every user process, empty the writable mounts and remove System V IPC objects; report what is left."""
    procs_clean = kill_all()
    ipc_left = remove_ipc()
    dirty = [path for top in req['wipe'] for path in wipe(top)]
    clean = procs_clean and not ipc_left and not dirty
    return {'clean': clean, 'procs_left': len(live_pids()), 'ipc_left': ipc_left, 'dirty': dirty[:20]}, b''

"""The in-container executor: a stdlib-only Python process that runs commands and file operations for the host.

Not imported on the host: `agentcore.sandbox._boot` ships this module (and the `_executor_*`, `_tarsafe` and `_errors`
modules it uses) over the container's attached stdin at start-up, and the image's `python3` (>= 3.9) runs it.

Protocol: authenticated frames as in `agentcore.sandbox._executor_wire`. The host sends one request at a time and reads
one reply; while an `exec` runs it may also send `{"op": "cancel", "id": N}`, which gets no reply of its own.
End of stdin means the host is gone: every user process is killed and the executor exits, which stops (and
removes) the container.

With `"stream": true` in an `exec` request, output is also sent while the command runs, as extra frames
`{"op": "out", "id": N, "stream": "stdout"|"stderr"}` + bytes before the reply: at most one per stream every
50 ms or per 8 KiB, and only the bytes kept under the output cap (so at most `limit` bytes per stream in all).

Limits enforced here (the host keeps its own deadline on top, in case this process hangs or dies):
- the per-call timeout kills every process created during the call (see `agentcore.sandbox._executor_procs`);
- stdout and stderr are capped at `limit` bytes each; the rest is read and discarded so the command never blocks;
- the process is made non-dumpable, so the sandbox user cannot ptrace it or open its /proc fds to forge replies.
"""

from __future__ import annotations

import ctypes
import os
import selectors
import signal
import subprocess
import sys
import time
from typing import Any

from agentcore.sandbox import _executor_files as files, _executor_procs as procs
from agentcore.sandbox._executor_wire import Wire

_CHUNK = 1 << 16
_EXIT_GRACE_S = 0.1
_NO_PIDFD_POLL_S = 0.005
_SIGXFSZ = 25
_PR_SET_DUMPABLE = 4
_STREAM_EVERY_S = 0.05
_STREAM_BYTES = 8 << 10

Reply = tuple[dict[str, Any], bytes]


def _feed(fd: int, view: memoryview) -> memoryview:
    try:
        return view[os.write(fd, view[:_CHUNK]) :]
    except BlockingIOError:
        return view
    except OSError:
        return view[:0]  # the command closed its stdin


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)  # readable once the process exits: no polling
    except (AttributeError, OSError):
        return None


class _Streamer:
    """Coalesces a running command's kept output into `out` frames (see the module docstring)."""

    def __init__(self, wire: Wire, call_id: int, names: dict[int, str]) -> None:
        self.wire, self.call_id, self.names = wire, call_id, names
        self.pending = {fd: bytearray() for fd in names}
        self.due = {fd: 0.0 for fd in names}  # when the oldest pending byte must be sent
        self.alive = True

    def add(self, fd: int, data: bytes, now: float) -> None:
        if not self.alive or not data:
            return
        if not self.pending[fd]:
            self.due[fd] = now + _STREAM_EVERY_S
        self.pending[fd] += data
        if len(self.pending[fd]) >= _STREAM_BYTES:
            self.flush(fd)

    def wait(self, now: float) -> float | None:
        """Seconds until a pending chunk is due, or None when nothing is pending."""
        dues = [self.due[fd] - now for fd, buf in self.pending.items() if buf]
        return max(min(dues), 0.0) if dues and self.alive else None

    def flush(self, fd: int | None = None, now: float | None = None) -> None:
        """Send stream `fd` (default: every stream that is due at `now`, or all when `now` is None)."""
        for key in [fd] if fd is not None else list(self.pending):
            buf = self.pending[key]
            if not buf or not self.alive or (fd is None and now is not None and self.due[key] > now):
                continue
            data = bytes(buf)
            buf.clear()
            if self.wire.eof:
                self.alive = False
                return
            try:
                self.wire.send({'op': 'out', 'id': self.call_id, 'stream': self.names[key]}, data)
            except OSError:
                self.alive = False  # the host is gone; the final reply will fail the same way


class Executor:
    """Runs one request at a time on behalf of the host."""

    def __init__(self, wire: Wire, oom_fd: int | None) -> None:
        self.wire, self.oom_fd = wire, oom_fd

    def _oom_adj(self, value: bytes) -> None:
        # Children inherit oom_score_adj at fork: raise ours just around the spawn so the OOM killer picks them.
        if self.oom_fd is not None:
            try:
                os.pwrite(self.oom_fd, value, 0)
            except OSError:
                pass

    def op_ping(self, req: dict[str, Any], payload: bytes) -> Reply:
        info = {'pid': os.getpid(), 'uid': os.getuid(), 'python': sys.version.split()[0], 'workspace': files.WORKSPACE}
        return info, b''

    def op_reset(self, req: dict[str, Any], payload: bytes) -> Reply:
        return procs.op_reset(req, payload)

    def op_exec(self, req: dict[str, Any], payload: bytes) -> Reply:
        cwd = files.resolve(req.get('cwd') or '.')
        if not os.path.isdir(cwd):
            raise files.OpError('notfound', f'cwd {req.get("cwd")!r} is not a directory')
        env = dict(os.environ)
        env.update(req.get('env') or {})
        limit, disk_dirs = int(req['limit']), req.get('disk_dirs') or [files.WORKSPACE]
        before, oom0, pids0 = procs.all_pids(), procs.oom_kills(), procs.pids_max_hits()
        start = time.monotonic()
        self._oom_adj(b'1000')
        try:
            proc = subprocess.Popen(
                req['argv'], cwd=cwd, env=env, start_new_session=True, close_fds=True,
                stdin=subprocess.PIPE if req.get('stdin') else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            )  # fmt: skip
        except OSError as exc:
            code = 127 if isinstance(exc, FileNotFoundError) else 126
            message = f'agentcore: cannot run {req["argv"][0]!r}: {exc.strerror}\n'.encode()[:limit]
            pids1 = procs.pids_max_hits()
            return {'exit': code, 'dur': time.monotonic() - start, 'out': 0, 'err': len(message),
                    'pids': pids0 is not None and pids1 != pids0}, message  # fmt: skip
        finally:
            self._oom_adj(b'0')
        stream = bool(req.get('stream'))
        out, err, state = self._pump(proc, payload, float(req['timeout']), limit, int(req['id']), stream)
        if state['timed_out'] or state['cancelled']:
            state['killed_all'] = procs.kill_new(before, proc.pid)
        proc.wait()
        oom1, pids1 = procs.oom_kills(), procs.pids_max_hits()
        code = proc.returncode
        state.update(
            exit=code, dur=time.monotonic() - start, out=len(out), err=len(err),
            oom=None if oom0 is None else oom1 != oom0, pids=None if pids0 is None else pids1 != pids0,
            disk=procs.disk_full(disk_dirs), fsize=code in (-_SIGXFSZ, 128 + _SIGXFSZ) or b'File too large' in err,
        )  # fmt: skip
        return state, out + err

    def _pump(  # noqa: C901 - one select loop, so that every exit path honours the same deadline
        self, proc: subprocess.Popen[bytes], data: bytes, timeout: float, limit: int, call_id: int, stream: bool
    ) -> tuple[bytes, bytes, dict[str, Any]]:
        assert proc.stdout is not None and proc.stderr is not None
        out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
        got = {out_fd: bytearray(), err_fd: bytearray()}
        streamer = _Streamer(self.wire, call_id, {out_fd: 'stdout', err_fd: 'stderr'}) if stream else None
        sel = selectors.DefaultSelector()
        for fd in got:
            os.set_blocking(fd, False)
            sel.register(fd, selectors.EVENT_READ)
        sel.register(self.wire.rfd, selectors.EVENT_READ)
        pidfd = _pidfd(proc.pid)
        if pidfd is not None:
            sel.register(pidfd, selectors.EVENT_READ)
        view, in_fd = memoryview(data), proc.stdin.fileno() if proc.stdin is not None else -1
        if proc.stdin is not None:
            os.set_blocking(in_fd, False)
            sel.register(in_fd, selectors.EVENT_WRITE) if view else proc.stdin.close()
        open_fds, deadline = {out_fd, err_fd}, time.monotonic() + timeout
        trunc = timed_out = cancelled = False
        exited_at: float | None = None
        try:
            while True:
                now = time.monotonic()
                if exited_at is None and proc.poll() is not None:
                    exited_at = now
                if exited_at is not None and (not open_fds or now - exited_at > _EXIT_GRACE_S):
                    break  # done; or a background child still holds the pipes: do not wait for it
                if now >= deadline:
                    timed_out = True
                    break
                wait = _EXIT_GRACE_S if exited_at is not None else _NO_PIDFD_POLL_S if pidfd is None else deadline - now
                due = streamer.wait(now) if streamer is not None else None
                wait = wait if due is None else min(wait, due)
                for key, _ in sel.select(max(min(wait, deadline - now), 0.0)):
                    fd = key.fd
                    if fd == pidfd:
                        sel.unregister(fd)
                    elif fd == self.wire.rfd:
                        self.wire.fill()
                        cancelled = cancelled or self.wire.eof
                        while (frame := self.wire.take()) is not None:
                            cancelled = cancelled or (frame[0].get('op') == 'cancel' and frame[0].get('id') == call_id)
                        if self.wire.eof:
                            sel.unregister(fd)
                    elif fd == in_fd:
                        view = _feed(fd, view)
                        if not view:
                            sel.unregister(fd)
                            proc.stdin.close()  # type: ignore[union-attr]
                    else:
                        chunk = os.read(fd, _CHUNK)
                        if not chunk:
                            sel.unregister(fd)
                            open_fds.discard(fd)
                            continue
                        room = limit - len(got[fd])
                        trunc = trunc or len(chunk) > room
                        kept = chunk[: max(room, 0)]
                        got[fd] += kept
                        if streamer is not None:
                            streamer.add(fd, kept, time.monotonic())
                if streamer is not None:
                    streamer.flush(now=time.monotonic())
                if cancelled:
                    break
            if streamer is not None:
                streamer.flush()
        finally:
            sel.close()
            if pidfd is not None:
                os.close(pidfd)
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None and not pipe.closed:
                    pipe.close()
        state = {'timed_out': timed_out, 'cancelled': cancelled, 'trunc': trunc, 'killed_all': True}
        return bytes(got[out_fd]), bytes(got[err_fd]), state

    def handle(self, req: dict[str, Any], payload: bytes) -> Reply:
        op = str(req.get('op'))
        handler = files.FILE_OPS.get(op) or getattr(self, f'op_{op}', None)
        try:
            if handler is None:
                raise files.OpError('proto', f'unknown operation {op!r}')
            header, body = handler(req, payload)
            header['ok'] = True
        except files.OpError as exc:
            header, body = {'ok': False, 'kind': exc.kind, 'msg': str(exc)}, b''
        except OSError as exc:
            kind, message = files.errno_kind(exc), f'{exc.strerror}: {req.get("path")}'
            header, body = {'ok': False, 'kind': kind, 'msg': message}, b''
        except Exception as exc:
            header, body = {'ok': False, 'kind': 'internal', 'msg': f'{type(exc).__name__}: {exc}'}, b''
        header['id'] = req.get('id')
        return header, body


def _harden() -> int | None:
    try:
        oom_fd: int | None = os.open('/proc/self/oom_score_adj', os.O_WRONLY | os.O_CLOEXEC)
    except OSError:
        oom_fd = None
    try:
        ctypes.CDLL(None).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, lambda *_: None)  # a handler (not SIG_IGN) is reset on exec, so commands get defaults
    return oom_fd


def main(key: bytes) -> None:
    """Serve requests on stdin/stdout until end of stdin; frames are authenticated with `key`."""
    rfd, wfd = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    executor = Executor(Wire(rfd, wfd, key), _harden())
    hello, _ = executor.op_ping({}, b'')
    executor.wire.send({'op': 'hello', 'ok': True, **hello})
    while (frame := executor.wire.recv()) is not None:
        if frame[0].get('op') == 'cancel':
            continue  # arrived after its exec finished
        executor.wire.send(*executor.handle(*frame))
    procs.kill_all()



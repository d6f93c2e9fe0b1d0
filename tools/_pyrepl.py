"""A persistent Python session that lives inside the sandbox (standard library only; Python 3.8+).

This file is not imported inside the sandbox: its source travels as a command argument and runs there as
`python3 -c BOOT SOURCE MODE SESSION [TIMEOUT]`, where MODE is

- `client`: read code on stdin, send it to the session's server (starting the server first when none answers) and
  print one JSON line: `{"stdout", "stderr", "ok", "timed_out", "truncated", "started"}`. On timeout the server is
  killed (its state is lost) and `timed_out` is set.
- `serve`: the server. It listens on a Unix socket in the temp directory, runs each request in one globals dict
  (so variables, imports and functions persist), captures file descriptors 1 and 2 (so subprocess output is
  caught too) and echoes the value of a final expression, as the REPL does.
- `stop`: kill the session's server, if any.

Requests are served one at a time: parallel calls of one session wait for each other.
"""

from __future__ import annotations

import ast
import fcntl
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any

BOOT = 'import sys; exec(compile(sys.argv[1], "agentcore-pyrepl", "exec"))'
#: Bytes of each stream kept per call (head and tail halves), so one answer stays well under exec output caps.
MAX_STREAM_BYTES = 64_000
START_TIMEOUT_S = 15.0


def _paths(session: str) -> tuple[str, str, str]:
    base = os.path.join(tempfile.gettempdir(), 'agentcore-py-' + session)
    return base + '.sock', base + '.pid', base + '.lock'


def _send(sock: socket.socket, obj: Any) -> None:
    data = json.dumps(obj).encode()
    sock.sendall(struct.pack('>Q', len(data)) + data)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks = []
    while n:
        chunk = sock.recv(min(n, 1 << 20))
        if not chunk:
            raise ConnectionError('the Python session closed the connection')
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


def _recv(sock: socket.socket) -> Any:
    (size,) = struct.unpack('>Q', _recv_exact(sock, 8))
    return json.loads(_recv_exact(sock, size))


def _read_capped(f: Any) -> tuple[str, bool]:
    size = f.seek(0, os.SEEK_END)
    f.seek(0)
    if size <= MAX_STREAM_BYTES:
        return f.read().decode('utf-8', 'replace'), False
    half = MAX_STREAM_BYTES // 2
    head = f.read(half)
    f.seek(size - half)
    tail = f.read()
    text = head.decode('utf-8', 'replace') + f'\n... [{size - 2 * half} bytes omitted] ...\n'
    return text + tail.decode('utf-8', 'replace'), True


def _run(code: str, namespace: dict[str, Any]) -> dict[str, Any]:
    ok = True
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        saved = os.dup(1), os.dup(2)
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            tree = ast.parse(code, '<python>', 'exec')
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body[-1].value)
                tree.body.pop()
            exec(compile(tree, '<python>', 'exec'), namespace)
            if last is not None:
                value = eval(compile(last, '<python>', 'eval'), namespace)
                if value is not None:
                    print(repr(value))
        except SystemExit as exc:
            ok = exc.code in (None, 0)
        except BaseException as exc:
            ok = False
            tb = None if isinstance(exc, SyntaxError) or exc.__traceback__ is None else exc.__traceback__.tb_next
            traceback.print_exception(type(exc), exc, tb)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        stdout, cut_out = _read_capped(out)
        stderr, cut_err = _read_capped(err)
    return {'stdout': stdout, 'stderr': stderr, 'ok': ok, 'timed_out': False, 'truncated': cut_out or cut_err}


def serve(session: str) -> None:
    sock_path, pid_path, _ = _paths(session)
    namespace: dict[str, Any] = {'__name__': '__main__', '__builtins__': __builtins__}
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen(16)
    with open(pid_path, 'w') as f:
        f.write(str(os.getpid()))
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                request = _recv(conn)
            except (ConnectionError, ValueError):
                continue
            try:
                _send(conn, _run(request['code'], namespace))
            except OSError:  # the client went away (timed out); the session lives on
                continue


def _connect(sock_path: str) -> socket.socket | None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(sock_path)
    except OSError:
        sock.close()
        return None
    return sock


def _kill(session: str) -> None:
    sock_path, pid_path, _ = _paths(session)
    try:
        with open(pid_path) as f:
            os.kill(int(f.read().strip()), signal.SIGKILL)
    except (OSError, ValueError):
        pass
    for path in (sock_path, pid_path):
        if os.path.exists(path):
            os.unlink(path)


def _connect_or_start(session: str) -> tuple[socket.socket, bool]:
    sock_path, _, lock_path = _paths(session)
    with open(lock_path, 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        sock = _connect(sock_path)
        if sock is not None:
            return sock, False
        _kill(session)  # a stale socket or a server that no longer answers
        subprocess.Popen(
            [sys.executable, '-c', BOOT, sys.argv[1], 'serve', session],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            sock = _connect(sock_path)
            if sock is not None:
                return sock, True
            time.sleep(0.02)
    raise RuntimeError(f'the Python session did not start within {START_TIMEOUT_S:g} s')


def client(session: str, timeout_s: float) -> None:
    code = sys.stdin.read()
    sock, started = _connect_or_start(session)
    sock.settimeout(timeout_s)
    try:
        _send(sock, {'code': code})
        result = _recv(sock)
    except (TimeoutError, ConnectionError) as exc:
        _kill(session)
        timed_out = isinstance(exc, TimeoutError)
        reason = '' if timed_out else 'the Python session died (out of memory, or killed)'
        result = {'stdout': '', 'stderr': reason, 'ok': False, 'timed_out': timed_out, 'truncated': False}
    finally:
        sock.close()
    result['started'] = started
    sys.stdout.buffer.write((json.dumps(result, ensure_ascii=False) + '\n').encode('utf-8'))


def main(argv: list[str]) -> None:
    mode, session = argv[0], argv[1]
    if mode == 'serve':
        serve(session)
    elif mode == 'client':
        client(session, float(argv[2]))
    elif mode == 'stop':
        _kill(session)
        lock_path = _paths(session)[2]
        if os.path.exists(lock_path):
            os.unlink(lock_path)
    else:
        raise SystemExit(f'unknown mode {mode!r}')


if __name__ == '__main__':
    main(sys.argv[2:])

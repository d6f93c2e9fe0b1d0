"""Fixtures of the tools tests: a fake sandbox, a tool context, a loopback HTTP server."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest

from agentcore.sandbox import ExecResult, Limit
from agentcore.testing import ExecCall, FakeSandbox
from agentcore.tools import ToolContext
from tests._http import loopback_server


@pytest.fixture
def fake_sandbox() -> FakeSandbox:
    """An in-memory sandbox; tests script its command results (`fake_sandbox.results = ...`)."""
    return FakeSandbox()


@pytest.fixture
def ctx(fake_sandbox: FakeSandbox, request: pytest.FixtureRequest) -> ToolContext:
    return ToolContext(run_id=f'run-{request.node.name}-{time.monotonic_ns()}', call_id='call-1', sandbox=fake_sandbox)


def on_host(cwd: Path) -> Callable[[ExecCall], ExecResult]:
    """Scripted results that run each command as a host process in `cwd`, unconfined: for the tests that need a real
    interpreter without Docker (the persistent Python session). The fake's own files are not visible to it.
    """

    def run(call: ExecCall) -> ExecResult:
        data = call.stdin.encode() if isinstance(call.stdin, str) else call.stdin
        start = time.monotonic()
        proc = subprocess.Popen(
            list(call.argv), cwd=cwd, env={**os.environ, **call.env}, start_new_session=True,
            stdin=subprocess.DEVNULL if data is None else subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            out, err = proc.communicate(data, timeout=call.timeout_s or 60)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # everything it started, as the real sandbox does
            out, err = proc.communicate()
            timed_out = True
        return ExecResult(
            exit_code=-9 if timed_out else proc.returncode, stdout=out.decode(errors='replace'),
            stderr=err.decode(errors='replace'), timed_out=timed_out, duration_s=time.monotonic() - start,
            limit=Limit.TIMEOUT if timed_out else None,
        )  # fmt: skip

    return run


@pytest.fixture
def host_python(fake_sandbox: FakeSandbox, tmp_path: Path) -> FakeSandbox:
    """`fake_sandbox` with its commands run on the host (see `on_host`)."""
    fake_sandbox.results = on_host(tmp_path)
    return fake_sandbox


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}

    def do_GET(self) -> None:
        if self.path == '/slow':
            time.sleep(3)
        status, headers, body = self.routes.get(self.path, (404, {'content-type': 'text/plain'}, b'not found'))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header('content-length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, dict[str, tuple[int, dict[str, str], bytes]]]]:
    """A real HTTP server on 127.0.0.1; tests fill its routes: path -> (status, headers, body)."""
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    handler = type('Handler', (_Handler,), {'routes': routes})
    with loopback_server(handler) as url:
        yield url, routes

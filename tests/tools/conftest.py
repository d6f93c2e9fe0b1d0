"""Fixtures of the tools tests: a local fake sandbox, a tool context, a loopback HTTP server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from agentcore.tools import ToolContext

from ._fakes import FakeSandbox


@pytest.fixture
def fake_sandbox(tmp_path: Path) -> FakeSandbox:
    workspace = tmp_path / 'workspace'
    workspace.mkdir()
    return FakeSandbox(workspace)


@pytest.fixture
def ctx(fake_sandbox: FakeSandbox, request: pytest.FixtureRequest) -> ToolContext:
    return ToolContext(run_id=f'run-{request.node.name}-{time.monotonic_ns()}', call_id='call-1', sandbox=fake_sandbox)


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
    server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}', routes
    finally:
        server.shutdown()
        server.server_close()

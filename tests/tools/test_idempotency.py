"""The idempotency key reaches the service: as `Idempotency-Key` from `http_fetch` (a real HTTP server on loopback)
and in the `_meta` of MCP calls (a real stdio MCP server); MCP tools take `idempotent` from `idempotentHint`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from agentcore.policy import Policy, PolicySpec
from agentcore.tools import HttpFetchTool, MCPSessions, ToolArgumentsError, ToolContext, load_mcp_tools
from tests._http import loopback_server

SERVER = Path(__file__).with_name('_meta_mcp_server.py')


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A real HTTP server on 127.0.0.1 that records each request's method, path, headers and body."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get('content-length') or 0)
            body = self.rfile.read(length).decode() if length else ''
            seen.append({'method': self.command, 'path': self.path, 'headers': dict(self.headers), 'body': body})
            if self.path == '/moved':
                self.send_response(307)
                self.send_header('location', '/target')
                self.send_header('content-length', '0')
                self.end_headers()
                return
            payload = b'ok'
            self.send_response(201 if self.command == 'POST' else 200)
            self.send_header('content-type', 'text/plain')
            self.send_header('content-length', str(len(payload)))
            self.end_headers()
            if self.command != 'HEAD':
                self.wfile.write(payload)

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _any

        def log_message(self, *args: Any) -> None:
            pass

    with loopback_server(Handler) as url:
        yield url, seen


def _ctx() -> ToolContext:
    policy = Policy(PolicySpec.model_validate({'network': {'allowed_domains': ['127.0.0.1:*']}}))
    return ToolContext(run_id='run-1', call_id='call-1', policy=policy)


def _key(headers: dict[str, str]) -> str | None:
    return {k.lower(): v for k, v in headers.items()}.get('idempotency-key')


async def test_http_fetch_sends_the_idempotency_key_on_non_get_requests(
    recorder: tuple[str, list[dict[str, Any]]],
) -> None:
    base, seen = recorder
    ctx = _ctx()
    tool = HttpFetchTool()
    assert tool.idempotent
    posted = await tool.run({'url': f'{base}/orders', 'method': 'POST', 'body': '{"n": 1}'}, ctx)
    assert posted.content.startswith('HTTP 201 Created')
    await tool.run({'url': f'{base}/orders/1', 'method': 'PUT', 'body': 'plain'}, ctx)
    await tool.run({'url': f'{base}/orders/1', 'method': 'DELETE'}, ctx)
    await tool.run({'url': f'{base}/orders'}, ctx)
    await tool.run({'url': f'{base}/orders', 'method': 'HEAD'}, ctx)
    assert [(r['method'], _key(r['headers'])) for r in seen] == [
        ('POST', ctx.idempotency_key), ('PUT', ctx.idempotency_key), ('DELETE', ctx.idempotency_key),
        ('GET', None), ('HEAD', None)]
    types = [{k.lower(): v for k, v in r['headers'].items()}.get('content-type') for r in seen[:2]]
    assert seen[0]['body'] == '{"n": 1}' and types == ['application/json', 'text/plain; charset=utf-8']


async def test_a_retried_request_carries_the_same_key_and_a_307_keeps_it(
    recorder: tuple[str, list[dict[str, Any]]],
) -> None:
    base, seen = recorder
    for _ in range(2):  # a retry of the call (a resume builds the same context again)
        await HttpFetchTool().run({'url': f'{base}/moved', 'method': 'POST', 'body': 'x'}, _ctx())
    assert [(r['method'], r['path'], r['body']) for r in seen] == [('POST', '/moved', 'x'), ('POST', '/target', 'x')] * 2
    assert {_key(r['headers']) for r in seen} == {_ctx().idempotency_key}


async def test_a_get_with_a_body_is_refused(recorder: tuple[str, list[dict[str, Any]]]) -> None:
    base, seen = recorder
    with pytest.raises(ToolArgumentsError, match="argument 'body'"):
        await HttpFetchTool().run({'url': f'{base}/x', 'body': 'no'}, _ctx())
    assert seen == []


async def test_mcp_calls_carry_the_key_in_their_meta_and_idempotent_hint_is_honoured() -> None:
    servers = {'meta': {'transport': 'stdio', 'command': sys.executable, 'args': [str(SERVER)]}}
    ctx = ToolContext(run_id='run-1', call_id='call-1')
    async with MCPSessions():
        tools = {t.mcp_name: t for t in await load_mcp_tools(servers)}
        assert tools['put'].idempotent and not tools['post'].idempotent
        for name in ('put', 'post'):
            result = await tools[name].run({'value': 'v'}, ctx)
            assert json.loads(result.content)['agentcore/idempotency-key'] == ctx.idempotency_key
    # outside a run's sessions too (a session of its own for the call)
    tools = {t.mcp_name: t for t in await load_mcp_tools(servers)}
    result = await tools['post'].run({'value': 'v'}, ctx)
    assert json.loads(result.content)['agentcore/idempotency-key'] == ctx.idempotency_key

"""`http_fetch` against a real HTTP server on 127.0.0.1: refused unless the policy allows the domain."""

from __future__ import annotations

import json
from typing import Any

import pytest

from agentcore.policy import Policy as RealPolicy, PolicySpec
from agentcore.tools import HttpFetchTool, ToolArgumentsError, ToolContext, ToolError

Routes = dict[str, tuple[int, dict[str, str], bytes]]


class Policy(RealPolicy):
    """A real policy whose network allowlist is `allowed`, recording every host it was asked about."""

    def __init__(self, *allowed: str) -> None:
        super().__init__(PolicySpec.model_validate({'network': {'allowed_domains': list(allowed)}}))
        self.asked: list[str] = []

    def allows_url(self, url: str) -> bool:
        from urllib.parse import urlsplit

        self.asked.append(urlsplit(url).hostname or '')
        return super().allows_url(url)


def _ctx(policy: RealPolicy | None) -> ToolContext:
    return ToolContext(run_id='r', call_id='c', policy=policy)


@pytest.fixture
def server(http_server: tuple[str, Routes]) -> tuple[str, Routes]:
    base, routes = http_server
    routes['/hello'] = (200, {'content-type': 'text/plain; charset=utf-8'}, 'héllo'.encode())
    routes['/data'] = (200, {'content-type': 'application/json'}, json.dumps({'ok': True}).encode())
    routes['/missing'] = (404, {'content-type': 'text/plain'}, b'nothing here')
    routes['/big'] = (200, {'content-type': 'text/plain'}, b'x' * 50_000)
    routes['/image'] = (200, {'content-type': 'image/png'}, b'\x89PNG\r\n')
    return base, routes


@pytest.mark.parametrize('policy', [None, Policy(), Policy('example.com')])
async def test_every_domain_is_refused_unless_allowed(server: tuple[str, Routes], policy: Any) -> None:
    base, _ = server
    with pytest.raises(ToolError, match=f'fetching from {base} is not allowed by the policy') as info:
        await HttpFetchTool().run({'url': f'{base}/hello'}, _ctx(policy))
    where = base.removeprefix('http://')
    assert info.value.hint == f'add {where} (or {base}) to network.allowed_domains of the policy'


async def test_the_allowlist_matches_scheme_host_and_port(server: tuple[str, Routes]) -> None:
    base, routes = server
    port = int(base.rsplit(':', 1)[1])
    for entry in (f'127.0.0.1:{port}', base, '127.0.0.1:*'):
        result = await HttpFetchTool().run({'url': f'{base}/hello'}, _ctx(Policy(entry)))
        assert result.content.endswith('héllo'), entry
    refused = {
        '127.0.0.1': 'a bare host allows only ports 80 and 443',
        f'127.0.0.1:{port + 1}': 'another port',
        f'https://127.0.0.1:{port}': 'another scheme',
        f'http://localhost:{port}': 'another host',
    }
    for entry, why in refused.items():
        with pytest.raises(ToolError, match='is not allowed by the policy'):
            await HttpFetchTool().run({'url': f'{base}/hello'}, _ctx(Policy(entry)))
            pytest.fail(why)
    routes['/to-other-port'] = (302, {'location': f'http://127.0.0.1:{port + 1}/hello'}, b'')
    with pytest.raises(ToolError, match=f'fetching from http://127.0.0.1:{port + 1} is not allowed'):
        await HttpFetchTool().run({'url': f'{base}/to-other-port'}, _ctx(Policy(base)))
    policy = RealPolicy.from_dict({'network': {'allowed_domains': ['example.com', 'https://api.example.org:8443']}})
    assert policy.allows_url('https://docs.example.com/x?q=1') and policy.allows_url('http://example.com:80/')
    assert not policy.allows_url('https://example.com:6379/') and not policy.allows_url('http://api.example.org:8443')
    assert policy.allows_url('https://api.example.org:8443/v1') and not policy.allows_url('https://api.example.org/')


async def test_allowed_domain_is_fetched(server: tuple[str, Routes]) -> None:
    base, _ = server
    policy = Policy(base)
    result = await HttpFetchTool().run({'url': f'{base}/hello'}, _ctx(policy))
    assert result.content == 'HTTP 200 OK (text/plain; charset=utf-8, 6 bytes)\n\nhéllo'
    assert not result.is_error
    assert result.data == {
        'url': f'{base}/hello',
        'status': 200,
        'content_type': 'text/plain; charset=utf-8',
        'bytes': 6,
        'redirects': [],
        'truncated': False,
    }
    assert policy.asked == ['127.0.0.1']
    data = await HttpFetchTool().run({'url': f'{base}/data'}, _ctx(Policy(base)))
    assert data.content.endswith('\n\n{"ok": true}')


async def test_error_status_binary_body_and_size_cap(server: tuple[str, Routes]) -> None:
    base, _ = server
    ctx = _ctx(Policy(base))
    missing = await HttpFetchTool().run({'url': f'{base}/missing'}, ctx)
    assert missing.is_error
    assert missing.content == 'HTTP 404 Not Found (text/plain, 12 bytes)\n\nnothing here'
    image = await HttpFetchTool().run({'url': f'{base}/image'}, ctx)
    assert image.content == 'HTTP 200 OK (image/png, 6 bytes)\n\n[binary content not shown]'
    big = await HttpFetchTool(max_bytes=1000, max_chars=300).run({'url': f'{base}/big'}, ctx)
    assert big.data is not None and big.data['bytes'] == 1000 and big.data['truncated']
    assert big.content.startswith('HTTP 200 OK (text/plain, 1000 bytes, cut at 1000)\n\nxxx')
    assert '[' in big.content and 'characters omitted] ...' in big.content
    assert big.full_output is not None and big.full_output.endswith('\n\n' + 'x' * 1000)


async def test_redirects_are_checked_against_the_policy(server: tuple[str, Routes]) -> None:
    base, routes = server
    port = base.rsplit(':', 1)[1]
    routes['/to-hello'] = (302, {'location': '/hello'}, b'')
    routes['/to-localhost'] = (302, {'location': f'http://localhost:{port}/hello'}, b'')
    ctx = _ctx(Policy(base))
    followed = await HttpFetchTool().run({'url': f'{base}/to-hello'}, ctx)
    assert followed.data is not None and followed.data['redirects'] == [f'{base}/hello']
    assert followed.content.endswith('héllo')
    with pytest.raises(ToolError, match=f'fetching from http://localhost:{port} is not allowed by the policy'):
        await HttpFetchTool().run({'url': f'{base}/to-localhost'}, ctx)
    routes['/loop'] = (302, {'location': '/loop'}, b'')
    with pytest.raises(ToolError, match='more than 5 redirects'):
        await HttpFetchTool().run({'url': f'{base}/loop'}, ctx)


async def test_bad_url_timeout_and_unreachable(server: tuple[str, Routes]) -> None:
    base, _ = server
    ctx = _ctx(Policy(base))
    with pytest.raises(ToolArgumentsError, match="argument 'url': expected an absolute http:// or https:// URL"):
        await HttpFetchTool().run({'url': 'file:///etc/passwd'}, ctx)
    with pytest.raises(ToolError, match=r'took longer than 0.5 s'):
        await HttpFetchTool(timeout_s=0.5).run({'url': f'{base}/slow'}, ctx)
    with pytest.raises(ToolError, match='failed: ConnectError'):
        await HttpFetchTool().run({'url': 'http://127.0.0.1:9/'}, _ctx(Policy('127.0.0.1:9')))

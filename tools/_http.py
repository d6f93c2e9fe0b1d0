"""`http_fetch`: a host-side HTTP request, refused unless the run's policy allows the URL's scheme, host and port."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from ._base import ToolArgumentsError, ToolContext, ToolError, ToolResult
from ._function import FunctionTool
from ._output import DEFAULT_MAX_CHARS, bounded_result

#: Methods that change nothing on the server: sent without an `Idempotency-Key`.
_SAFE_METHODS = ('GET', 'HEAD')
_TEXT_TYPES = ('text/', 'json', 'xml', 'javascript', 'yaml', 'csv', 'x-www-form-urlencoded')


async def check_domain(ctx: ToolContext, url: str) -> str:
    """Return the host of `url` if the run's policy allows its scheme, host and port.

    The policy's `allows_url(url)` decides (a bare allowlist entry allows only the default ports 80 and 443); a call
    outside a run (no policy) may reach no host.

    Raises:
        ToolArgumentsError: `url` is not an absolute http(s) URL.
        ToolError: the policy does not allow the URL's origin.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ToolArgumentsError(f"argument 'url': {url!r} has an invalid port") from None
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise ToolArgumentsError(f"argument 'url': expected an absolute http:// or https:// URL, got {url!r}")
    host = parts.hostname
    if ctx.policy is None or not ctx.policy.allows_url(url):
        where = host if port is None else f'{host}:{port}'
        origin = f'{parts.scheme}://{where}'
        raise ToolError(
            f'fetching from {origin} is not allowed by the policy (network.allowed_domains matches scheme, host '
            'and port; a bare domain allows only ports 80 and 443)',
            hint=f'add {where} (or {origin}) to network.allowed_domains of the policy',
        )
    return host


def _is_text(content_type: str) -> bool:
    return not content_type or any(t in content_type for t in _TEXT_TYPES)


class HttpFetchTool(FunctionTool):
    """`http_fetch`: an HTTP request from the host, GET by default (side effects `external`).

    Every URL, redirects included, must pass the policy's `allows_url` (scheme, host and port). The whole fetch is bounded by
    `timeout_s`, the body by `max_bytes` (the rest is not downloaded), what the model sees by `max_chars`.

    Requests other than GET and HEAD carry the call's `Idempotency-Key` header (`ToolContext.idempotency_key`:
    the same on every retry and resume of the call), so a server that honours the key applies the request once.
    The tool is therefore `idempotent` by default: a resumed run retries a request a crash cut off, with the same
    key. Pass `idempotent=False` for servers that ignore the key (a resumed run then asks first).
    """

    def __init__(
        self,
        *,
        timeout_s: float = 20.0,
        max_bytes: int = 2_000_000,
        max_redirects: int = 5,
        max_chars: int = DEFAULT_MAX_CHARS,
        user_agent: str = 'agentcore-http-fetch/0.1',
        idempotent: bool = True,
    ) -> None:
        super().__init__(self._call, name='http_fetch', side_effects='external', source='builtin', max_chars=max_chars,
                         idempotent=idempotent)
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent

    async def _call(
        self,
        url: str,
        ctx: ToolContext,
        method: Literal['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] = 'GET',
        body: str | None = None,
    ) -> ToolResult:
        """Fetch a web page or API response (HTTP GET, or another method) and return its status, type and body as text.

        Only the domains the run's policy allows can be fetched. Long bodies are cut in the middle.

        Args:
            url: Absolute http:// or https:// URL.
            ctx: The call's context (not shown to the model).
            method: The HTTP method.
            body: The request body (sent as JSON when it is JSON, else as plain text); not for GET or HEAD.
        """
        import httpx

        await check_domain(ctx, url)
        if body is not None and method in _SAFE_METHODS:
            raise ToolArgumentsError(f"argument 'body': a {method} request has no body; use POST, PUT or PATCH")
        try:
            async with asyncio.timeout(self.timeout_s):
                return await self._fetch(url, ctx, method, body)
        except TimeoutError:
            raise ToolError(f'fetching {url} took longer than {self.timeout_s:g} s') from None
        except httpx.HTTPError as exc:
            raise ToolError(f'fetching {url} failed: {type(exc).__name__}: {exc}') from None

    async def _fetch(self, url: str, ctx: ToolContext, method: str = 'GET', payload: str | None = None) -> ToolResult:
        import httpx

        redirects: list[str] = []
        headers = {'user-agent': self.user_agent}
        async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False, headers=headers) as client:
            while True:
                async with client.stream(method, url, **_request_body(method, payload, ctx)) as response:
                    if response.is_redirect and 'location' in response.headers:
                        if len(redirects) >= self.max_redirects:
                            raise ToolError(f'fetching {url}: more than {self.max_redirects} redirects')
                        url = urljoin(url, response.headers['location'])
                        redirects.append(url)
                        await check_domain(ctx, url)
                        # as browsers do: 303 (and 301/302 after a POST) continue as a GET without the body
                        if response.status_code == 303 or (response.status_code in (301, 302) and method == 'POST'):
                            method, payload = ('HEAD' if method == 'HEAD' else 'GET'), None
                        continue
                    body, cut = bytearray(), False
                    async for chunk in response.aiter_bytes():
                        room = self.max_bytes - len(body)
                        body += chunk[:room]
                        if len(chunk) > room:
                            cut = True
                            break
                    return self._result(response, url, bytes(body), cut, redirects)

    def _result(self, response: Any, url: str, body: bytes, cut: bool, redirects: list[str]) -> ToolResult:
        content_type = response.headers.get('content-type', '')
        size = f'{len(body)} bytes' + (f', cut at {self.max_bytes}' if cut else '')
        head = f'HTTP {response.status_code} {response.reason_phrase} ({content_type or "no content type"}, {size})'
        if _is_text(content_type):
            try:
                text = body.decode(response.charset_encoding or 'utf-8', errors='replace')
            except LookupError:  # an unknown charset name
                text = body.decode('utf-8', errors='replace')
            shown = f'{head}\n\n{text}'
        else:
            shown = f'{head}\n\n[binary content not shown]'
        data = {
            'url': url,
            'status': response.status_code,
            'content_type': content_type,
            'bytes': len(body),
            'redirects': redirects,
            'truncated': cut,
        }
        return bounded_result(shown, max_chars=self.max_chars, is_error=response.status_code >= 400, data=data)


def _request_body(method: str, body: str | None, ctx: ToolContext) -> dict[str, Any]:
    """The keyword arguments of `httpx` for the request's headers and body: the idempotency key off GET and HEAD."""
    if method in _SAFE_METHODS:
        return {}
    headers = {'idempotency-key': ctx.idempotency_key}
    if body is None:
        return {'headers': headers}
    try:
        json.loads(body)
    except ValueError:
        headers['content-type'] = 'text/plain; charset=utf-8'
    else:
        headers['content-type'] = 'application/json'
    return {'headers': headers, 'content': body.encode('utf-8', errors='replace')}

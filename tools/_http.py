"""`http_fetch`: a host-side HTTP GET, refused unless the run's policy allows the domain."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urljoin, urlsplit

from ._base import ToolArgumentsError, ToolContext, ToolError, ToolResult
from ._function import FunctionTool
from ._output import DEFAULT_MAX_CHARS, bounded_result

_TEXT_TYPES = ('text/', 'json', 'xml', 'javascript', 'yaml', 'csv', 'x-www-form-urlencoded')


async def check_domain(ctx: ToolContext, url: str) -> str:
    """Return the host of `url` if the run's policy allows it.

    The policy's `allows_domain(host)` decides; a call outside a run (no policy) may reach no host.

    Raises:
        ToolArgumentsError: `url` is not an absolute http(s) URL.
        ToolError: the policy does not allow the domain.
    """
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise ToolArgumentsError(f"argument 'url': expected an absolute http:// or https:// URL, got {url!r}")
    host = parts.hostname
    if ctx.policy is None or not ctx.policy.allows_domain(host):
        raise ToolError(
            f'fetching from {host} is not allowed by the policy',
            hint=f'add {host} to the allowed domains of the policy',
        )
    return host


def _is_text(content_type: str) -> bool:
    return not content_type or any(t in content_type for t in _TEXT_TYPES)


class HttpFetchTool(FunctionTool):
    """`http_fetch`: GET a URL from the host (side effects `external`).

    Every URL, redirects included, must pass the policy's `allows_domain`. The whole fetch is bounded by
    `timeout_s`, the body by `max_bytes` (the rest is not downloaded), what the model sees by `max_chars`.
    """

    def __init__(
        self,
        *,
        timeout_s: float = 20.0,
        max_bytes: int = 2_000_000,
        max_redirects: int = 5,
        max_chars: int = DEFAULT_MAX_CHARS,
        user_agent: str = 'agentcore-http-fetch/0.1',
    ) -> None:
        super().__init__(self._call, name='http_fetch', side_effects='external', source='builtin', max_chars=max_chars)
        self.timeout_s = timeout_s
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent

    async def _call(self, url: str, ctx: ToolContext) -> ToolResult:
        """Fetch a web page or API response with HTTP GET and return its status, type and body as text.

        Only the domains the run's policy allows can be fetched. Long bodies are cut in the middle.

        Args:
            url: Absolute http:// or https:// URL.
            ctx: The call's context (not shown to the model).
        """
        import httpx

        await check_domain(ctx, url)
        try:
            async with asyncio.timeout(self.timeout_s):
                return await self._fetch(url, ctx)
        except TimeoutError:
            raise ToolError(f'fetching {url} took longer than {self.timeout_s:g} s') from None
        except httpx.HTTPError as exc:
            raise ToolError(f'fetching {url} failed: {type(exc).__name__}: {exc}') from None

    async def _fetch(self, url: str, ctx: ToolContext) -> ToolResult:
        import httpx

        redirects: list[str] = []
        headers = {'user-agent': self.user_agent}
        async with httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False, headers=headers) as client:
            while True:
                async with client.stream('GET', url) as response:
                    if response.is_redirect and 'location' in response.headers:
                        if len(redirects) >= self.max_redirects:
                            raise ToolError(f'fetching {url}: more than {self.max_redirects} redirects')
                        url = urljoin(url, response.headers['location'])
                        redirects.append(url)
                        await check_domain(ctx, url)
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

"""Tools from MCP servers (stdio, streamable HTTP, SSE, websocket) through `langchain-mcp-adapters`.

Each MCP tool becomes an `MCPTool` named `mcp__<server>__<tool>` (characters other than letters, digits, `_` and
`-` become `_`; at most 64 characters, as the OpenAI API allows), with `source = 'mcp'` and side effects
`external`: what a server's tool does is unknown, and its annotations (`readOnlyHint`...) are the server's word,
kept in `annotations` but not trusted, except `idempotentHint`: a tool the server marks idempotent is
`idempotent` (a resumed run retries a call a crash cut off, see docs/durability.md). The prefix lets a policy deny
MCP tools, or one server's, by name.

Every call carries its `ToolContext.idempotency_key` in the request's `_meta`, as `agentcore/idempotency-key`
(`IDEMPOTENCY_META_KEY`), so a server can deduplicate a retried call.

Calls go through the run's session to their server (`MCPSessions`: one per server per run, so one process per
stdio server, and a stateful server keeps its state between calls); outside a run each call opens a session of its
own.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from agentcore._errors import AgentcoreError
from agentcore._mcp_settings import MAX_SERVER_NAME, SERVER_NAME_HINT, SERVER_NAME_RE, MCPServerConfig

from ._base import SideEffects, ToolContext, ToolResult, ToolSource
from ._langchain import LangChainTool
from ._mcp_sessions import RUN_MCP_SESSIONS, MCPSessions, leaf_error
from ._output import DEFAULT_MAX_CHARS

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool
    from mcp import ClientSession
    from mcp.types import Tool as MCPToolSpec

#: Prefix of every MCP tool's name.
MCP_PREFIX = 'mcp__'
_UNSAFE = re.compile(r'[^A-Za-z0-9_-]')
_MAX_NAME = 64
_MAX_PAGES = 1000
#: The `_meta` entry of every MCP tool call that holds the call's idempotency key.
IDEMPOTENCY_META_KEY = 'agentcore/idempotency-key'
#: The `_meta` of the MCP call in progress (set by `MCPTool.run`, read by the interceptor that sends the call).
_CALL_META: ContextVar[dict[str, Any] | None] = ContextVar('agentcore_mcp_call_meta', default=None)


class MCPError(AgentcoreError, RuntimeError):
    """An MCP server could not be configured, reached or listed. `hint` says what to check."""


def mcp_tool_name(server: str, tool: str) -> str:
    """The agent-side name of MCP tool `tool` of server `server`: `mcp__<server>__<tool>`, made API-safe."""
    return f'{MCP_PREFIX}{server}__{_UNSAFE.sub("_", tool)}'[:_MAX_NAME]


def parse_mcp_tool_name(name: str) -> tuple[str, str] | None:
    """`(server, tool)` from an `mcp__<server>__<tool>` name (the tool part as made safe), or `None` if not one."""
    if not name.startswith(MCP_PREFIX):
        return None
    server, sep, tool = name[len(MCP_PREFIX) :].partition('__')
    return (server, tool) if sep and server and tool else None


class MCPTool(LangChainTool):
    """A tool of an MCP server (see the module's docstring for its name and side effects)."""

    source: ToolSource = 'mcp'

    def __init__(
        self,
        base_tool: BaseTool,
        *,
        server: str,
        side_effects: SideEffects = 'external',
        max_chars: int = DEFAULT_MAX_CHARS,
        idempotent: bool | None = None,
    ) -> None:
        """`idempotent`: `None` takes the server's `idempotentHint` annotation (false when it gives none)."""
        super().__init__(
            base_tool, side_effects=side_effects, name=mcp_tool_name(server, base_tool.name), max_chars=max_chars
        )
        self.server = server
        self.mcp_name = base_tool.name
        self.annotations: dict[str, Any] = dict(base_tool.metadata or {})
        self.idempotent = self.annotations.get('idempotentHint') is True if idempotent is None else idempotent

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Call the tool on its server, with the call's idempotency key in `_meta` (see `LangChainTool.run`)."""
        token = _CALL_META.set({IDEMPOTENCY_META_KEY: ctx.idempotency_key})
        try:
            return await super().run(arguments, ctx)
        finally:
            _CALL_META.reset(token)


def _connections(servers: Mapping[str, Mapping[str, Any] | MCPServerConfig]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, config in servers.items():
        if not isinstance(name, str) or len(name) > MAX_SERVER_NAME or not SERVER_NAME_RE.match(name):
            raise MCPError(f'invalid MCP server name {name!r}', hint=SERVER_NAME_HINT)
        if isinstance(config, MCPServerConfig):
            out[name] = config.connection()
        elif not isinstance(config, Mapping) or 'transport' not in config:
            raise MCPError(
                f'MCP server {name!r}: its configuration has no "transport"',
                hint='set transport to "stdio" (with command and args) or "streamable_http" (with url)',
            )
        else:
            out[name] = dict(config)
    return out


async def _all_tools(session: ClientSession) -> list[MCPToolSpec]:
    from mcp.types import PaginatedRequestParams

    tools: list[MCPToolSpec] = []
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        page = await session.list_tools(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
        tools.extend(page.tools)
        cursor = page.nextCursor
        if not cursor:
            return tools
    raise RuntimeError(f'the server lists more than {_MAX_PAGES} pages of tools')


async def _list(server: str, connection: dict[str, Any], sessions: MCPSessions | None) -> list[MCPToolSpec]:
    """The server's tools, through the current sessions when there are some, else through a session of its own."""
    if sessions is not None and not sessions.closed:
        return await _all_tools(await sessions.session(server, connection))
    from langchain_mcp_adapters.sessions import create_session

    listed: list[MCPToolSpec] | None = None
    failure: Exception | None = None
    async with create_session(connection) as session:  # type: ignore[arg-type]
        await session.initialize()
        try:
            listed = await _all_tools(session)
        except Exception as exc:  # re-raised outside: the transport's exit may swallow it
            failure = exc
    if failure is not None:
        raise failure
    if listed is None:
        raise RuntimeError('the session closed before the tools were listed')
    return listed


class _ThroughRunSession:
    """A `langchain-mcp-adapters` tool-call interceptor: sends the call through the run's session to the server.

    Outside `MCPSessions` the call gets a session of its own. Either way the call carries the `_meta` that
    `MCPTool.run` set (the idempotency key): the adapter's own call path has no way to send it.
    """

    def __init__(self, server: str, connection: dict[str, Any]) -> None:
        self.server = server
        self.connection = connection

    async def __call__(self, request: Any, handler: Any) -> Any:
        from mcp.shared.exceptions import McpError
        from mcp.types import CONNECTION_CLOSED

        sessions = RUN_MCP_SESSIONS.get()
        meta = _CALL_META.get()
        if sessions is None or sessions.closed:
            if meta is None:  # not through an `MCPTool`: as the adapter makes it
                return await handler(request)
            async with MCPSessions():
                return await self(request, handler)
        session = await sessions.session(self.server, self.connection)
        try:
            return await session.call_tool(request.name, request.args, meta=meta)
        except Exception as exc:
            if not isinstance(exc, McpError) or exc.error.code == CONNECTION_CLOSED:
                await sessions.discard(self.server, self.connection)  # broken: the next call opens a new one
            raise


async def _server_tools(server: str, connection: dict[str, Any], max_chars: int) -> list[MCPTool]:
    from langchain_mcp_adapters.tools import convert_mcp_tool_to_langchain_tool

    try:
        listed = await _list(server, connection, RUN_MCP_SESSIONS.get())
    except Exception as exc:
        leaf = leaf_error(exc.__cause__ if isinstance(exc, MCPError) and exc.__cause__ else exc)
        raise MCPError(
            f'MCP server {server!r}: cannot list its tools: {type(leaf).__name__}: {leaf}',
            hint='check that the server starts (stdio command) or is listening (url)',
        ) from exc
    interceptor = _ThroughRunSession(server, connection)
    return [
        MCPTool(
            convert_mcp_tool_to_langchain_tool(
                None, spec, connection=connection,  # type: ignore[arg-type]  # a TypedDict union, checked above
                tool_interceptors=[interceptor], server_name=server, handle_tool_errors=True,
            ),
            server=server,
            max_chars=max_chars,
        )
        for spec in listed
    ]


async def load_mcp_tools(
    servers: Mapping[str, Mapping[str, Any] | MCPServerConfig], *, max_chars: int = DEFAULT_MAX_CHARS
) -> list[MCPTool]:
    """List the tools of every MCP server in `servers`, concurrently, as `MCPTool`s.

    Listing opens a session to each server and closes it again, unless it runs inside `MCPSessions` (then the
    block's sessions are used, and stay open). Calls to the tools go through the run's session (see the module).

    Args:
        servers: Server name to its config: an `MCPServerConfig` (a `[mcp.servers.NAME]` table of the settings), or
            a connection in `langchain-mcp-adapters`' shape, e.g.
            `{'files': {'transport': 'stdio', 'command': 'python', 'args': ['server.py']},
            'web': {'transport': 'streamable_http', 'url': 'http://127.0.0.1:8000/mcp'}}`.
        max_chars: Bound on what the model sees of each result.

    Raises:
        MCPError: a server name or config is invalid, a server cannot be reached or listed, or two tools end up
            with the same name.
    """
    connections = _connections(servers)
    per_server = await asyncio.gather(*(_server_tools(name, conn, max_chars) for name, conn in connections.items()))
    tools = [t for group in per_server for t in group]
    seen: set[str] = set()
    for t in tools:
        if t.name in seen:
            raise MCPError(f'two MCP tools are both named {t.name!r}', hint='rename one of the servers or tools')
        seen.add(t.name)
    return tools

"""Tools from MCP servers (stdio, streamable HTTP, SSE, websocket) through `langchain-mcp-adapters`.

Each MCP tool becomes an `MCPTool` named `mcp__<server>__<tool>` (characters other than letters, digits, `_` and
`-` become `_`; at most 64 characters, as the OpenAI API allows), with `source = 'mcp'` and side effects
`external`: what a server's tool does is unknown, and its annotations (`readOnlyHint`...) are the server's word,
kept in `annotations` but not trusted. The prefix lets a policy deny MCP tools, or one server's, by name.

Like `MultiServerMCPClient.get_tools`, each call opens a fresh session to its server (a new process for stdio).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from agentcore._errors import AgentcoreError

from ._base import SideEffects, ToolSource
from ._langchain import LangChainTool
from ._output import DEFAULT_MAX_CHARS

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

#: Prefix of every MCP tool's name.
MCP_PREFIX = 'mcp__'
_SERVER_RE = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$')
_UNSAFE = re.compile(r'[^A-Za-z0-9_-]')
_MAX_NAME = 64


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
    ) -> None:
        super().__init__(
            base_tool, side_effects=side_effects, name=mcp_tool_name(server, base_tool.name), max_chars=max_chars
        )
        self.server = server
        self.mcp_name = base_tool.name
        self.annotations: dict[str, Any] = dict(base_tool.metadata or {})


def _check_config(servers: Mapping[str, Mapping[str, Any]]) -> None:
    for name, config in servers.items():
        if not _SERVER_RE.match(name) or len(name) > 32:
            raise MCPError(
                f'invalid MCP server name {name!r}',
                hint='use up to 32 letters, digits, "-" or single "_", starting with a letter or digit',
            )
        if not isinstance(config, Mapping) or 'transport' not in config:
            raise MCPError(
                f'MCP server {name!r}: its configuration has no "transport"',
                hint='set transport to "stdio" (with command and args) or "streamable_http" (with url)',
            )


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


async def _server_tools(client: Any, server: str, max_chars: int) -> list[MCPTool]:
    try:
        base_tools = await client.get_tools(server_name=server)
    except Exception as exc:
        leaf = _leaf(exc)
        raise MCPError(
            f'MCP server {server!r}: cannot list its tools: {type(leaf).__name__}: {leaf}',
            hint='check that the server starts (stdio command) or is listening (url)',
        ) from exc
    return [MCPTool(t, server=server, max_chars=max_chars) for t in base_tools]


async def load_mcp_tools(
    servers: Mapping[str, Mapping[str, Any]], *, max_chars: int = DEFAULT_MAX_CHARS
) -> list[MCPTool]:
    """List the tools of every MCP server in `servers`, concurrently, as `MCPTool`s.

    Args:
        servers: Server name to connection config, in `MultiServerMCPClient`'s shape, e.g.
            `{'files': {'transport': 'stdio', 'command': 'python', 'args': ['server.py']},
            'web': {'transport': 'streamable_http', 'url': 'http://127.0.0.1:8000/mcp'}}`.
        max_chars: Bound on what the model sees of each result.

    Raises:
        MCPError: a server name or config is invalid, a server cannot be reached or listed, or two tools end up
            with the same name.
    """
    from langchain_mcp_adapters.client import MultiServerMCPClient

    _check_config(servers)
    connections: dict[str, Any] = {name: dict(config) for name, config in servers.items()}
    client = MultiServerMCPClient(connections, handle_tool_errors=True)
    per_server = await asyncio.gather(*(_server_tools(client, name, max_chars) for name in servers))
    tools = [t for group in per_server for t in group]
    seen: set[str] = set()
    for t in tools:
        if t.name in seen:
            raise MCPError(f'two MCP tools are both named {t.name!r}', hint='rename one of the servers or tools')
        seen.add(t.name)
    return tools

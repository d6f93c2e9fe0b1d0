"""A tiny real MCP server for the tests: `python mcp_server.py stdio` or `python mcp_server.py http PORT`."""

from __future__ import annotations

import sys

from mcp.server.fastmcp import FastMCP

server = FastMCP('demo', host='127.0.0.1', log_level='WARNING')


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool(name='shout.loud')
def shout(text: str, times: int = 1) -> str:
    """Upper-case a text, repeated."""
    return ' '.join([text.upper()] * times)


@server.tool()
def fail(message: str) -> str:
    """Always fail with the given message."""
    raise ValueError(message)


if __name__ == '__main__':
    if sys.argv[1] == 'stdio':
        server.run('stdio')
    else:
        server.settings.port = int(sys.argv[2])
        server.run('streamable-http')

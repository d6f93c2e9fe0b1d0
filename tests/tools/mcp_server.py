"""A tiny real MCP server for the tests: `python mcp_server.py stdio` or `python mcp_server.py http PORT`."""

from __future__ import annotations

import os
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


_calls = {'count': 0}


@server.tool()
def count() -> str:
    """Count the calls to this tool made to this server process; report the count and the process id."""
    _calls['count'] += 1
    return f'count={_calls["count"]} pid={os.getpid()}'


@server.tool(name='exit')
def exit_now() -> str:
    """Exit the server process at once (for the tests of a session whose server dies)."""
    os._exit(3)


if __name__ == '__main__':
    if sys.argv[1] == 'stdio':
        server.run('stdio')
    else:
        server.settings.port = int(sys.argv[2])
        server.run('streamable-http')

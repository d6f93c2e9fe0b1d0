"""A tiny stdio MCP server for the idempotency tests: its tools echo the `_meta` of the request that called them."""

from __future__ import annotations

import json

from mcp.server.fastmcp import Context, FastMCP
from mcp.types import ToolAnnotations

server = FastMCP('meta', log_level='WARNING')


def _meta(ctx: Context) -> str:  # type: ignore[type-arg]
    meta = ctx.request_context.meta
    return json.dumps({} if meta is None else meta.model_dump(exclude_none=True), sort_keys=True)


@server.tool(annotations=ToolAnnotations(idempotentHint=True))
def put(value: str, ctx: Context) -> str:  # type: ignore[type-arg]
    """Store a value (idempotent); returns the request's _meta as JSON."""
    return _meta(ctx)


@server.tool()
def post(value: str, ctx: Context) -> str:  # type: ignore[type-arg]
    """Append a value (not idempotent); returns the request's _meta as JSON."""
    return _meta(ctx)


if __name__ == '__main__':
    server.run('stdio')

"""Tools an agent can call: the `Tool` seam, `@tool` for typed Python functions, built-ins and MCP.

Importing this package is cheap: LangChain, httpx and the MCP client load on first use of what needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._base import SideEffects, Tool, ToolArgumentsError, ToolContext, ToolError, ToolResult, ToolSource
from ._output import DEFAULT_MAX_CHARS, truncate_middle

if TYPE_CHECKING:
    from ._exec import PythonTool, ShellTool
    from ._fetch_output import FetchToolOutputTool
    from ._files import EditFileTool, ListFilesTool, ReadFileTool, WriteFileTool
    from ._function import FunctionTool, tool
    from ._http import HttpFetchTool
    from ._knowledge import SearchKnowledgeTool
    from ._langchain import LangChainTool, as_tool
    from ._mcp import MCPError, MCPTool, load_mcp_tools, mcp_tool_name, parse_mcp_tool_name
    from ._mcp_sessions import MCPSessions
    from ._memory import MemorySaveTool, MemorySearchTool
    from ._toolsets import builtin_tools, host_tools

__all__ = [
    'DEFAULT_MAX_CHARS',
    'EditFileTool',
    'FetchToolOutputTool',
    'FunctionTool',
    'HttpFetchTool',
    'LangChainTool',
    'ListFilesTool',
    'MCPError',
    'MCPSessions',
    'MCPTool',
    'MemorySaveTool',
    'MemorySearchTool',
    'PythonTool',
    'ReadFileTool',
    'SearchKnowledgeTool',
    'ShellTool',
    'SideEffects',
    'Tool',
    'ToolArgumentsError',
    'ToolContext',
    'ToolError',
    'ToolResult',
    'ToolSource',
    'WriteFileTool',
    'as_tool',
    'builtin_tools',
    'host_tools',
    'load_mcp_tools',
    'mcp_tool_name',
    'parse_mcp_tool_name',
    'tool',
    'truncate_middle',
]

_LAZY = {
    'PythonTool': '_exec',
    'ShellTool': '_exec',
    'EditFileTool': '_files',
    'FetchToolOutputTool': '_fetch_output',
    'ListFilesTool': '_files',
    'ReadFileTool': '_files',
    'SearchKnowledgeTool': '_knowledge',
    'WriteFileTool': '_files',
    'FunctionTool': '_function',
    'tool': '_function',
    'HttpFetchTool': '_http',
    'LangChainTool': '_langchain',
    'as_tool': '_langchain',
    'MCPError': '_mcp',
    'MCPSessions': '_mcp_sessions',
    'MCPTool': '_mcp',
    'load_mcp_tools': '_mcp',
    'mcp_tool_name': '_mcp',
    'parse_mcp_tool_name': '_mcp',
    'MemorySaveTool': '_memory',
    'MemorySearchTool': '_memory',
    'builtin_tools': '_toolsets',
    'host_tools': '_toolsets',
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    value = getattr(importlib.import_module(f'{__name__}.{module}'), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

"""The built-in toolsets."""

from __future__ import annotations

from ._base import Tool
from ._exec import PythonTool, ShellTool
from ._files import EditFileTool, ListFilesTool, ReadFileTool, WriteFileTool
from ._http import HttpFetchTool
from ._memory import MemorySaveTool, MemorySearchTool
from ._output import DEFAULT_MAX_CHARS


def builtin_tools(persistent_python: bool = False, *, max_chars: int = DEFAULT_MAX_CHARS) -> list[Tool]:
    """The tools that work in the run's sandbox.

    `python`, `shell`, `read_file`, `write_file`, `list_files` and `edit_file`.

    Args:
        persistent_python: Keep one Python interpreter per run, whose variables persist between calls.
        max_chars: Bound on what the model sees of each result (head and tail are kept).
    """
    return [
        PythonTool(persistent=persistent_python, max_chars=max_chars),
        ShellTool(max_chars=max_chars),
        ReadFileTool(max_chars=max_chars),
        WriteFileTool(max_chars=max_chars),
        ListFilesTool(max_chars=max_chars),
        EditFileTool(max_chars=max_chars),
    ]


def host_tools(*, max_chars: int = DEFAULT_MAX_CHARS) -> list[Tool]:
    """The tools that run on the host: `http_fetch` (policy-gated), `memory_search`, `memory_save`."""
    return [
        HttpFetchTool(max_chars=max_chars),
        MemorySearchTool(max_chars=max_chars),
        MemorySaveTool(max_chars=max_chars),
    ]

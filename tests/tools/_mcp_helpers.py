"""Helpers of the MCP tests: the server processes this test process started, as a function and as a tool."""

from __future__ import annotations

import os
from pathlib import Path

from agentcore.tools import tool


def server_pids(marker: str) -> list[int]:
    """The live (not zombie) child processes of this process whose command line contains `marker`."""
    me = str(os.getpid())
    found: list[int] = []
    for entry in Path('/proc').iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / 'stat').read_text()
            cmdline = (entry / 'cmdline').read_bytes().replace(b'\0', b' ').decode(errors='replace')
        except OSError:  # gone meanwhile
            continue
        state, ppid = stat.rsplit(')', 1)[1].split()[:2]
        if ppid == me and state != 'Z' and marker in cmdline:
            found.append(int(entry.name))
    return sorted(found)


@tool(side_effects='none')
def server_processes(marker: str) -> int:
    """Count the MCP server processes of this run's process (for the tests).

    Args:
        marker: a part of the server's command line.
    """
    return len(server_pids(marker))

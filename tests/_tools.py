"""Small tools shared by the tests; `tests._tools:add` also serves as a `--tools` reference."""

from __future__ import annotations

from agentcore.tools import tool


@tool(side_effects='none')
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: first addend.
        b: second addend.
    """
    return a + b


@tool
def write_note(path: str, text: str) -> str:
    """Write a note.

    Args:
        path: where.
        text: what.
    """
    return f'wrote {len(text)} characters to {path}'

"""Small tools shared by the tests."""

from __future__ import annotations

from tools import tool


@tool
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: first addend.
        b: second addend.
    """
    return a + b

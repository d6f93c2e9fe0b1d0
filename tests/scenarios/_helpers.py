"""Shared constants and helpers of the scenario tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / 'scenarios'
#: How the scenario tests' host tool is referenced in `config.tools`.
LOOKUP = 'tests.scenarios.scenario_tools:lookup'


def calls(*pairs: tuple[str, dict[str, Any] | str]) -> dict[str, Any]:
    """A scripted model turn calling these tools."""
    return {'tool_calls': [{'name': n, 'arguments': a} for n, a in pairs]}

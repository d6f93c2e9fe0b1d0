"""Host tools for the scenario tests (referenced as `tests.scenarios.scenario_tools:NAME`)."""

from __future__ import annotations

from agentcore.tools import ToolError, tool

#: What `lookup` answers; tests change it to make a re-executed tool diverge from its recording.
FACTS: dict[str, str] = {'answer': '42', 'colour': 'teal'}


@tool(side_effects='none')
def lookup(key: str) -> str:
    """Look a fact up by name.

    Args:
        key: the fact's name.
    """
    if key not in FACTS:
        raise ToolError(f'no fact named {key!r}', hint=f'known facts: {", ".join(sorted(FACTS))}')
    return FACTS[key]

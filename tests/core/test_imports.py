"""Import costs: `import agentcore` and building an agent never pull in the heavy libraries eagerly."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, '-c', f'{code}\nimport sys; print(" ".join(sys.modules))'],
                         capture_output=True, text=True, check=True, timeout=120)
    return set(out.stdout.split())


def test_import_agentcore_is_light() -> None:
    loaded = _modules_after('import agentcore')
    for heavy in ('litellm', 'langgraph', 'docker', 'textual', 'weaviate', 'sqlmodel', 'langchain_core'):
        assert heavy not in loaded, heavy


def test_building_an_agent_with_a_model_string_does_not_import_litellm() -> None:
    loaded = _modules_after("from agentcore import Agent\nAgent(model='openai/gpt-4o-mini', checkpointer='memory')")
    assert 'litellm' not in loaded

"""A scenario recorded with a small context window: the window is recorded, and replay trims requests the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentcore._context import MARKER
from agentcore.scenarios import load_scenario, record, replay_scenario, save_scenario
from agentcore.testing import ScriptedModel

DOCS = {f'notes/day-{i}.md': f'# Day {i}\n\n' + f'On day {i} the build took {i + 3} minutes. ' * 30 for i in range(6)}


def _search(i: int) -> dict[str, Any]:
    return {'tool_calls': [{'name': 'search_knowledge', 'arguments': {'query': f'build time day {i % 6}', 'k': 2}}]}


def _record(tmp_path: Path, window: int | None) -> Path:
    model = ScriptedModel([*(_search(i) for i in range(24)), 'Builds took 3 to 8 minutes.'],
                          **({'max_input_tokens': window} if window else {}))
    scenario = record('windowed', ['How long did the builds take?'], model=model, tools=['search_knowledge'],
                      knowledge_files=DOCS)
    return save_scenario(scenario, tmp_path / 'windowed.yaml')


def test_a_small_window_is_recorded_and_replay_trims_alike(tmp_path: Path) -> None:
    path = _record(tmp_path, 3000)
    scenario = load_scenario(path)
    assert scenario.config.window is not None and scenario.config.window.max_input_tokens == 3000
    run = scenario.runs[0]
    assert run.result.status == 'completed' and run.result.steps == 25
    trimmed = [t for t in run.turns if t.request.restart]
    assert trimmed and all(any(m.content.startswith(MARKER) for m in t.request.messages) for t in trimmed)
    assert replay_scenario(path).status == 'passed'


def test_the_default_window_is_not_written(tmp_path: Path) -> None:
    scenario = load_scenario(_record(tmp_path, None))
    assert scenario.config.window is None
    assert '  window:' not in (tmp_path / 'windowed.yaml').read_text(encoding='utf-8').split('runs:')[0]

"""A small recorded scenario (scripted model, one Python tool), and a copy edited so that its replay diverges."""

from __future__ import annotations

from pathlib import Path

import yaml

from agentcore.scenarios import arecord, save_scenario
from agentcore.testing import ScriptedModel

TURNS = [
    {'content': 'adding', 'tool_calls': [{'name': 'add', 'arguments': {'a': 2, 'b': 3}}]},
    {'tool_calls': [{'name': 'add', 'arguments': {'a': 5, 'b': 1}}]},
    'The answer is 6.',
]


async def record_demo(tmp_path: Path) -> tuple[Path, Path]:
    """Record `tui-demo` (3 model turns, 2 calls); return it and a copy whose replay diverges in 3 places."""
    scenario = await arecord('tui-demo', ['add 2 and 3, then add 1'], model=ScriptedModel(TURNS, name='scripted'),
                      tools=['tests._tools:add'])
    ok = save_scenario(scenario, tmp_path / 'tui-demo.yaml')
    data = yaml.safe_load(ok.read_text(encoding='utf-8'))
    run = data['runs'][0]
    run['turns'][1]['calls'][0]['arguments'] = {'a': 5, 'b': 2}  # the replayed call will differ
    run['result']['steps'] = 4  # the replayed outcome will differ
    run['expect'] = {'output': {'contains': ['seven']}}  # an unmet expectation
    diverged = tmp_path / 'tui-demo-diverged.yaml'
    diverged.write_text(yaml.safe_dump(data, sort_keys=False), encoding='utf-8')
    return ok, diverged

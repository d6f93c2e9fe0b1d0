"""Recordings keep unknown costs (`cost_usd: null`) and stuck-loop stops, and replay them."""

from __future__ import annotations

from pathlib import Path

import yaml

from agentcore.scenarios import load_scenario, record, replay_scenario, save_scenario
from agentcore.testing import ScriptedModel
from tests.scenarios._helpers import LOOKUP, calls


def test_unknown_cost_and_a_stuck_loop_are_recorded_and_replay(tmp_path: Path) -> None:
    missing = {**calls(('lookup', {'key': 'nope'})), 'cost_usd': None}
    model = ScriptedModel([missing] * 5 + ['never reached'], name='scripted:stuck')
    path = save_scenario(record('stuck', ['Find the fact nope.'], model=model, tools=[LOOKUP]), tmp_path / 's.yaml')
    data = yaml.safe_load(path.read_text())
    run = data['runs'][0]
    assert run['result']['status'] == 'stopped_by_loop' and 'lookup({"key":"nope"})' in run['result']['stop_reason']
    assert [t['response']['cost_usd'] for t in run['turns']] == [None] * 4
    assert load_scenario(path).runs[0].turns[0].response.cost_usd is None  # type: ignore[union-attr]
    assert replay_scenario(path).passed

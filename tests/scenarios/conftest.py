from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scenarios import scenario_tools
from tests.scenarios._helpers import LOOKUP, SHIPPED, calls


@pytest.fixture(autouse=True)
def _facts() -> Iterator[None]:
    saved = dict(scenario_tools.FACTS)
    yield
    scenario_tools.FACTS.clear()
    scenario_tools.FACTS.update(saved)


@pytest.fixture
def lookup_scenario(tmp_path: Path) -> Path:
    """A recorded scenario (no sandbox): a successful lookup, a failing one, then an answer."""
    from agentcore.scenarios import record, save_scenario
    from agentcore.testing import ScriptedModel

    model = ScriptedModel(
        [calls(('lookup', {'key': 'answer'})), calls(('lookup', {'key': 'nope'})), 'The answer is 42.'],
        name='scripted:lookup',
    )
    scenario = record('lookup', ['What is the answer?'], model=model, tools=[LOOKUP])
    return save_scenario(scenario, tmp_path / 'lookup.yaml')


@pytest.fixture
def shipped_copy(tmp_path: Path) -> Path:
    """A copy of the shipped scenarios folder (scripts included) that a test may edit."""
    target = tmp_path / 'scenarios'
    shutil.copytree(SHIPPED, target)
    return target

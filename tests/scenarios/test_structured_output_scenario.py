"""Scenarios with structured output: the schema in `config.output_schema`, replay, and `output_fields` expectations."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agentcore.scenarios import ScenarioError, load_scenario, record, replay_scenario, save_scenario
from agentcore.testing import ScriptedModel
from tests.scenarios._helpers import LOOKUP, SHIPPED, calls

SCHEMA = {'type': 'object', 'properties': {'answer': {'type': 'integer'}, 'source': {'type': 'string'},
                                           'tags': {'type': 'array', 'items': {'type': 'string'}}},
          'required': ['answer', 'source']}


def _record(tmp_path: Path) -> Path:
    model = ScriptedModel([calls(('lookup', {'key': 'answer'})),
                           calls(('final_result', {'answer': 'forty-two', 'source': 'lookup'})),
                           calls(('final_result', {'answer': 42, 'source': 'lookup', 'tags': ['a', 'b']}))])
    scenario = record('structured', ['What is the answer?'], model=model, tools=[LOOKUP], output_schema=SCHEMA)
    return save_scenario(scenario, tmp_path / 'structured.yaml')


def test_recorded_structured_output_replays_and_derives_output_fields(tmp_path: Path) -> None:
    path = _record(tmp_path)
    scenario = load_scenario(path)
    assert scenario.config.output_schema == SCHEMA
    run = scenario.runs[0]
    assert run.expect.output_fields == {'answer': 42, 'source': 'lookup'}
    assert run.result.status == 'completed' and run.result.steps == 3
    result = replay_scenario(path)
    assert result.status == 'passed', result.describe()


def test_output_fields_that_do_not_hold_are_reported(tmp_path: Path) -> None:
    path = _record(tmp_path)
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    data['runs'][0]['expect']['output_fields'] = {'answer': 41, 'tags.1': 'b', 'tags.5': 'x', 'missing': 1}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding='utf-8')
    result = replay_scenario(path)
    assert result.status == 'failed'
    messages = sorted(d.message for d in result.divergences if d.kind == 'expectation')
    assert messages == ['output_fields.answer: expected 41, got 42', 'output_fields.missing: not in the output',
                        'output_fields.tags.5: not in the output']


def test_an_edited_output_schema_no_longer_matches_the_recorded_requests(tmp_path: Path) -> None:
    path = _record(tmp_path)
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    data['config']['output_schema']['required'] = ['answer']
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding='utf-8')
    with pytest.raises(ScenarioError, match=r'runs\[0\]\.turns\[0\]\.request\.sha256'):
        load_scenario(path)


def test_an_invalid_output_schema_is_bad_input(tmp_path: Path) -> None:
    path = _record(tmp_path)
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    data['config']['output_schema'] = {'type': 'bogus'}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding='utf-8')
    with pytest.raises(ScenarioError, match='config.output_schema: .*not a valid JSON Schema'):
        load_scenario(path)
    with pytest.raises(ScenarioError, match='not a valid JSON Schema'):
        record('bad', ['x'], model=ScriptedModel(['x']), output_schema={'type': 'bogus'})


def test_the_shipped_structured_output_scenario_asserts_its_fields() -> None:
    scenario = load_scenario(SHIPPED / 'structured-output.yaml')
    assert scenario.runs[0].expect.output_fields == {'orders': 3, 'region': 'north', 'revenue': 80.0}
    assert scenario.config.output_schema is not None and scenario.config.output_schema['title'] == 'TopRegion'

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
import yaml

from agentcore.scenarios import (
    Scenario,
    ScenarioError,
    areplay_paths,
    load_scenario,
    parse_scenario,
    scenario_files,
    scenario_yaml,
)
from tests.scenarios._helpers import SHIPPED

ONE_LINE = re.compile(r'^[^\n]+:\d+:\d+: [^\n]+$')


def test_shipped_scenarios_load_and_cover_the_required_cases() -> None:
    scenarios = {p.stem: load_scenario(p) for p in scenario_files([SHIPPED])}
    assert len(scenarios) >= 10
    assert {
        'coding-fix-failure',
        'data-analysis',
        'memory-recall',
        'approval',
        'budget-exhausted',
        'denied-tool',
        'blocked-injection',
        'tool-error-recovery',
        'malformed-turn',
        'parallel-tools',
    } <= set(scenarios)
    assert len(scenarios['memory-recall'].runs) == 2
    assert scenarios['budget-exhausted'].runs[0].result.status == 'stopped_by_budget'
    assert any(c.approval for t in scenarios['approval'].runs[0].turns for c in t.calls)
    assert scenarios['blocked-injection'].runs[0].expect.denied == ['shell']
    assert any(len(t.calls) == 3 for t in scenarios['parallel-tools'].runs[0].turns)


def test_dump_and_parse_round_trip(lookup_scenario: Path) -> None:
    scenario = load_scenario(lookup_scenario)
    text = scenario_yaml(scenario)
    assert text.startswith('version: 1\n')
    assert parse_scenario(text, 'x.yaml') == scenario


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def _error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert ONE_LINE.match(message) or message.count('\n') == 0
    assert '\n' not in message
    return info.value


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_wrong_type_names_file_line_column_and_field(lookup_scenario: Path) -> None:
    _edit(lookup_scenario, '    steps: 3\n', '    steps: many\n')
    err = _error(lookup_scenario)
    assert err.field == 'runs[0].result.steps'
    assert err.line == _line_of(lookup_scenario, 'steps: many') and err.column == 12
    assert str(err).startswith(f'{lookup_scenario}:{err.line}:12: runs[0].result.steps: ')
    assert 'integer' in err.reason and "'many'" in err.reason


def test_unknown_field_points_at_the_key(lookup_scenario: Path) -> None:
    _edit(lookup_scenario, '  expect:\n', '  expectations:\n    status: completed\n  expect:\n')
    err = _error(lookup_scenario)
    assert err.field == 'runs[0].expectations' and "unknown field 'expectations'" in err.reason
    assert err.line == _line_of(lookup_scenario, 'expectations:') and err.column == 3


def test_missing_field(lookup_scenario: Path) -> None:
    _edit(lookup_scenario, '  task: What is the answer?\n', '')
    err = _error(lookup_scenario)
    assert err.field == 'runs[0].task' and err.reason == 'required field is missing'
    assert err.line is not None


def test_yaml_syntax_error_has_position(tmp_path: Path) -> None:
    bad = tmp_path / 'bad.yaml'
    bad.write_text('version: 1\nname: x\nconfig: {model: [unclosed\n')
    err = _error(bad)
    assert err.line is not None and err.column is not None and 'not valid YAML' in err.reason


def test_duplicate_key_is_refused(lookup_scenario: Path) -> None:
    _edit(lookup_scenario, 'name: lookup\n', 'name: lookup\nname: other\n')
    err = _error(lookup_scenario)
    assert 'duplicate key' in err.reason and err.line == _line_of(lookup_scenario, 'name: other')


def test_edited_recorded_message_fails_the_digest_check(lookup_scenario: Path) -> None:
    _edit(lookup_scenario, 'content: What is the answer?', 'content: What is the question?')
    err = _error(lookup_scenario)
    assert err.field == 'runs[0].turns[0].request.sha256'
    assert 'does not match the recorded request' in err.reason and err.hint


def test_unsupported_version_and_non_mapping(tmp_path: Path, lookup_scenario: Path) -> None:
    _edit(lookup_scenario, 'version: 1\n', 'version: 2\n')
    assert 'unsupported format version 2' in str(_error(lookup_scenario))
    listed = tmp_path / 'list.yaml'
    listed.write_text('- 1\n- 2\n')
    assert 'expected a mapping' in str(_error(listed))


def test_unreadable_file(tmp_path: Path) -> None:
    binary = tmp_path / 'binary.yaml'
    binary.write_bytes(b'\xff\xfe\x00')
    assert 'not UTF-8' in str(_error(binary))


def test_bad_file_fails_alone_and_the_others_still_replay(tmp_path: Path, lookup_scenario: Path) -> None:
    (tmp_path / 'broken.yaml').write_text('version: 1\nname: broken\nconfig: {model: x}\nruns: []\n')
    report = asyncio.run(areplay_paths([tmp_path]))
    by_name = {Path(r.path).name: r for r in report.results}
    assert by_name['lookup.yaml'].status == 'passed'
    broken = by_name['broken.yaml']
    assert broken.status == 'error' and broken.error is not None and '\n' not in broken.error
    assert broken.error.startswith(f'{tmp_path / "broken.yaml"}:4:7: runs: ')
    assert report.exit_code == 2


def test_scenario_model_validates_inline_policy_and_budget(lookup_scenario: Path) -> None:
    data = yaml.safe_load(lookup_scenario.read_text())
    data['config']['budget'] = {'max_steps': 0}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(yaml.safe_dump(data), 'x.yaml')
    assert info.value.field == 'config.budget.max_steps'
    data['config']['budget'] = {'max_steps': 5}
    data['config']['policy'] = {'default': 'deny'}
    assert Scenario.model_validate(data).config.policy == {'default': 'deny'}

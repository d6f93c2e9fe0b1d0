from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from agentcore import Message, ModelError, ModelRequest, ToolSpec
from agentcore.scenarios import (
    ReplayModel,
    ReplaySession,
    areplay_paths,
    load_scenario,
    record,
    replay_scenario,
    report_json,
    save_scenario,
    scenario_files,
)
from agentcore.scenarios._effects import EffectTracker
from agentcore.testing import FakeSandbox, ScriptedModel
from tests.scenarios import scenario_tools
from tests.scenarios._helpers import LOOKUP, SHIPPED, calls

SHIPPED_FILES = sorted(scenario_files([SHIPPED]))


@pytest.mark.parametrize('path', SHIPPED_FILES, ids=[p.stem for p in SHIPPED_FILES])
def test_shipped_scenario_passes_in_replay_mode(path: Path) -> None:
    result = replay_scenario(path)
    assert result.status == 'passed', result.describe()
    assert [r.status for r in result.runs] == [r.result.status for r in load_scenario(path).runs]


@pytest.mark.slow
@pytest.mark.timeout(1200)  # about 4 s a pass over the 30-odd shipped scenarios, on a loaded 2-core machine too
def test_replaying_the_folder_100_times_gives_identical_results() -> None:
    async def hundred() -> list[list[str]]:
        out = []
        for _ in range(100):
            report = await areplay_paths([SHIPPED])
            out.append([r.signature() for r in report.results])
        return out

    signatures = asyncio.run(hundred())
    assert len(signatures[0]) == len(SHIPPED_FILES)
    assert all(s == signatures[0] for s in signatures)
    assert all('"status": "passed"' in s for s in signatures[0])


def test_changed_prompt_template_is_reported_with_a_diff(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentcore import _runtime

    changed = _runtime.DEFAULT_INSTRUCTIONS.replace('careful agent', 'careful, terse agent')
    assert changed != _runtime.DEFAULT_INSTRUCTIONS
    monkeypatch.setattr(_runtime, 'DEFAULT_INSTRUCTIONS', changed)
    result = replay_scenario(SHIPPED / 'data-analysis.yaml')
    assert result.status == 'failed'
    first = result.divergences[0]
    assert first.kind == 'model_request' and first.run == 1 and first.where == 'turn 1'
    assert first.field == 'runs[0].turns[0].request'
    assert '-  You are a capable, careful agent.' in first.diff
    assert '+  You are a capable, careful, terse agent.' in first.diff
    assert '--- recorded request (turn 1)' in first.diff and '+++ replayed request (turn 1)' in first.diff
    text = result.describe()
    assert text.startswith('FAIL ') and 'careful, terse agent' in text
    assert len(result.divergences) == 1  # consequences of a diverged conversation are not piled on


def test_recorded_run_replays_and_reproduces_tool_errors(lookup_scenario: Path) -> None:
    scenario = load_scenario(lookup_scenario)
    calls_ = [c for t in scenario.runs[0].turns for c in t.calls]
    assert calls_[0].result is not None and calls_[0].result.content == '42'
    assert (
        calls_[1].error is not None and calls_[1].error.tool_error and "no fact named 'nope'" in calls_[1].error.message
    )
    assert replay_scenario(lookup_scenario).passed


def test_edited_tool_result_shows_where_the_conversation_changed(lookup_scenario: Path) -> None:
    text = lookup_scenario.read_text()
    lookup_scenario.write_text(text.replace("        content: '42'\n", "        content: '41'\n", 1))
    result = replay_scenario(lookup_scenario)
    assert result.status == 'failed'
    d = result.divergences[0]
    assert d.kind == 'model_request' and d.where == 'turn 2' and d.field == 'runs[0].turns[1].request'
    assert '-  42' in d.diff and '+  41' in d.diff


def test_unmet_expectations_and_changed_outcome_fail(lookup_scenario: Path) -> None:
    text = lookup_scenario.read_text()
    text = text.replace('      equals: The answer is 42.\n', '      equals: The answer is 43.\n      regex: ^\\d+$\n')
    text = text.replace('    steps: 3\n', '    steps: 4\n')
    text = text.replace('  expect:\n', '  expect:\n    tools_not_called: [lookup]\n    files: [notes.txt]\n')
    lookup_scenario.write_text(text)
    result = replay_scenario(lookup_scenario)
    kinds = [d.kind for d in result.divergences]
    assert result.status == 'failed' and kinds[0] == 'outcome' and kinds.count('expectation') == 4
    assert '(steps)' in result.divergences[0].message
    assert '-  "steps": 4' in result.divergences[0].diff and '+  "steps": 3' in result.divergences[0].diff
    messages = ' | '.join(d.message for d in result.divergences)
    assert "output.equals: expected 'The answer is 43.'" in messages
    assert "tools_not_called: 'lookup' was called" in messages and "files: 'notes.txt'" in messages


def test_verify_reexecutes_host_tools_and_diffs_their_results(lookup_scenario: Path) -> None:
    assert replay_scenario(lookup_scenario, verify=True).passed
    scenario_tools.FACTS['answer'] = '41'
    result = replay_scenario(lookup_scenario, verify=True)
    first = result.divergences[0]
    assert first.kind == 'tool_result' and first.where == 'call call_0_0 (lookup)'
    assert first.field == 'runs[0].turns[0].calls[0].result'
    assert '-42' in first.diff and '+41' in first.diff
    assert result.divergences[1].kind == 'model_request'


async def test_replay_model_serves_by_digest_and_reports_unknown_requests(lookup_scenario: Path) -> None:
    scenario = load_scenario(lookup_scenario)
    session = ReplaySession(scenario)
    model = ReplayModel(session)
    assert model.name == 'scripted:lookup'
    from agentcore.scenarios._load import full_requests, tool_specs

    first = ModelRequest(messages=full_requests(scenario.runs[0])[0], tools=tool_specs(scenario))
    response = await model.complete(first)
    assert response.message.tool_calls[0].name == 'lookup' and response.usage.input_tokens == 10
    other = ModelRequest(
        messages=[*first.messages[:-1], Message(role='user', content='What is the colour?')],
        tools=[ToolSpec(name='lookup')],
    )
    with pytest.raises(ModelError, match='does not hold'):
        await model.complete(other)
    d = session.divergences[0]
    assert d.kind == 'model_request' and '+  What is the colour?' in d.diff and '-  What is the answer?' in d.diff
    assert '-tool lookup: Look a fact up by name.' in d.diff


def test_secrets_are_redacted_and_the_recording_still_replays(tmp_path: Path) -> None:
    key = 'sk-proj-' + 'a1B2c3D4e5F6g7H8i9J0' * 2
    model = ScriptedModel([calls(('lookup', {'key': 'answer'})), f'Done; do not share {key}.'])
    scenario = record('secret', [f'Use the key {key} to look up the answer.'], model=model, tools=[LOOKUP])
    path = save_scenario(scenario, tmp_path / 'secret.yaml')
    text = path.read_text()
    assert key not in text and '[REDACTED:openai_key]' in text
    assert replay_scenario(path).passed


def test_json_and_junit_reports(tmp_path: Path, lookup_scenario: Path) -> None:
    bad = tmp_path / 'zz-bad.yaml'
    bad.write_text('version: 1\n')
    report = asyncio.run(areplay_paths([tmp_path], jobs=2))
    data = json.loads(report_json(report))
    assert data['summary'] == {
        'passed': 1,
        'failed': 0,
        'error': 1,
        'exit_code': 2,
        'duration_s': data['summary']['duration_s'],
    }
    assert [Path(r['path']).name for r in data['results']] == ['lookup.yaml', 'zz-bad.yaml']
    suite = ET.fromstring(report.to_junit())
    assert suite.get('tests') == '2' and suite.get('errors') == '1'
    assert suite.find('testcase/error') is not None


class _Writer:
    name, description, side_effects, source = 'writer', '', 'sandbox', 'builtin'

    async def run(self, arguments: dict[str, Any], ctx: Any) -> Any:
        from agentcore.tools import ToolResult

        for path, text in {'new.txt': 'ccc', 'keep.txt': 'ddd', '__pycache__/m.cpython-311.pyc': 'eee'}.items():
            await ctx.sandbox.awrite_file(path, text)
        ctx.sandbox.remove('old.txt')
        return ToolResult(content='ok', data={'exit_code': 0, 'stdout': 'ok\n', 'stderr': '', 'duration_s': 0.1})


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def test_effects_are_created_changed_and_deleted_files() -> None:
    from agentcore.tools import ToolContext

    box = FakeSandbox({'keep.txt': 'aaa', 'old.txt': 'bbb'})  # a workspace in memory (the Docker path is in the verify tests)
    obs = await EffectTracker().observe(_Writer(), {}, ToolContext(run_id='r', call_id='c', sandbox=box))  # type: ignore[arg-type]
    assert obs.effects is not None and obs.result is not None
    assert obs.effects.created == {'new.txt': _sha('ccc')} and obs.effects.changed == {'keep.txt': _sha('ddd')}
    assert obs.effects.deleted == ['old.txt'] and obs.effects.exit_code == 0
    assert obs.result.data == {'exit_code': 0, 'stdout': 'ok\n', 'stderr': ''}  # duration is not recorded


def test_paused_for_approval_and_failed_model_runs_replay(tmp_path: Path) -> None:
    policy = {'version': 1, 'default': 'allow', 'rules': [{'tool': 'lookup', 'action': 'ask'}]}
    paused = record(
        'paused',
        ['look it up'],
        model=ScriptedModel([calls(('lookup', {'key': 'answer'}))]),
        tools=[LOOKUP],
        policy=policy,
    )
    assert paused.runs[0].result.status == 'awaiting_approval' and paused.config.policy == policy
    exhausted = record(
        'exhausted', ['look it up'], model=ScriptedModel([calls(('lookup', {'key': 'answer'}))]), tools=[LOOKUP]
    )
    run = exhausted.runs[0]
    assert run.result.status == 'failed' and run.turns[-1].error is not None
    assert 'script exhausted' in (run.result.stop_reason or '')
    for scenario in (paused, exhausted):
        path = save_scenario(scenario, tmp_path / f'{scenario.name}.yaml')
        result = replay_scenario(path)
        assert result.passed, result.describe()
        assert result.runs[0].status == scenario.runs[0].result.status


def test_policy_file_is_resolved_next_to_the_scenario(lookup_scenario: Path) -> None:
    text = lookup_scenario.read_text()
    (lookup_scenario.parent / 'policy.yaml').write_text('version: 1\ndefault: allow\n')
    lookup_scenario.write_text(text.replace('config:\n', 'config:\n  policy: policy.yaml\n', 1))
    assert replay_scenario(lookup_scenario).passed
    lookup_scenario.write_text(text.replace('config:\n', 'config:\n  policy: missing.yaml\n', 1))
    result = replay_scenario(lookup_scenario)
    assert result.status == 'error' and result.error is not None and 'config.policy' in result.error

"""`agentcore run` against the real server, in a subprocess, configured as a user would: environment variables only."""

from __future__ import annotations

import pytest

from .conftest import MODEL, Agentcore, assert_tool_loop, events_of

pytestmark = [pytest.mark.llm, pytest.mark.docker]

TASK = 'Use the python tool to print the numbers 1 to 3.'


def test_run_completes_a_tool_loop_in_the_sandbox(llm_env: dict[str, str], agentcore: Agentcore) -> None:
    # A base model calls no tool by itself, and this server supports no tool_choice='required' (see test_server):
    # naming the tool forces a call every turn, so the step budget is what ends the run.
    r = agentcore('run', TASK, '--model', MODEL, '--tools', 'python,write_file', '--max-steps', '3', '--json',
                  env={'AGENTCORE_TOOL_CHOICE': 'python'})
    result = r.json()
    assert (r.code, result['status'], result['error']) == (1, 'stopped_by_budget', None), r.err
    assert result['steps'] == 3 and result['tool_calls'] >= 2
    assert result['stop_reason'] == 'budget steps: max_steps=3 reached'
    assert result['usage']['input_tokens'] > 0 and result['usage']['output_tokens'] > 0

    shown = agentcore('runs', 'show', result['run_id'], '--json')
    assert shown.code == 0, shown.err
    detail = shown.json()
    assert_tool_loop(detail)
    assert detail['run']['model'] == MODEL and detail['run']['status'] == 'stopped_by_budget'
    assert {c['tool'] for c in detail['tool_calls']} == {'python'}
    # Every turn's request went out with the tools and came back with the server's usage, stored per step.
    assert [u['step'] for u in detail['usage']] == [1, 2, 3]
    assert all(u['input_tokens'] > 100 for u in detail['usage'])  # the tool list is in the prompt
    finished = events_of(detail, 'run_finished')
    assert [e['status'] for e in finished] == ['stopped_by_budget']


def test_run_without_tools_answers_in_text(llm_env: dict[str, str], agentcore: Agentcore) -> None:
    r = agentcore('run', 'Say hello.', '--model', MODEL, '--no-memory', '--max-steps', '2', '--json')
    result = r.json()
    assert r.code == 0 and result['status'] == 'completed', r.err
    assert result['steps'] == 1 and result['tool_calls'] == 0
    assert 0 < result['usage']['output_tokens'] <= 48
    detail = agentcore('runs', 'show', result['run_id'], '--json').json()
    (turn,) = events_of(detail, 'model_turn_finished')
    assert turn['tool_calls'] == [] and turn['content'] == result['output']

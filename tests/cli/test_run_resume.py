from __future__ import annotations

from pathlib import Path

from .conftest import Cli, add_call, write_script


def test_run_prints_the_answer_and_json(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', add_call(2, 3), 'The sum is 5.')
    r = cli('run', 'add 2 and 3', '--model', model, '--tools', 'tests._tools:add')
    assert r.code == 0 and r.out == 'The sum is 5.\n'
    assert 'completed · 2 steps · 30 tokens' in r.err
    r = cli('run', 'add 2 and 3', '--model', model, '--tools', 'tests._tools:add', '--json')
    data = r.json()
    assert r.code == 0 and data['status'] == 'completed' and data['output'] == 'The sum is 5.'
    assert data['tool_calls'] == 1 and data['usage'] == {
        'input_tokens': 20, 'output_tokens': 10, 'cached_input_tokens': 0, 'cache_write_tokens': 0}


def test_run_failed_run_exits_1(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', add_call(1, 1))  # the script ends before an answer
    r = cli('run', 'add', '--model', model, '--tools', 'tests._tools:add')
    assert r.code == 1 and 'failed' in r.err and 'script exhausted' in r.err


def test_run_bad_input(cli: Cli, workdir: Path) -> None:
    r = cli('run', 'x', '--model', f'scripted:{workdir / "missing.yaml"}')
    assert r.code == 2 and 'missing.yaml: cannot read script' in r.error_line
    bad = workdir / 'bad.yaml'
    bad.write_text('turns: [{content: 1, bogus: 2}]', encoding='utf-8')
    r = cli('run', 'x', '--model', f'scripted:{bad}')
    assert r.code == 2 and 'bad.yaml: turns.0' in r.error_line
    r = cli('run', 'x')
    assert r.code == 2 and 'no model configured (fix: pass --model' in r.error_line
    r = cli('run', 'x', '--model', 'scripted:m.yaml', '--tools', 'nope')
    assert r.code == 2 and '--tools nope: unknown tool' in r.error_line
    r = cli('run', 'x', '--model', 'scripted:m.yaml', '--max-steps', '0')
    assert r.code == 2 and '--max-steps' in r.error_line
    r = cli('run', 'x', '--policy', str(workdir / 'nope.yaml'), '--model', write_script(workdir / 'ok.yaml', 'hi'))
    assert r.code == 2 and 'nope.yaml' in r.error_line
    r = cli('run')
    assert r.code == 2 and 'task' in r.error_line.lower()


def test_resume_after_a_pause_for_approval(cli: Cli, workdir: Path) -> None:
    note = {'tool_calls': [{'name': 'write_note', 'arguments': {'path': 'a.txt', 'text': 'hi'}}]}
    model = write_script(workdir / 'm.yaml', note, 'written')
    r = cli('run', 'write a note', '--model', model, '--tools', 'tests._tools:write_note', '--policy', 'policy.yaml',
            '--json')
    paused = r.json()
    assert r.code == 0 and paused['status'] == 'awaiting_approval'
    assert paused['pending_approval']['tool'] == 'write_note'
    run_id = paused['run_id']
    r = cli('resume', run_id, '--edit', '{"path": "b.txt", "text": "bye"}', '--json')
    done = r.json()
    assert r.code == 0 and done['status'] == 'completed' and done['output'] == 'written'
    r = cli('runs', 'show', run_id, '--json')
    assert [c['arguments_json'] for c in r.json()['tool_calls']] == ['{"path": "b.txt", "text": "bye"}']


def test_resume_bad_input(cli: Cli, workdir: Path) -> None:
    assert cli('runs', 'list').code == 0  # creates the run store
    r = cli('resume', 'no-such-run', '--approve')
    assert r.code == 2 and "no run 'no-such-run'" in r.error_line and 'agentcore runs list' in r.error_line
    r = cli('resume', 'x', '--edit', '{"path": ')
    assert r.code == 2 and '--edit: not valid JSON' in r.error_line
    r = cli('resume', 'x', '--edit', '[1, 2]')
    assert r.code == 2 and '--edit: expected a JSON object' in r.error_line
    r = cli('resume', 'x', '--approve', '--abort')
    assert r.code == 2 and 'choose one of --approve, --abort' in r.error_line

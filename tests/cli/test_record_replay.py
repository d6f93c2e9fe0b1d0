from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import Cli, add_call, write_script


def _record(cli: Cli, workdir: Path) -> Path:
    model = write_script(workdir / 'm.yaml', add_call(2, 3), 'The sum is 5.')
    r = cli('record', 'demo', 'add 2 and 3', '--model', model, '--tools', 'tests._tools:add', '--out', 'demo.yaml')
    assert r.code == 0, r.err
    assert r.out.strip() == 'recorded 1 run to demo.yaml' and '[demo-1] completed · 2 steps · 1 tool calls' in r.err
    return workdir / 'demo.yaml'


def test_record_then_replay_passes(cli: Cli, workdir: Path) -> None:
    path = _record(cli, workdir)
    scenario = yaml.safe_load(path.read_text(encoding='utf-8'))
    assert scenario['name'] == 'demo' and scenario['runs'][0]['result']['output'] == 'The sum is 5.'
    r = cli('replay', 'demo.yaml')
    assert r.code == 0 and r.out.startswith('PASS demo.yaml (demo, replay, 1 run,')
    assert '1 passed, 0 failed, 0 bad input' in r.out
    r = cli('replay', str(path), '--json')
    data = r.json()
    assert r.code == 0 and data['results'][0]['status'] == 'passed' and data['results'][0]['divergences'] == []


def test_replay_of_a_changed_expectation_fails_with_exit_1(cli: Cli, workdir: Path) -> None:
    path = _record(cli, workdir)
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    data['runs'][0]['expect'] = {'output': {'contains': ['six']}}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding='utf-8')
    r = cli('replay', str(path), '--json')
    result = r.json()['results'][0]
    assert r.code == 1 and result['status'] == 'failed'
    assert [d['kind'] for d in result['divergences']] == ['expectation']


def test_record_json(cli: Cli, workdir: Path) -> None:
    first = write_script(workdir / 'm1.yaml', add_call(2, 3), 'The sum is 5.')
    second = write_script(workdir / 'm2.yaml', 'No tools needed.')
    r = cli('record', 'pair', 'add 2 and 3', 'say hi', '--model', first, '--model', second,
            '--tools', 'tests._tools:add', '--out', 'out/pair.yaml', '--json')
    data = r.json()
    assert r.code == 0 and r.err == '', r.err
    assert data['scenario'] == 'pair' and data['path'] == 'out/pair.yaml' and (workdir / 'out/pair.yaml').is_file()
    assert data['runs'] == [
        {'run_id': 'pair-1', 'task': 'add 2 and 3', 'status': 'completed', 'steps': 2, 'tool_calls': 1,
         'output': 'The sum is 5.', 'stop_reason': data['runs'][0]['stop_reason']},
        {'run_id': 'pair-2', 'task': 'say hi', 'status': 'completed', 'steps': 1, 'tool_calls': 0,
         'output': 'No tools needed.', 'stop_reason': data['runs'][1]['stop_reason']},
    ]  # fmt: skip
    assert [run['run_id'] for run in yaml.safe_load((workdir / 'out/pair.yaml').read_text())['runs']] == [
        'pair-1', 'pair-2']


def test_record_bad_input(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', 'hi')
    r = cli('record', 'demo', 'task', '--model', model, '--approve', 'maybe')
    assert r.code == 2 and '--approve maybe: expected approve' in r.error_line
    r = cli('record', 'demo', 'task', '--model', model, '--approve', 'edit:{oops')
    assert r.code == 2 and '--approve edit:{oops: edit needs a JSON object' in r.error_line
    r = cli('record', 'demo', 'task', '--model', model, '--file', 'nonsense')
    assert r.code == 2 and '--file nonsense: expected DEST=SRC' in r.error_line
    r = cli('record', 'demo', 'task', '--model', 'scripted:missing.yaml')
    assert r.code == 2 and 'missing.yaml' in r.error_line
    r = cli('record', 'demo', 'task')
    assert r.code == 2 and '--model' in r.error_line
    (workdir / 'folder').mkdir()
    r = cli('record', 'demo', 'task', '--model', model, '--out', 'folder', '--json')
    assert r.code == 2 and r.out == '' and '--out: folder is a folder; give the scenario file to write' in r.error_line
    (workdir / 'blocker').write_text('a file where a folder should be', encoding='utf-8')
    r = cli('record', 'demo', 'task', '--model', model, '--out', 'blocker/demo.yaml')
    assert r.code == 2 and '--out: cannot write blocker/demo.yaml' in r.error_line


def test_replay_bad_input(cli: Cli, workdir: Path) -> None:
    r = cli('replay', 'missing.yaml')
    assert r.code == 2 and 'missing.yaml' in r.error_line and 'no such file' in r.error_line
    (workdir / 'broken.yaml').write_text('version: 1\nname: [unclosed\n', encoding='utf-8')
    r = cli('replay', 'broken.yaml')
    assert r.code == 2 and 'broken.yaml' in r.out
    r = cli('replay', 'broken.yaml', '--jobs', '0')
    assert r.code == 2 and '--jobs' in r.error_line

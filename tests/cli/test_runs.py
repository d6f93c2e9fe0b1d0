from __future__ import annotations

from pathlib import Path

from .conftest import Cli, add_call, write_script


def _two_runs(cli: Cli, workdir: Path) -> list[str]:
    ids = []
    for task in ('first task', 'second task'):
        model = write_script(workdir / 'm.yaml', add_call(1, 2), 'three')
        r = cli('run', task, '--model', model, '--tools', 'tests._tools:add', '--json')
        assert r.code == 0, r.err
        ids.append(r.json()['run_id'])
    return ids


def test_runs_list_show_and_audit(cli: Cli, workdir: Path) -> None:
    first, second = _two_runs(cli, workdir)
    r = cli('runs', 'list', '--json')
    rows = r.json()
    assert r.code == 0 and [row['run_id'] for row in rows] == [second, first]
    assert rows[0]['status'] == 'completed' and 'config_json' not in rows[0]
    r = cli('runs', 'list', '--limit', '1')
    assert r.code == 0 and second in r.out and first not in r.out and 'second task' in r.out
    r = cli('runs', 'show', first)
    assert r.code == 0 and r.out.startswith(f'run {first}: completed  steps=2 tool_calls=1 tokens=30')
    assert 'tool_call_started' in r.out and 'add({"a": 1, "b": 2})' in r.out and 'output: three' in r.out
    detail = cli('runs', 'show', first, '--json').json()
    assert detail['run']['task'] == 'first task' and detail['events'][0]['type'] == 'run_started'
    assert [c['tool'] for c in detail['tool_calls']] == ['add'] and len(detail['usage']) == 2
    r = cli('runs', 'audit', first, '--verify')
    assert r.code == 0 and f'audit log of {first}: intact' in r.out
    audit = cli('runs', 'audit', first, '--verify', '--json').json()
    assert audit['verify']['ok'] is True and len(audit['records']) == audit['verify']['records'] > 0


def test_runs_bad_input(cli: Cli, workdir: Path) -> None:
    r = cli('runs', 'show', 'nope')
    assert r.code == 2 and r.error_line == ("agentcore: error: no run 'nope' in the run store "
                                            '(fix: list runs with `agentcore runs list`)')
    r = cli('runs', 'audit', 'nope', '--verify')
    assert r.code == 2 and "no run 'nope'" in r.error_line
    r = cli('runs', 'list', '--limit', '0')
    assert r.code == 2 and '--limit' in r.error_line
    r = cli('runs', 'list', '--limit', 'ten')
    assert r.code == 2 and '--limit' in r.error_line
    r = cli('runs', 'frobnicate')
    assert r.code == 2 and 'frobnicate' in r.error_line

"""The CLI shows an unknown cost as unknown (never $0), refuses max_usd on an unpriced model, and exits 1 on a loop."""

from __future__ import annotations

from pathlib import Path

from .conftest import Cli, write_script

MAX_USD_POLICY = 'version: 1\ndefault: allow\nbudget:\n  max_usd: 1.0\n'


def test_unknown_cost_in_run_json_and_runs_show_and_list(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', {'content': 'hello', 'cost_usd': None})
    r = cli('run', 'say hello', '--model', model)
    assert r.code == 0 and 'completed · 1 steps · 15 tokens · cost unknown' in r.err and '$' not in r.err
    r = cli('run', 'say hello', '--model', model, '--json')
    data = r.json()
    assert r.code == 0 and (data['cost_usd'], data['cost_known']) == (None, False)
    run_id = data['run_id']

    r = cli('runs', 'show', run_id, '--json')
    shown = r.json()
    assert (shown['run']['cost_usd'], shown['run']['cost_known']) == (None, False)
    assert [(u['cost_usd'], u['cost_known']) for u in shown['usage']] == [(None, False)]
    finished = shown['events'][-1]
    assert finished['type'] == 'run_finished' and (finished['cost_usd'], finished['cost_known']) == (None, False)
    r = cli('runs', 'show', run_id)
    assert r.code == 0 and 'cost=unknown' in r.out.splitlines()[0]

    r = cli('runs', 'list', '--json')
    assert [(x['cost_usd'], x['cost_known']) for x in r.json()] == [(None, False), (None, False)]
    r = cli('runs', 'list')
    assert r.code == 0 and 'unknown' in r.out and '0.0000' not in r.out


def test_known_cost_is_shown_in_dollars(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', {'content': 'hello', 'cost_usd': 0.0125})
    r = cli('run', 'say hello', '--model', model, '--json')
    data = r.json()
    assert (data['cost_usd'], data['cost_known']) == (0.0125, True)
    r = cli('runs', 'show', data['run_id'])
    assert 'cost=$0.0125' in r.out


def test_max_usd_on_an_unpriced_model_exits_2_with_one_line(cli: Cli, workdir: Path) -> None:
    (workdir / 'budget.yaml').write_text(MAX_USD_POLICY, encoding='utf-8')
    model = write_script(workdir / 'm.yaml', {'content': 'hello', 'cost_usd': None})
    for m in (model, 'openai/gemma3-270m'):
        r = cli('run', 'say hello', '--model', m, '--policy', 'budget.yaml', '--no-memory')
        assert r.code == 2 and 'max_usd=1 cannot be enforced' in r.error_line and 'prices' in r.error_line
    assert cli('runs', 'list', '--json').json() == []


def test_a_stuck_loop_exits_1_naming_the_call(cli: Cli, workdir: Path) -> None:
    bad = {'tool_calls': [{'name': 'add', 'arguments': {'a': 'one', 'b': 2}}]}  # fails validation every time
    model = write_script(workdir / 'm.yaml', *([bad] * 5), 'never')
    r = cli('run', 'add', '--model', model, '--tools', 'tests._tools:add', '--json')
    data = r.json()
    assert r.code == 1 and data['status'] == 'stopped_by_loop'
    assert data['stop_reason'].startswith('loop: add({"a":"one","b":2}) failed 4 times')

"""`agentcore memory search|list|delete|info`, run through the real entry point (one-line errors, --json)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from agentcore.memory import Episode, LocalMemory


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from agentcore.cli import main

    monkeypatch.setattr(sys, 'argv', ['agentcore', 'memory', *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def saved(agentcore_home: Path) -> list[Episode]:
    episodes = [
        Episode(task='fix the flaky pytest', outcome='failed', tags=['ci'], namespace='alice'),
        Episode(task='deploy to kubernetes', outcome='completed', tags=['ops']),
    ]
    with LocalMemory(agentcore_home / 'memory' / 'episodes.sqlite3') as store:
        store.save_many(episodes)
    return episodes


def test_search_json(monkeypatch: pytest.MonkeyPatch, capsys: Any, saved: list[Episode]) -> None:
    code, out, err = run_cli(monkeypatch, capsys, 'search', 'flaky test', '--json', '-k', '1')
    assert (code, err) == (0, '')
    data = json.loads(out)
    assert data['store']['backend'] == 'local'
    assert [h['episode']['id'] for h in data['hits']] == [saved[0].id]
    assert 0 <= data['hits'][0]['score'] <= 1


def test_search_with_filters_text(monkeypatch: pytest.MonkeyPatch, capsys: Any, saved: list[Episode]) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, 'search', 'kubernetes', '-n', 'default', '-t', 'ops', '-o', 'completed',
                           '--since', '1d')  # fmt: skip
    assert code == 0
    assert saved[1].id in out and saved[0].id not in out
    code, out, _ = run_cli(monkeypatch, capsys, 'search', 'kubernetes', '--until', '2000-01-01')
    assert (code, out.strip()) == (0, 'no matching episodes')


def test_list_json_and_text(monkeypatch: pytest.MonkeyPatch, capsys: Any, saved: list[Episode]) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, 'list', '--json')
    assert code == 0
    assert [e['id'] for e in json.loads(out)['episodes']] == [saved[1].id, saved[0].id]
    code, out, _ = run_cli(monkeypatch, capsys, 'list', '--namespace', 'alice')
    assert code == 0 and len(out.splitlines()) == 1 and 'fix the flaky pytest' in out


def test_delete(monkeypatch: pytest.MonkeyPatch, capsys: Any, saved: list[Episode]) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, 'delete', saved[0].id, '--json')
    assert (code, json.loads(out)) == (0, {'deleted': True, 'id': saved[0].id})
    code, out, err = run_cli(monkeypatch, capsys, 'delete', saved[0].id)
    assert code == 2 and out == ''  # an unknown id is bad input, as everywhere in the CLI
    assert err == f'agentcore: error: no episode with id {saved[0].id} (fix: `agentcore memory list` shows the ids)\n'


def test_info_reports_the_fallback(monkeypatch: pytest.MonkeyPatch, capsys: Any, agentcore_home: Path) -> None:
    code, out, _ = run_cli(monkeypatch, capsys, 'info', '--url', 'http://127.0.0.1:1', '--json')
    assert code == 0
    info = json.loads(out)
    assert info['backend'] == 'local' and 'http://127.0.0.1:1' in info['fallback_reason']


@pytest.mark.parametrize(
    ('args', 'code', 'message'),
    [
        (('search', 'x', '-k', '0'), 2, 'k must be between 1 and 100, got 0'),
        (
            ('list', '--since', 'yesterday'),
            2,
            "--since: expected an ISO date/time or an age like 7d, 12h, 30m, got 'yesterday'",
        ),
        (('list', '--namespace', 'bad ns'), 2, 'invalid namespace'),
        (('search', 'x', '--embedder', 'hash:64'), 1, 'was written with embedder hash-ngram-v1 (dimension 256)'),
        (('list', '--embedder', 'nope'), 2, 'bad embedder spec'),
    ],
)
def test_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, saved: list[Episode], args: tuple[str, ...], code: int, message: str
) -> None:
    got, out, err = run_cli(monkeypatch, capsys, *args)
    assert got == code and out == ''
    assert err.startswith('agentcore: error: ') and message in err
    assert err.count('\n') == 1 and 'Traceback' not in err

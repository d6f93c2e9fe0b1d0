from __future__ import annotations

from pathlib import Path

from agentcore.memory import Episode, open_memory

from .conftest import Cli


def _seed() -> list[str]:
    with open_memory() as store:
        return [store.save(Episode(task='fix the failing unit test in parser.py', outcome='completed',
                                   lessons='run the tests before editing')),
                store.save(Episode(task='write a haiku about autumn', outcome='failed'))]


def test_memory_list_search_delete_info(cli: Cli, agentcore_home: Path) -> None:
    parser_id, haiku_id = _seed()
    r = cli('memory', 'list', '--json')
    listed = r.json()
    assert r.code == 0 and {e['id'] for e in listed['episodes']} == {parser_id, haiku_id}
    assert listed['store']['backend'] == 'local'
    r = cli('memory', 'list', '--outcome', 'failed')
    assert r.code == 0 and haiku_id in r.out and parser_id not in r.out
    r = cli('memory', 'search', 'failing parser test', '--k', '1', '--json')
    hits = r.json()['hits']
    assert r.code == 0 and [h['episode']['id'] for h in hits] == [parser_id]
    r = cli('memory', 'search', 'failing parser test', '--k', '1')
    assert r.code == 0 and parser_id in r.out
    r = cli('memory', 'info', '--json')
    assert r.code == 0 and r.json()['backend'] == 'local'
    r = cli('memory', 'delete', haiku_id, '--json')
    assert r.code == 0 and r.json() == {'deleted': True, 'id': haiku_id}
    r = cli('memory', 'list')
    assert r.code == 0 and haiku_id not in r.out and parser_id in r.out


def test_memory_bad_input(cli: Cli, agentcore_home: Path) -> None:
    parser_id, _ = _seed()
    r = cli('memory', 'delete', 'no-such-episode')
    assert r.code == 2 and r.error_line == ('agentcore: error: no episode with id no-such-episode '
                                            '(fix: `agentcore memory list` shows the ids)')
    r = cli('memory', 'delete', parser_id, '--namespace', 'elsewhere', '--json')
    assert r.code == 2 and r.out == '' and f"no episode with id {parser_id} in namespace 'elsewhere'" in r.error_line
    assert parser_id in cli('memory', 'list').out
    r = cli('memory', 'list', '--since', 'last tuesday')
    assert r.code == 2 and "--since: expected an ISO date/time or an age like 7d, 12h, 30m, got 'last tuesday'" \
        in r.error_line
    r = cli('memory', 'search', 'x', '--k', 'many')
    assert r.code == 2 and '--k' in r.error_line
    r = cli('memory', 'list', '--embedder', 'bogus:thing')
    assert r.code == 2 and 'bogus' in r.error_line

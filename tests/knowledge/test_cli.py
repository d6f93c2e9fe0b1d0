"""`agentcore knowledge add|list|search|remove|info` through the real entry point: output, --json, one-line errors.

Until `agentcore/cli/_app.py` registers the sub-app, the `registered` fixture adds it to the real app (once).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from agentcore.knowledge import LocalKnowledge


@pytest.fixture(autouse=True)
def registered() -> None:
    from agentcore.cli import _app, _knowledge

    if not any(group.name == 'knowledge' for group in _app.app.registered_groups):
        _app.app.add_typer(_knowledge.app, name='knowledge', help='Ingest documents and search them with citations.')


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from agentcore.cli import main

    monkeypatch.setattr(sys, 'argv', ['agentcore', 'knowledge', *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_add_list_search_remove(monkeypatch: pytest.MonkeyPatch, capsys: Any, corpus: Path, agentcore_home: Path) -> None:
    code, out, err = run_cli(monkeypatch, capsys, 'add', str(corpus), '--tag', 'lumen')
    assert (code, out, err) == (0, 'added 5, updated 0, unchanged 0, removed 0, skipped 0 (18 chunks embedded)\n', '')
    assert (agentcore_home / 'knowledge' / 'knowledge.sqlite3').is_file()  # the settings' home, by default

    code, out, _ = run_cli(monkeypatch, capsys, 'list')
    assert code == 0
    assert out.splitlines()[0] == f'    4 chunks  markdown  {corpus}/configuration.md  [lumen]'
    assert len(out.splitlines()) == 5

    code, out, _ = run_cli(monkeypatch, capsys, 'search', 'restore to an earlier point in time', '-k', '1')
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].endswith(f'{corpus}/operations.pdf, p. 2, § Restoring a site > Point-in-time recovery '
                             f'[{lines[0][-17:-1]}]')  # fmt: skip
    assert lines[1].startswith('       To go back to an earlier state, pass --at with a timestamp')

    code, out, _ = run_cli(monkeypatch, capsys, 'search', 'backups', '--source', '*.md', '--tag', 'lumen', '--json')
    data = json.loads(out)
    assert code == 0 and data['store']['backend'] == 'local'
    assert data['hits'] and all(h['citation']['file'].endswith('.md') for h in data['hits'])

    code, out, _ = run_cli(monkeypatch, capsys, 'add', str(corpus), '--json')
    assert code == 0 and json.loads(out)['counts'] == {'added': 0, 'updated': 0, 'unchanged': 5, 'removed': 0,
                                                       'skipped': 0}  # fmt: skip

    code, out, _ = run_cli(monkeypatch, capsys, 'remove', str(corpus / 'notes.txt'))
    assert (code, out) == (0, f'removed {corpus}/notes.txt\n')
    code, out, _ = run_cli(monkeypatch, capsys, 'remove', str(corpus), '--json')
    assert code == 0 and len(json.loads(out)['removed']) == 4
    code, out, _ = run_cli(monkeypatch, capsys, 'list')
    assert (code, out) == (0, 'no documents\n')
    code, out, _ = run_cli(monkeypatch, capsys, 'search', 'anything')
    assert (code, out) == (0, 'no matching passages\n')


def test_store_option_skipped_files_and_info(monkeypatch: pytest.MonkeyPatch, capsys: Any, corpus: Path,
                                             tmp_path: Path) -> None:  # fmt: skip
    (corpus / 'broken.pdf').write_bytes(b'%PDF-1.4 broken')
    target = tmp_path / 'kb.sqlite3'
    code, out, _ = run_cli(monkeypatch, capsys, 'add', str(corpus), '--store', str(target))
    assert code == 0
    assert out.splitlines()[1].startswith(f'skipped {corpus}/broken.pdf: not a readable PDF')
    with LocalKnowledge(target) as store:
        assert len(store.list()) == 5
    code, out, _ = run_cli(monkeypatch, capsys, 'info', '--store', str(target), '--json')
    assert code == 0 and json.loads(out) == {'backend': 'local', 'path': str(target), 'embedder': 'hash-ngram-v1',
                                             'dimension': 256, 'chunking': 'v1:1000:150'}  # fmt: skip


@pytest.mark.parametrize(
    ('args', 'code', 'message'),
    [
        (('add', 'nope.md'), 2, 'nope.md: no such file or folder'),
        (('add', '{binary}'), 2, 'is a binary file, not text, Markdown, HTML or PDF (fix: add .md, .html, .pdf'),
        (('add', '{corpus}', '--tag', ' '), 2, 'tags: empty tag'),
        (('remove', 'nope.md'), 2, 'no document stored at nope.md (fix: `agentcore knowledge list` shows the documents)'),
        (('search', 'x', '-k', '0'), 2, 'k must be between 1 and 100, got 0'),
        (('search', ' '), 2, 'search query must be a non-blank string'),
        (('search', 'x', '--source', ' '), 2, 'bad filter: source pattern must be 1-1024 characters'),
        (('list', '--embedder', 'nope'), 2, 'bad embedder spec'),
        (('search', 'x', '--embedder', 'hash:64'), 1, 'was written with embedder hash-ngram-v1 (dimension 256)'),
        (('list', '--url', 'http://127.0.0.1:1'), 1, 'Weaviate at http://127.0.0.1:1 is unreachable'),
        (('list', '--url', 'ftp://x'), 2, "'ftp://x' is not an http:// or https:// URL"),
    ],
)
def test_errors_are_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, corpus: Path, tmp_path: Path, args: tuple[str, ...], code: int,
    message: str,
) -> None:  # fmt: skip
    binary = tmp_path / 'logo.png'
    binary.write_bytes(b'\x89PNG\r\n\x1a\n\x00\x00')
    assert run_cli(monkeypatch, capsys, 'add', str(corpus / 'install.md'))[0] == 0
    monkeypatch.chdir(tmp_path)
    got, out, err = run_cli(monkeypatch, capsys, *(a.format(binary=binary, corpus=corpus) for a in args))
    assert (got, out) == (code, '')
    assert err.startswith('agentcore: error: ') and message in err
    assert err.count('\n') == 1 and 'Traceback' not in err

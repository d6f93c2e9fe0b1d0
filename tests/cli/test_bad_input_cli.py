"""Bad data and bad settings at the command line: no terminal control from model text, one line for each mistake."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import Cli, write_script

NASTY = 'clean\x1b[2J\x1b]0;title\x07 answer\x1b[31m red\x9b2J'


def test_run_prints_an_answer_without_terminal_control(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', NASTY)
    r = cli('run', 'say it', '--model', model)
    assert r.code == 0
    assert r.out == 'clean answer red\n'
    assert '\x1b' not in r.out + r.err and '\x9b' not in r.out


def test_json_output_keeps_the_exact_text(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', NASTY)
    r = cli('run', 'say it', '--model', model, '--json')
    assert r.code == 0 and r.json()['output'] == NASTY
    assert '\x1b' not in r.out  # escaped by json


def test_runs_show_strips_terminal_control(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', NASTY)
    run_id = cli('run', 'task \x1b]0;pwned\x07', '--model', model, '--json').json()['run_id']
    r = cli('runs', 'show', run_id)
    assert r.code == 0 and 'output: clean answer red' in r.out and '\x1b' not in r.out
    r = cli('runs', 'list')
    assert r.code == 0 and '\x1b' not in r.out


def test_an_error_line_from_model_text_has_no_terminal_control(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', {'tool_calls': [{'name': 'add', 'arguments': {'a': 1, 'b': 2}}]})
    r = cli('run', 'x\x1b[2J', '--model', model, '--tools', 'tests._tools:add')
    assert r.code == 1 and '\x1b' not in r.err


@pytest.mark.parametrize(
    ('variable', 'value', 'expected'),
    [
        ('AGENTCORE_CHECKPOINT_URL', 'garbage://x', "unknown scheme 'garbage'"),
        ('AGENTCORE_CONFIG', '/nonexistent.toml', 'AGENTCORE_CONFIG=/nonexistent.toml: no such file'),
        ('AGENTCORE_DATABASE_URL', '::not a url', 'is not a SQLAlchemy URL'),
        ('AGENTCORE_DATABASE_URL', 'sqlite:///{file}/runs.sqlite', 'is not a directory'),
        ('AGENTCORE_CHECKPOINT_URL', '{file}/checkpoints.sqlite', 'is not a directory'),
        ('AGENTCORE_HOME', '{file}/home', 'is not a directory'),
        ('AGENTCORE_POLICY', '/nonexistent/policy.yaml', 'no such file'),
        ('AGENTCORE_WEAVIATE_URL', 'ftp://weaviate', 'is not an http:// or https:// URL'),
        ('AGENTCORE_API_BASE', 'localhost:8000/v1', 'is not an http:// or https:// URL'),
    ],
    ids=['checkpoint-scheme', 'config-missing', 'database-url', 'database-parent', 'checkpoint-parent', 'home-parent',
         'policy-missing', 'weaviate-scheme', 'api-base-scheme'],
)
def test_a_bad_setting_is_one_line_naming_it(cli: Cli, workdir: Path, monkeypatch: pytest.MonkeyPatch,
                                             variable: str, value: str, expected: str) -> None:
    model = write_script(workdir / 'm.yaml', 'hi')
    blocker = workdir / 'a-file'
    blocker.write_text('not a directory', encoding='utf-8')
    monkeypatch.setenv(variable, value.format(file=blocker))
    r = cli('run', 'x', '--model', model)
    assert r.code == 2
    line = r.error_line
    name = variable.removeprefix('AGENTCORE_').lower()
    assert variable in line or f"'{name}'" in line
    assert expected in line


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads every file')
def test_an_unreadable_config_file_is_named(cli: Cli, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = workdir / 'agentcore.toml'
    cfg.write_text('model_retries = 1\n', encoding='utf-8')
    cfg.chmod(0)
    monkeypatch.setenv('AGENTCORE_CONFIG', str(cfg))
    r = cli('run', 'x', '--model', write_script(workdir / 'm.yaml', 'hi'))
    assert r.code == 2 and f'AGENTCORE_CONFIG={cfg}: cannot read the file' in r.error_line


def test_an_invalid_toml_file_is_named(cli: Cli, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = workdir / 'agentcore.toml'
    cfg.write_text('model = [unclosed\n', encoding='utf-8')
    monkeypatch.setenv('AGENTCORE_CONFIG', str(cfg))
    r = cli('run', 'x', '--model', write_script(workdir / 'm.yaml', 'hi'))
    assert r.code == 2 and str(cfg) in r.error_line


@pytest.mark.parametrize('name', ['runs.sqlite', 'checkpoints.sqlite'])
def test_a_corrupt_database_names_its_file_and_the_fix(cli: Cli, workdir: Path, agentcore_home: Path,
                                                       name: str) -> None:
    agentcore_home.mkdir(parents=True, exist_ok=True)
    corrupt = agentcore_home / name
    corrupt.write_bytes(os.urandom(3) + b'\x00not sqlite' * 800)
    r = cli('run', 'x', '--model', write_script(workdir / 'm.yaml', 'hi'))
    assert r.code == 2
    line = r.error_line
    assert str(corrupt) in line and 'not a database' in line and f'move {corrupt} aside' in line
    if name == 'runs.sqlite':
        r = cli('runs', 'list')
        assert r.code == 2 and str(corrupt) in r.error_line

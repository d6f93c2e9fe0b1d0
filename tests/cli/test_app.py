from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agentcore import __version__

from .conftest import Cli

COMMANDS = ['run', 'resume', 'chat', 'record', 'replay', 'runs', 'sandbox', 'memory']


def test_version_and_help(cli: Cli) -> None:
    r = cli('--version')
    assert r.code == 0 and r.out == f'agentcore {__version__}\n'
    r = cli('--help')
    listed = [line.split()[1] for line in r.out.splitlines() if line.startswith('│ ') and len(line.split()) > 2]
    assert r.code == 0 and all(c in listed for c in COMMANDS)
    for group, subs in (('runs', ['list', 'show', 'audit']), ('memory', ['search', 'list', 'delete']),
                        ('sandbox', ['build', 'doctor', 'prune'])):
        r = cli(group, '--help')
        assert r.code == 0 and all(f'│ {s} ' in r.out for s in subs), r.out


def test_unknown_command_and_flag_are_one_line_errors(cli: Cli) -> None:
    r = cli('frobnicate')
    assert r.code == 2 and r.error_line == "agentcore: error: No such command 'frobnicate'."
    r = cli('--frobnicate')
    assert r.code == 2 and '--frobnicate' in r.error_line


def test_help_and_replay_never_import_heavy_modules() -> None:
    code = ('import sys, runpy; sys.argv = ["agentcore", "--help"]\n'
            'from agentcore.cli import main\n'
            'try:\n    main()\nexcept SystemExit:\n    pass\n'
            'heavy = [m for m in ("litellm", "langgraph", "docker", "weaviate", "textual", "sqlmodel") if m in sys.modules]\n'
            'print("HEAVY", heavy)')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == 'HEAVY []'


@pytest.mark.parametrize('args', [
    ('runs', 'show', 'no-such-id'), ('runs', 'audit', 'no-such-id'), ('runs', 'audit', 'no-such-id', '--json'),
    ('resume', 'no-such-id', '--approve'), ('memory', 'delete', 'no-such-id'), ('memory', 'delete', 'no-such-id', '--json'),
])  # fmt: skip
def test_unknown_ids_exit_2_everywhere(cli: Cli, workdir: Path, args: tuple[str, ...]) -> None:
    r = cli(*args)
    assert r.code == 2 and r.out == '' and 'no-such-id' in r.error_line and '(fix: ' in r.error_line


@pytest.mark.parametrize(('args', 'needle'), [
    (('resume', 'x', '--edit', '{oops'), '--edit: not valid JSON'),
    (('record', 'd', 't', '--model', 'scripted:m.yaml', '--approve', 'edit:[1'), 'edit needs a JSON object'),
    (('replay', 'missing.yaml', '--json'), 'missing.yaml: no such file'),
    (('record', 'd', 't', '--model', 'scripted:missing.yaml', '--json'), 'missing.yaml'),
    (('record', 'd', 't', '--model', 'scripted:m.yaml', '--memory-seed', 'missing.yaml'), 'missing.yaml'),
    (('memory', 'list', '--until', 'someday', '--json'), '--until'),
    (('runs', 'list', '--limit', '-1', '--json'), '--limit'),
    (('sandbox', 'build', '--tag', 'A B', '--json'), '--tag'),
])  # fmt: skip
def test_bad_input_exits_2_with_one_line(cli: Cli, workdir: Path, args: tuple[str, ...], needle: str) -> None:
    (workdir / 'm.yaml').write_text('turns:\n- content: hi\n', encoding='utf-8')
    r = cli(*args)
    assert r.code == 2 and r.out == '' and needle in r.error_line

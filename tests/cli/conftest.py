"""Running `agentcore` in-process, through `main()` (so errors go through its one-line handler), with files to use."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ASK_POLICY = """version: 1
default: allow
rules:
  - tool: write_note
    action: ask
    reason: writes need a human
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def error_line(self) -> str:
        """The one error line; fails when stderr holds anything else (a traceback, usage text)."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1, f'expected one error line, got:\n{self.err}'
        assert lines[0].startswith('agentcore: error: '), lines[0]
        return lines[0]


Cli = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`cli('runs', 'list', '--json')` runs `agentcore runs list --json` and returns its exit code and output."""
    from agentcore.cli import main

    monkeypatch.setenv('COLUMNS', '200')
    monkeypatch.setenv('NO_COLOR', '1')

    def run(*args: str) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, 'argv', ['agentcore', *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with an `ask` policy file (tools come from `tests._tools`: add, write_note)."""
    work = tmp_path / 'work'
    work.mkdir()
    (work / 'policy.yaml').write_text(ASK_POLICY, encoding='utf-8')
    monkeypatch.syspath_prepend(str(work))
    monkeypatch.chdir(work)
    return work


def write_script(path: Path, *turns: Any) -> str:
    """Write a scripted-model file; returns the `scripted:PATH` model id."""
    import yaml

    data = [{'content': t} if isinstance(t, str) else t for t in turns]
    path.write_text(yaml.safe_dump({'turns': data}), encoding='utf-8')
    return f'scripted:{path}'


def add_call(a: int, b: int) -> dict[str, Any]:
    return {'tool_calls': [{'name': 'add', 'arguments': {'a': a, 'b': b}}]}

"""Running `agentcore ...` in the test process, through `main()` and its one-line errors (shared by the CLI tests)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest


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


def in_process_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
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

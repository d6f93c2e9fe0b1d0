"""Running `agentcore` in-process, through `main()` (so errors go through its one-line handler), with files to use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests._cli import Cli, Result, in_process_cli

__all__ = ['Cli', 'Result']

ASK_POLICY = """version: 1
default: allow
rules:
  - tool: write_note
    action: ask
    reason: writes need a human
"""


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`cli('runs', 'list', '--json')` runs `agentcore runs list --json` and returns its exit code and output."""
    return in_process_cli(capsys, monkeypatch)


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

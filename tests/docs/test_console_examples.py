"""Every `console` transcript of README.md and docs/ is run in a shell and its output compared (see `_markdown`).

The commands of one transcript run in order in one `bash` process (so `RUN=$(...)` carries over), in an empty
folder holding the page's files, with a fresh `AGENTCORE_HOME`, no terminal on stdin and `PYTHONPATH=.` unset (the
docs say when it is needed). The local-server URL is pointed at the fake OpenAI-compatible server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ._markdown import LOCAL_SERVER_URL, Block, blocks, markdown_files, output_matches, transcript, write_page_files

_START = '@@docs-command {}@@'
_EXIT = '@@docs-exit {} '


def _params() -> list[object]:
    out: list[object] = []
    for path in markdown_files():
        for block in blocks(path):
            if block.language != 'console':
                continue
            marks = [pytest.mark.docker] if block.settings.get('test') == 'docker' else []
            out.append(pytest.param(block, id=str(block), marks=marks))
    return out


def _script(commands: list[str]) -> str:
    parts = []
    for i, command in enumerate(commands):
        parts += [f"printf '%s\\n' '{_START.format(i)}'", command, f"printf '\\n%s%s@@\\n' '{_EXIT.format(i)}' \"$?\""]
    return '\n'.join(parts) + '\n'


def _run(block: Block, folder: Path, home: Path, server_url: str | None) -> list[tuple[list[str], int]]:
    steps = transcript(block)
    commands = [s.command.replace(LOCAL_SERVER_URL, server_url) if server_url else s.command for s in steps]
    env = {k: v for k, v in os.environ.items() if not k.startswith('AGENTCORE_') and k != 'PYTHONPATH'}
    env.update(
        PATH=f'{Path(sys.executable).parent}{os.pathsep}{env.get("PATH", "")}',
        AGENTCORE_HOME=str(home),
        # The suite blocks real model requests in child processes too; the fake local server is the exception.
        AGENTCORE_ALLOW_MODEL_REQUESTS='1' if server_url else '0',
        PYTHONUNBUFFERED='1',
        NO_COLOR='1',
        TERM='dumb',
        COLUMNS='100',
        LITELLM_LOCAL_MODEL_COST_MAP='True',
    )
    proc = subprocess.run(
        ['bash', '-c', _script(commands)],
        cwd=folder,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=240,
    )
    results: list[tuple[list[str], int]] = []
    text = proc.stdout
    for i in range(len(commands)):
        assert _EXIT.format(i) in text, f'{block}: the shell stopped at `{commands[i]}`:\n{text}'
        start = text.index(_START.format(i)) + len(_START.format(i)) + 1
        end = text.index(_EXIT.format(i), start)
        code = int(text[end + len(_EXIT.format(i)) :].split('@@', 1)[0])
        body = text[start:end].removesuffix('\n')
        lines = [line.rstrip() for line in body.splitlines()]
        while lines and not lines[-1]:
            lines.pop()
        results.append((lines, code))
    return results


@pytest.mark.parametrize('block', _params())
def test_console_transcript(block: Block, workdir: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if block.settings.get('test') == 'skip':
        pytest.skip('marked test="skip" (a hosted provider, a terminal UI, or a file run by another block)')
    steps = transcript(block)
    assert steps, f'{block}: a console block without commands'
    server_url = None
    uses_server = any(LOCAL_SERVER_URL in s.command for s in steps)
    if uses_server:
        server_url = request.getfixturevalue('fake_openai').url
    write_page_files(block.path, workdir)
    results = _run(block, workdir, tmp_path / 'agentcore-home', server_url)
    for step, (lines, code) in zip(steps, results, strict=True):
        shown = '\n'.join(lines)
        assert code == 0, f'{block}: `{step.command}` exited {code}; output:\n{shown}'
        assert output_matches(step.expected, lines), (
            f'{block}: `{step.command}` printed:\n{shown}\n--- but the docs show:\n' + '\n'.join(step.expected)
        )
    if uses_server:
        assert request.getfixturevalue('fake_openai').requests, f'{block} names the local server but never called it'

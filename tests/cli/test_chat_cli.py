from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from agentcore.tui import ChatApp

from .conftest import Cli, add_call, write_script


def test_chat_runs_the_tui_with_the_given_options(cli: Cli, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = write_script(workdir / 'm.yaml', add_call(2, 3), 'The sum is 5.')
    seen: dict[str, Any] = {}
    real_run = ChatApp.run

    def headless(self: ChatApp, **_: Any) -> Any:
        async def drive(pilot: Pilot[Any]) -> None:
            await pilot.press(*'add 2 and 3', 'enter')
            assert self._worker is not None
            await self._worker.wait()
            seen.update(timeline=self.timeline.text, status=self.status.line, agent=self.agent)
            self.exit()

        return real_run(self, headless=True, size=(120, 36), auto_pilot=drive)

    monkeypatch.setattr(ChatApp, 'run', headless)
    r = cli('chat', '--model', model, '--tools', 'tests._tools:add', '--policy', 'policy.yaml', '--max-steps', '7')
    assert r.code == 0, r.err
    assert '⚙ add({"a": 2, "b": 3})' in seen['timeline'] and '■ run completed' in seen['timeline']
    assert seen['status'].startswith('scripted:m.yaml │ 30 tokens') and 'budget left: 5 steps' in seen['status']
    assert seen['agent'].run_metadata['cli'] == {'model': model, 'tools': ['tests._tools:add'], 'policy': 'policy.yaml',
                                                 'max_steps': 7}
    r = cli('runs', 'list', '--json')
    assert [row['status'] for row in r.json()] == ['completed']


def test_chat_bad_input_fails_before_the_ui_starts(cli: Cli, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def never(self: ChatApp, **_: Any) -> None:
        raise AssertionError('the UI must not start on bad input')

    monkeypatch.setattr(ChatApp, 'run', never)
    r = cli('chat', '--model', 'scripted:missing.yaml')
    assert r.code == 2 and 'missing.yaml: cannot read script' in r.error_line
    r = cli('chat', '--model', 'scripted:m.yaml', '--tools', 'nope')
    assert r.code == 2 and '--tools nope: unknown tool' in r.error_line
    r = cli('chat', '--max-steps', 'lots')
    assert r.code == 2 and '--max-steps' in r.error_line
    r = cli('chat', '--model', write_script(workdir / 'ok.yaml', 'hi'), '--policy', 'nope.yaml')
    assert r.code == 2 and 'nope.yaml' in r.error_line
    r = cli('chat')
    assert r.code == 2 and 'no model configured' in r.error_line

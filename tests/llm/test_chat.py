"""`agentcore chat` against the real server: the command itself, its Textual app driven headless by a pilot."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from textual.pilot import Pilot

from agentcore.runstore import RunStore
from agentcore.tui import ChatApp

from .conftest import MODEL, assert_tool_loop

pytestmark = [pytest.mark.llm, pytest.mark.docker]

TASK = 'Use the python tool to print the numbers 1 to 3.'


def test_chat_runs_a_tool_loop_and_shows_it(llm_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}
    real_run = ChatApp.run

    def headless(self: ChatApp, **_: Any) -> Any:
        async def drive(pilot: Pilot[Any]) -> None:
            await pilot.press(*TASK, 'enter')
            assert self._worker is not None
            await self._worker.wait()
            await pilot.pause()
            seen.update(timeline=self.timeline.text, conversation=self.conversation.text, status=self.status.line,
                        state=self.status.state, runs=list(self.runs), store=self.store)
            self.exit()

        return real_run(self, headless=True, size=(120, 36), auto_pilot=drive)

    monkeypatch.setattr(ChatApp, 'run', headless)
    monkeypatch.setattr(sys, 'argv', ['agentcore', 'chat', '--model', MODEL, '--tools', 'python,write_file',
                                      '--max-steps', '3', '--tool-choice', 'python'])
    from agentcore.cli import main

    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code in (0, None)
    timeline = seen['timeline']
    assert '✗ run failed' not in timeline, timeline
    assert f'▶ run {seen["runs"][0]} · {MODEL}' in timeline
    assert timeline.count('⚙ python(') >= 2, timeline
    # ok, or an error the tool itself reported (a base model picks odd arguments, e.g. timeout_s=3e15)
    assert timeline.count('↳ python ok') + timeline.count('↳ python error') >= 2, timeline
    assert '■ run stopped_by_budget · 3 steps' in timeline, timeline
    assert seen['state'] == 'stopped_by_budget' and seen['status'].startswith(MODEL)
    assert f'you: {TASK}' in seen['conversation']
    store: RunStore = seen['store']
    (run_id,) = seen['runs']
    assert_tool_loop({'events': store.events(run_id), 'tool_calls': [r.model_dump() for r in store.tool_calls(run_id)]})

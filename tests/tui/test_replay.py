from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from agentcore.scenarios import ScenarioError
from agentcore.tui import ReplayApp, ReplayScreen, aload_trace, load_trace, run_replay_tui

from ._fixtures import SIZE
from ._helpers import wait_for
from ._scenario import record_demo

STEPS = ['run 1: add 2 and 3, then add 1', 'turn 1: calls add', '  add({"a": 2, "b": 3})', 'turn 2: calls add',
         '  add({"a": 5, "b": 1})', 'turn 3: answer', 'run 1: outcome completed', 'run 1: expectations']


def _text(screen: ReplayScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


async def test_stepper_moves_forward_and_back_through_a_clean_replay(tmp_path: Path) -> None:
    ok, _ = await record_demo(tmp_path)
    trace = await aload_trace(ok)
    assert [s.title for s in trace.steps] == STEPS and trace.status == 'passed' and not trace.divergences
    app = ReplayApp(trace)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        assert _text(screen, '#title') == 'Replay: tui-demo · step 1/8 · no divergence · passed'
        await pilot.press('right', 'n', 'space')
        assert screen.index == 3 and '"arguments": "{\\"a\\": 5, \\"b\\": 1}"' in str(screen.query_one('#recorded', Static).content)
        await pilot.press('left')
        assert screen.index == 2 and '"a": 2' in _text(screen, '#recorded')
        assert screen.query_one('#steps', DataTable).cursor_row == 2
        await pilot.press('end')
        assert screen.index == 7 and _text(screen, '#title').startswith('Replay: tui-demo · step 8/8')
        await pilot.press('right')
        assert screen.index == 7  # clamped at the end
        await pilot.press('home', 'p')
        assert screen.index == 0
        assert not screen.has_class('diverged')
        await pilot.press('q')
    assert app.return_code == 0


async def test_stepper_shows_divergences_side_by_side(tmp_path: Path) -> None:
    _, diverged = await record_demo(tmp_path)
    trace = await aload_trace(diverged)
    assert trace.status == 'failed' and trace.exit_code == 1
    assert trace.divergences == [4, 6, 7]  # the second call, the outcome, the expectations
    app = ReplayApp(trace)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        assert '3 divergence(s) · failed' in _text(screen, '#title')
        await pilot.press('d')
        assert screen.index == 4 and screen.has_class('diverged')
        left, right = _text(screen, '#recorded'), _text(screen, '#replayed')
        assert '-     "b": 2' in left and '+     "b": 1' in right
        assert screen.query_one('#recorded-side').border_title == 'recorded call'
        assert screen.query_one('#replayed-side').border_title == 'replayed call'
        assert _text(screen, '#note').startswith('✗ tool_call: run 1, call call_1_0 (add): the call differs')
        await pilot.press('d')
        assert screen.index == 6 and '-   "steps": 4,' in _text(screen, '#recorded')
        assert '+   "steps": 3,' in _text(screen, '#replayed')
        await pilot.press('d')
        assert screen.index == 7 and "'seven' not in" in _text(screen, '#note')
        await pilot.press('D', 'D')
        assert screen.index == 4
        await pilot.press('left')
        assert screen.index == 3 and not screen.has_class('diverged')


def test_run_replay_tui_reports_bad_input_before_opening_the_ui(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match='no such file|cannot read'):
        run_replay_tui(tmp_path / 'missing.yaml')
    bad = tmp_path / 'bad.yaml'
    bad.write_text('version: 1\nname: [oops\n', encoding='utf-8')
    with pytest.raises(ScenarioError, match='bad.yaml'):
        load_trace(bad)



def test_run_replay_tui_steps_then_returns_the_replay_exit_code(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    _, diverged = asyncio.run(record_demo(tmp_path))
    visited: list[int] = []
    real_run = ReplayApp.run

    def headless(self: ReplayApp, **_: Any) -> Any:
        async def drive(pilot: Pilot[Any]) -> None:
            await wait_for(pilot, lambda: isinstance(self.screen, ReplayScreen))
            screen = self.screen
            assert isinstance(screen, ReplayScreen)
            for key in ('d', 'd', 'left', 'home'):
                await pilot.press(key)
                visited.append(screen.index)
            await pilot.press('q')

        return real_run(self, headless=True, size=SIZE, auto_pilot=drive)

    monkeypatch.setattr(ReplayApp, 'run', headless)
    assert run_replay_tui(diverged) == 1
    assert visited == [4, 6, 5, 0]

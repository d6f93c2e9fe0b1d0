from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input
from textual.worker import WorkerCancelled

from agentcore.tui import HelpScreen

from ._fixtures import SIZE, Gate, big_output, calls, make_app_with, new_store
from ._helpers import wait_for


async def test_ui_stays_responsive_while_a_tool_runs_and_the_run_can_be_cancelled(tmp_path: Path) -> None:
    gate = Gate()
    app = make_app_with(new_store(tmp_path), [calls(('wait_here', {'label': 'slow'})), 'finished'], [gate.tool])
    async with app.run_test(size=SIZE) as pilot:
        worker = app.send('do the slow thing')
        await wait_for(pilot, gate.entered.is_set)
        assert app.running and app.status.state == 'running wait_here'
        assert '⚙ wait_here({"label": "slow"})' in app.timeline.text
        await pilot.press('f1')  # keys work while the tool is still running
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.press('escape')
        await pilot.press(*'next')
        assert app.query_one('#prompt', Input).value == 'next'
        await pilot.press('enter')  # a second message while busy is refused, not queued
        assert app.query_one('#prompt', Input).value == 'next' and app.runs == ['run-001']
        await pilot.press('ctrl+b')
        with pytest.raises(WorkerCancelled):
            await worker.wait()
        assert worker.is_cancelled and not app.running
        assert '■ run cancelled by the user' in app.timeline.text
        assert app.status.state == 'cancelled'


async def test_long_tool_output_is_kept_scrollable(tmp_path: Path) -> None:
    app = make_app_with(new_store(tmp_path), [calls(('big_output', {'lines': 3000})), 'printed'], [big_output])
    async with app.run_test(size=SIZE) as pilot:
        await app.send('print a lot').wait()
        await pilot.pause()
        timeline = app.timeline
        assert 'line 00000' in timeline.text and 'line 02999' in timeline.text
        assert timeline.max_scroll_y > 300
        # RichLog scrolls to the end after its next refresh, so the last line may still be on its way: wait for it.
        await wait_for(pilot, lambda: timeline.scroll_y == timeline.max_scroll_y, within=5)  # follows the end
        await pilot.press('ctrl+t', 'home')
        await wait_for(pilot, lambda: timeline.scroll_y == 0, within=5)
        assert timeline.has_focus
        await pilot.press('ctrl+f')
        assert timeline.auto_scroll is False

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from agentcore.tui import HelpScreen, HistoryScreen, help_sections

from ._fixtures import SIZE, calls, make_app, new_store
from ._helpers import wait_for


async def test_history_browser_opens_a_past_run_into_the_timeline(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    app = make_app(store, [calls(('add', {'a': 1, 'b': 2})), 'three', 'plain answer'], prefix='hist')
    async with app.run_test(size=SIZE) as pilot:
        await (app.send('add 1 and 2')).wait()
        await (app.send('just answer')).wait()
        store.update_run('hist-001', created_at='2026-01-01T10:00:00+00:00')
        store.update_run('hist-002', created_at='2026-01-01T11:00:00+00:00')
        await pilot.press('ctrl+r')
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        assert isinstance(history, HistoryScreen)
        assert history.run_ids == ['hist-002', 'hist-001']  # newest first
        table = history.query_one('#runs', DataTable)
        assert table.get_row_at(1)[:3] == ['hist-001', 'completed', '2']
        await pilot.press('down', 'enter')
        await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen))
        text = app.timeline.text
        assert text.startswith('▶ run hist-001 · scripted')
        assert '⚙ add({"a": 1, "b": 2})' in text and '■ run completed · 2 steps · 30 tokens' in text
        assert 'hist-002' not in text
        assert app.conversation.text.startswith('you: add 1 and 2')
        assert 'agent: three' in app.conversation.text
        assert app.status.state == 'viewing hist-001 (completed)' and app.status.tokens == 30


async def test_history_escape_goes_back_without_changing_the_timeline(tmp_path: Path) -> None:
    app = make_app(new_store(tmp_path), ['hello'])
    async with app.run_test(size=SIZE) as pilot:
        await (app.send('hi')).wait()
        before = app.timeline.text
        await pilot.press('ctrl+r')
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press('escape')
        await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen))
        assert app.timeline.text == before


async def test_help_lists_every_binding_of_every_screen(tmp_path: Path) -> None:
    app = make_app(new_store(tmp_path), ['hello'])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press('f1')
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        listed = {(section, keys) for section, keys, _ in screen.rows}
        for section, bindings in help_sections():
            for b in bindings:
                keys = ' / '.join(k.strip() for k in b.key.split(','))  # type: ignore[union-attr]
                assert (section, keys) in listed
        assert ('Approval dialog', 'ctrl+o') in listed and ('Chat', 'ctrl+r') in listed
        assert ('Replay stepper', 'd') in listed and ('Run history', 'enter') in listed
        await pilot.press('escape')
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))

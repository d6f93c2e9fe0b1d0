"""SVG snapshots of the main screens. Fixed run ids, timestamps and terminal size keep them deterministic.

Regenerate after an intended UI change with `pytest tests/tui/test_snapshots.py --snapshot-update`, and review the
SVGs in the diff like code.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from agentcore.tui import ApprovalScreen, HistoryScreen, ReplayApp, ReplayScreen, load_trace

from ._fixtures import ASK_WRITES, SIZE, Gate, add, calls, make_app, make_app_with, new_store
from ._helpers import wait_for
from ._scenario import record_demo


def test_chat_mid_run(snap_compare: Any, tmp_path: Path) -> None:
    gate = Gate()
    app = make_app_with(new_store(tmp_path), [{'content': 'Let me add those first.',
                                               **calls(('add', {'a': 2, 'b': 3}))},
                                              calls(('wait_here', {'label': 'slow step'})), 'done'],
                        [add, gate.tool], prefix='snap')

    async def run_before(pilot: Pilot[Any]) -> None:
        app.query_one('#prompt', Input).cursor_blink = False  # a blinking cursor would make the SVG flaky
        app.send('add 2 and 3, then do the slow step')
        await wait_for(pilot, gate.entered.is_set)

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_approval_dialog(snap_compare: Any, tmp_path: Path) -> None:
    app = make_app(new_store(tmp_path), [calls(('write_note', {'path': 'notes.txt', 'text': 'hello'})), 'noted'],
                   policy=ASK_WRITES, prefix='snap')

    async def run_before(pilot: Pilot[Any]) -> None:
        app.send('write a note')
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_history(snap_compare: Any, tmp_path: Path) -> None:
    store = new_store(tmp_path)
    app = make_app(store, [calls(('add', {'a': 1, 'b': 2})), 'three', 'hello there'], prefix='snap')

    async def run_before(pilot: Pilot[Any]) -> None:
        await app.send('add 1 and 2').wait()
        await app.send('say hello').wait()
        store.update_run('snap-001', created_at='2026-01-01T10:00:00+00:00')
        store.update_run('snap-002', created_at='2026-01-01T11:30:00+00:00')
        await pilot.press('ctrl+r')
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_replay_diff(snap_compare: Any, tmp_path: Path) -> None:
    _, diverged = asyncio.run(record_demo(tmp_path))
    app = ReplayApp(load_trace(diverged))

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
        await pilot.press('d')

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)

"""The TUI shows model and tool text without the terminal control sequences it may hold."""

from __future__ import annotations

from pathlib import Path

from agentcore.tui._diff import as_lines

from ._fixtures import SIZE, calls, make_app, new_store

NASTY = 'clean\x1b[2J\x1b]0;title\x07 text\x1b[31m red'


async def test_timeline_and_conversation_strip_control_sequences(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    app = make_app(store, [calls(('add', {'a': 2, 'b': 3})), NASTY])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click('#prompt')
        await pilot.press(*'go', 'enter')
        assert app._worker is not None
        await app._worker.wait()
        await pilot.pause()
        assert 'agent: clean text red' in app.conversation.text
        assert '  clean text red' in app.timeline.text
        assert '\x1b' not in app.timeline.text + app.conversation.text


def test_replay_lines_strip_control_sequences() -> None:
    assert as_lines(NASTY) == ['clean text red']
    assert '\x1b' not in ''.join(as_lines({'content': NASTY, 'x': '\x9b2J'}))

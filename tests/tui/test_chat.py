from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from ._fixtures import SIZE, calls, make_app, new_store


async def test_full_run_is_shown_in_the_timeline_conversation_and_status(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    app = make_app(store, [calls(('add', {'a': 2, 'b': 3})), 'The sum is 5.'])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click('#prompt')
        await pilot.press(*'add 2 and 3', 'enter')
        assert app._worker is not None
        await app._worker.wait()
        await pilot.pause()
        text = app.timeline.text
        assert '▶ run run-001 · scripted' in text
        assert '◆ turn 1 · 10 in / 5 out tokens · $0.0000' in text
        assert '⚖ policy allow add' in text
        assert '⚙ add({"a": 2, "b": 3})' in text
        assert '  ↳ add ok (untrusted data):\n    5\n' in text
        assert '■ run completed · 2 steps · 30 tokens' in text
        assert 'you: add 2 and 3' in app.conversation.text
        assert 'agent: The sum is 5.' in app.conversation.text
        assert app.status.tokens == 30 and app.status.state == 'completed'
        assert 'budget left: 8 steps' in app.status.line
        assert app.query_one('#prompt', Input).value == ''
    assert store.get_run('run-001').status == 'completed'


async def test_an_unknown_cost_shows_as_unknown_in_the_status_bar_and_history(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    app = make_app(store, [{'content': 'hello', 'cost_usd': None}])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click('#prompt')
        await pilot.press(*'hi', 'enter')
        assert app._worker is not None
        await app._worker.wait()
        await pilot.pause()
        assert '◆ turn 1 · 10 in / 5 out tokens · cost unknown' in app.timeline.text
        assert app.status.cost_usd is None and ' │ cost unknown │ ' in app.status.line and '$' not in app.status.line
    assert store.get_run('run-001').cost is None

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from agentcore.tui import ApprovalScreen

from ._fixtures import ASK_WRITES, SIZE, calls, make_app, new_store
from ._helpers import wait_for

NOTE = calls(('write_note', {'path': 'notes.txt', 'text': 'hello'}))


async def _start(app, pilot, task: str = 'write a note') -> ApprovalScreen:
    await pilot.press(*task, 'enter')
    await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
    screen = app.screen
    assert isinstance(screen, ApprovalScreen)
    return screen


async def test_approval_granted_through_the_dialog_runs_the_call(tmp_path: Path) -> None:
    app = make_app(new_store(tmp_path), [NOTE, 'noted'], policy=ASK_WRITES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _start(app, pilot)
        assert screen.request.tool == 'write_note' and screen.request.arguments == {'path': 'notes.txt', 'text': 'hello'}
        assert screen.request.reason.endswith('writes need a human')
        assert 'awaiting approval of write_note' in app.status.line
        await pilot.press('ctrl+o')
        await app._worker.wait()
        await pilot.pause()
        text = app.timeline.text
        assert '? approval needed: write_note' in text
        assert '✓ approval approve write_note' in text
        assert 'wrote 5 characters to notes.txt' in text
        assert 'agent: noted' in app.conversation.text
        assert not isinstance(app.screen, ApprovalScreen)


async def test_edited_arguments_are_validated_then_used(tmp_path: Path) -> None:
    app = make_app(new_store(tmp_path), [NOTE, 'noted'], policy=ASK_WRITES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _start(app, pilot)
        editor = screen.query_one('#arguments', TextArea)
        editor.load_text('{"path": "notes.txt",')
        await pilot.press('ctrl+s')
        assert isinstance(app.screen, ApprovalScreen)
        assert screen.error.startswith('✗ not valid JSON') and 'line 1' in screen.error
        editor.load_text('["not", "an", "object"]')
        await pilot.press('ctrl+s')
        assert screen.error == '✗ arguments must be a JSON object, not list'
        editor.load_text('{"path": 7}')
        await pilot.press('ctrl+s')
        assert screen.error == "✗ missing argument 'text'; 'path' should be string, got integer"
        editor.focus()
        editor.select_all()
        await pilot.press(*'{"path":"b","text":"bye!"}', 'ctrl+s')
        await app._worker.wait()
        await pilot.pause()
        text = app.timeline.text
        assert '✓ approval edit write_note' in text
        assert '⚙ write_note({"path": "b", "text": "bye!"})' in text
        assert 'wrote 4 characters to b' in text


async def test_rejection_with_a_reason_skips_the_call(tmp_path: Path) -> None:
    app = make_app(new_store(tmp_path), [NOTE, 'ok, I will not write'], policy=ASK_WRITES)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _start(app, pilot)
        await pilot.click('#reason')
        await pilot.press(*'not today', 'enter')
        await app._worker.wait()
        await pilot.pause()
        text = app.timeline.text
        assert '✓ approval reject write_note: not today' in text
        assert 'wrote' not in text
        assert 'agent: ok, I will not write' in app.conversation.text
        assert screen.request.call_id == 'call_0_0'


async def test_abort_stops_the_run(tmp_path: Path) -> None:
    app = make_app(new_store(tmp_path), [NOTE, 'never reached'], policy=ASK_WRITES)
    async with app.run_test(size=SIZE) as pilot:
        await _start(app, pilot)
        await pilot.press('ctrl+b')
        await app._worker.wait()
        await pilot.pause()
        assert '✓ approval abort write_note' in app.timeline.text
        assert 'never reached' not in app.conversation.text
        assert app.status.state == 'denied'


async def test_the_dialog_shows_which_values_did_not_come_from_the_user(tmp_path: Path) -> None:
    from textual.widgets import Static

    from agentcore.policy import ApprovalRequest, ArgumentProvenance
    from agentcore.tui import ApprovalView

    request = ApprovalRequest(
        call_id='c2', tool_name='write_note', arguments={'path': 'notes.txt', 'text': 'hi'}, args_hash='h',
        rule='untrusted_content.external', reason='untrusted content is in the context',
        provenance=(ArgumentProvenance(argument='path', trust='trusted', sources=('user',)),
                    ArgumentProvenance(argument='text', trust='untrusted', sources=('file:page.md#c1',),
                                       parts=('value',))))
    view = ApprovalView.of(request)
    assert view.provenance == ('text: untrusted (value only in file:page.md#c1)',)
    app = make_app(new_store(tmp_path), ['ok'])
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(ApprovalScreen(view))
        await wait_for(pilot, lambda: isinstance(app.screen, ApprovalScreen))
        shown = str(app.screen.query_one('#provenance', Static).render())
        assert 'values from untrusted content' in shown and 'text: untrusted (value only in file:page.md#c1)' in shown

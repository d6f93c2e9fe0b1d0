"""A stored run opened in the replay stepper from the history browser, and forked from the step the stepper shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from agentcore import Agent, Budget
from agentcore.runstore import RunStore
from agentcore.testing import FakeSandbox, ScriptedModel
from agentcore.tools import builtin_tools
from agentcore.tui import ChatApp, HistoryScreen, ReplayScreen, ReplayStep, ReplayTrace
from agentcore.tui._replay import ReplayApp
from agentcore.tui._run_steps import steps_of_events

from ._fixtures import SIZE, new_store, run_ids
from ._helpers import wait_for


def _call(name: str, **arguments: Any) -> dict[str, Any]:
    return {'tool_calls': [{'name': name, 'arguments': arguments}]}


WRITE = _call('write_file', path='notes/a.txt', content='first\n')
EDIT = _call('edit_file', path='notes/a.txt', search='first', replace='second')
READ = _call('read_file', path='notes/a.txt')


def _agent(store: RunStore, tmp_path: Path, turns: list[Any], box: FakeSandbox, approver: Any = None) -> Agent:
    return Agent(model=ScriptedModel(turns), tools=builtin_tools(), sandbox=box, store=store, approver=approver,
                 checkpointer=tmp_path / 'ckpt.sqlite', guardrails=[], budget=Budget(max_steps=10))


async def _stored_run(tmp_path: Path) -> tuple[RunStore, str, FakeSandbox]:
    """A completed 3-step run (write, edit, answer) in a SQLite run store, checkpointed to a file."""
    store, box = new_store(tmp_path), FakeSandbox()
    done = await _agent(store, tmp_path, [WRITE, EDIT, 'done'], box).arun('write then edit', run_id='orig')
    assert done.status == 'completed' and done.steps == 3 and box.read_file('notes/a.txt') == b'second\n'
    return store, done.run_id, box


def _chat(store: RunStore, tmp_path: Path, box: FakeSandbox) -> ChatApp:
    """The chat, with its own agent and an empty sandbox: the forked run reads the file, then answers."""
    return ChatApp(lambda approver: _agent(store, tmp_path, [WRITE, READ, 'forked'], box, approver), store=store,
                   new_run_id=run_ids('fork'))


async def _open_stepper(app: ChatApp, pilot: Any) -> ReplayScreen:
    await pilot.press('ctrl+r')
    await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
    await pilot.press('s')
    await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
    screen = app.screen
    assert isinstance(screen, ReplayScreen)
    return screen


def _notes(app: ChatApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_forking_at_the_shown_step_continues_a_new_run_with_that_steps_files(tmp_path: Path) -> None:
    store, orig, old_box = await _stored_run(tmp_path)
    box = FakeSandbox()
    app = _chat(store, tmp_path, box)
    async with app.run_test(size=SIZE) as pilot:
        stepper = await _open_stepper(app, pilot)
        table = stepper.query_one('#steps', DataTable)
        assert [table.get_row_at(i)[2] for i in range(table.row_count)] == [
            'step 1: calls write_file', 'step 2: calls edit_file', 'step 3: answer']
        assert stepper.step is not None and stepper.step.fork_step == 1
        recorded = stepper.step.recorded.splitlines()
        assert recorded[0].startswith('◆ turn 1 · ') and recorded[1].startswith('  → write_file({"content": "first')
        assert any(line.startswith('  ↳ write_file') for line in recorded)
        assert not any('edit_file' in line for line in recorded)

        await pilot.press('f')  # step 1: after the write, before the edit
        await wait_for(pilot, lambda: not isinstance(app.screen, (ReplayScreen, HistoryScreen)))
        assert app._worker is not None
        await app._worker.wait()
        await pilot.pause()

        assert app.runs == ['fork-001']
        assert 'Forked orig at step 1: new run fork-001.' in _notes(app)
        record = store.get_run('fork-001')
        assert (record.status, record.steps, record.task) == ('completed', 3, 'write then edit')
        assert box.read_file('notes/a.txt') == b'first\n'  # step 1's file, restored; not step 2's edit
        text = app.timeline.text
        assert text.startswith('⑂ run fork-001: fork of orig at step 1')
        assert 'read_file' in text and 'first' in text and '■ run completed · 3 steps' in text
        assert 'agent: forked' in app.conversation.text
        assert store.get_run(orig).status == 'completed' and old_box.read_file('notes/a.txt') == b'second\n'


async def test_a_step_that_cannot_be_forked_is_a_notification(tmp_path: Path) -> None:
    store, orig, _ = await _stored_run(tmp_path)
    app = _chat(store, tmp_path, FakeSandbox())
    async with app.run_test(size=SIZE) as pilot:
        stepper = await _open_stepper(app, pilot)
        await pilot.press('end', 'f')  # step 3, the final answer: the run ended there, no checkpoint to go on from
        await wait_for(pilot, lambda: any('Cannot fork' in n for n in _notes(app)))
        note = next(n for n in _notes(app) if 'Cannot fork' in n)
        assert note.startswith('Cannot fork orig at step 3: ') and 'pick --at between 0 and' in note
        assert app.screen is stepper and app.runs == [] and store.get_run(orig).status == 'completed'
        assert [r.run_id for r in store.list_runs(10)] == [orig]
        await pilot.press('escape')  # back to the history browser, then the chat
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))


def test_steps_of_events_one_step_per_model_turn() -> None:
    events = [
        {'type': 'run_started', 'run_id': 'r', 'task': 't', 'model': 'm'},
        {'type': 'model_turn_started', 'run_id': 'r', 'step': 1},
        {'type': 'model_turn_finished', 'run_id': 'r', 'step': 1, 'content': '', 'tool_calls': [
            {'name': 'shell', 'arguments': {'command': 'ls'}}]},
        {'type': 'tool_output_delta', 'run_id': 'r', 'call_id': 'c1', 'tool': 'shell', 'text': 'a.t'},
        {'type': 'tool_call_finished', 'run_id': 'r', 'call_id': 'c1', 'tool': 'shell', 'content': 'a.txt'},
        {'type': 'model_turn_started', 'run_id': 'r', 'step': 2},
        {'type': 'model_turn_finished', 'run_id': 'r', 'step': 2, 'content': 'there is a.txt'},
        {'type': 'run_finished', 'run_id': 'r', 'status': 'completed', 'steps': 2},
    ]
    steps = steps_of_events(events)
    assert [(s.title, s.fork_step) for s in steps] == [('step 1: calls shell', 1), ('step 2: answer', 2)]
    first, last = (s.recorded.splitlines() for s in steps)
    assert first[1:] == ['  → shell({"command": "ls"})', '  ↳ shell ok:', '    a.txt']
    assert last[1] == '  there is a.txt' and last[2].startswith('■ run completed · 2 steps')


async def test_a_scenario_recording_has_no_fork_binding() -> None:
    app = ReplayApp(ReplayTrace(name='demo', steps=[ReplayStep(title='turn 1: answer', recorded={'a': 1})]))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen))
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        assert screen.check_action('fork', ()) is False
        await pilot.press('f')
        await pilot.pause()
        assert app.screen is screen and [n.message for n in app._notifications] == []
        await pilot.press('q')
    assert app.return_code == 0


def test_stepper_of_a_stored_run(snap_compare: Any, tmp_path: Path) -> None:
    import asyncio

    store, _, _ = asyncio.run(_stored_run(tmp_path))
    app = _chat(store, tmp_path, FakeSandbox())

    async def run_before(pilot: Any) -> None:
        await _open_stepper(app, pilot)
        await pilot.press('right')

    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)

"""The machinery that keeps a step cheap: inline SQLite checkpoints, background WAL checkpoints, the in-process event
queue, incremental message validation and `Command` routing. Each is checked for the behaviour it must keep."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from agentcore import Agent, Message, ToolCallFinished, ToolOutputDelta
from agentcore._checkpoint import open_checkpointer
from agentcore._conversation import Conversations
from agentcore._graph import EDGES, NODES, _node
from agentcore._wal import BackgroundCheckpointer
from agentcore.testing import ScriptedModel
from agentcore.tools import ToolContext, tool
from tests._tools import add


def _rows(path: Path, table: str) -> int:
    """Rows of `table` as another process would see them (committed only)."""
    with sqlite3.connect(path) as other:
        return int(other.execute(f'SELECT count(*) FROM {table}').fetchone()[0])


def _config(thread: str, checkpoint_id: str = '') -> dict[str, Any]:
    return {'configurable': {'thread_id': thread, 'checkpoint_ns': '', 'checkpoint_id': checkpoint_id}}


async def test_task_writes_commit_with_the_next_checkpoint_and_interrupts_at_once(tmp_path: Path) -> None:
    from langgraph.checkpoint.base import empty_checkpoint

    db = tmp_path / 'ckpt.sqlite'
    async with open_checkpointer(db) as saver:
        first = empty_checkpoint()
        saved = await saver.aput(_config('t'), first, {'source': 'input', 'step': -1}, {})
        assert _rows(db, 'checkpoints') == 1

        await saver.aput_writes(saved, [('messages', [{'role': 'user', 'content': 'hi'}])], 'task-1')
        assert _rows(db, 'writes') == 0  # waits for the checkpoint that follows it
        assert (await saver.aget_tuple(saved)).pending_writes  # but this connection sees it already

        second = empty_checkpoint()
        await saver.aput(saved, second, {'source': 'loop', 'step': 0}, {})
        assert (_rows(db, 'writes'), _rows(db, 'checkpoints')) == (1, 2)  # one commit for both

        await saver.aput_writes(saved, [('__interrupt__', {'value': 'approve?'})], 'task-2')
        assert _rows(db, 'writes') == 2  # no checkpoint follows an interrupt: committed at once

        await saver.aput_writes(saved, [('messages', [])], 'task-3')
    assert _rows(db, 'writes') == 3  # closing commits what was left


def _wal_db(db: Path) -> sqlite3.Connection:
    """A WAL database with one table, whose writer leaves checkpoints to a `BackgroundCheckpointer`."""
    conn = sqlite3.connect(db)
    conn.execute('PRAGMA journal_mode=WAL')
    conn.execute(BackgroundCheckpointer.WRITER_PRAGMA)
    conn.execute('CREATE TABLE t (x TEXT)')
    conn.commit()
    return conn


def _wait_until_larger(db: Path, size: int) -> None:
    """Wait (10 s at most) for the database file to grow past `size`: pages were copied in from the log."""
    deadline = time.monotonic() + 10
    while db.stat().st_size <= size and time.monotonic() < deadline:
        time.sleep(0.01)
    assert db.stat().st_size > size


def test_background_checkpointer_copies_the_log_into_the_database_off_thread(tmp_path: Path) -> None:
    db = tmp_path / 'wal.sqlite'
    conn = _wal_db(db)
    wal = BackgroundCheckpointer(str(db), every=10)
    size_before = db.stat().st_size
    for _ in range(9):
        conn.execute('INSERT INTO t VALUES (?)', ('x' * 4000,))
        conn.commit()
        wal.committed()
    assert wal._thread is None and db.stat().st_size == size_before  # nothing copied: autocheckpoint is off
    conn.execute('INSERT INTO t VALUES (?)', ('x' * 4000,))
    conn.commit()
    wal.committed()  # the tenth commit wakes the thread
    _wait_until_larger(db, size_before + 9 * 4000)
    thread = wal._thread
    assert thread is not None and thread is not threading.current_thread()
    wal.close()
    assert not thread.is_alive()
    wal.committed()  # after close: counted, no thread restarted
    assert wal._thread is thread and not thread.is_alive()
    assert conn.execute('SELECT count(*) FROM t').fetchone()[0] == 10
    conn.close()


def test_run_store_flushes_survive_background_checkpoints(tmp_path: Path) -> None:
    from agentcore.runstore import RunStore

    store = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')
    store.create_run('r1', 'task', 'model')
    for i in range(250):  # several background checkpoints
        store.add_event('r1', {'type': 'note', 'i': i})
        store.flush()
    store.close()
    again = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')
    assert [e['i'] for e in again.events('r1')] == list(range(250))
    again.close()


def test_conversations_validate_each_message_once_and_revalidate_a_resumed_run(monkeypatch: pytest.MonkeyPatch) -> None:
    validated: list[dict[str, Any]] = []
    original = Message.model_validate.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Message], obj: Any, *args: Any, **kwargs: Any) -> Message:
        validated.append(obj)
        return original(cls, obj, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Message, 'model_validate', classmethod(counting))
    conv = Conversations(max_runs=2)
    raw = [{'role': 'system', 'content': 's'}, {'role': 'user', 'content': 'u'}]
    assert [m.content for m in conv.messages('r', raw)] == ['s', 'u']
    raw = raw + [{'role': 'assistant', 'content': 'a'}]  # the state's list grows, keeping its dicts
    assert [m.content for m in conv.messages('r', raw)] == ['s', 'u', 'a']
    assert len(validated) == 3

    resumed = [dict(m) for m in raw]  # read back from a checkpoint: equal, but new objects
    assert [m.content for m in conv.messages('r', resumed)] == ['s', 'u', 'a']
    assert len(validated) == 6

    conv.messages('other-1', raw[:1])
    conv.messages('other-2', raw[:1])  # 'r' is now the least recently used of three: dropped
    validated.clear()
    conv.messages('r', resumed)
    assert len(validated) == 3
    conv.forget('r')
    validated.clear()
    conv.messages('r', resumed)
    assert len(validated) == 3


def test_every_edge_leads_to_a_node() -> None:
    assert set(EDGES) == set(NODES)
    for source, destinations in EDGES.items():
        assert set(destinations) <= set(NODES), source
    assert EDGES['finish'] == ()


async def test_a_node_routing_outside_its_edges_is_a_bug_reported_by_name() -> None:
    class Store:
        async def aflush(self) -> None:
            pass

    class Rt:
        store = Store()
        audit = None

    async def policy_check(state: Any) -> dict[str, Any]:
        return {'route': 'remember'}

    wrapped = _node(policy_check, Rt(), EDGES['policy_check'])  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="'policy_check' routed to 'remember'"):
        await wrapped({})


@tool(side_effects='none')
def chatty(ctx: ToolContext) -> str:
    """Report progress, from the worker thread a sync tool runs on."""
    assert threading.current_thread() is not threading.main_thread()
    ctx.on_output('stdout', 'step 1\n')
    ctx.on_output('stderr', 'step 2\n')
    return 'done'


async def test_events_from_a_worker_thread_stream_in_order() -> None:
    model = ScriptedModel([{'tool_calls': [{'name': 'chatty', 'arguments': {}}]}, 'finished'])
    agent = Agent(model=model, tools=[chatty], checkpointer='memory')
    events = [e async for e in agent.astream('go')]
    deltas = [(e.stream, e.text) for e in events if isinstance(e, ToolOutputDelta)]
    assert deltas == [('stdout', 'step 1\n'), ('stderr', 'step 2\n')]
    last_delta = max(i for i, e in enumerate(events) if isinstance(e, ToolOutputDelta))
    assert last_delta < next(i for i, e in enumerate(events) if isinstance(e, ToolCallFinished))
    assert events[-1].type == 'run_finished'


@tool(side_effects='none')
async def slow() -> str:
    """Take a long time."""
    await asyncio.sleep(30)
    return 'late'


async def test_closing_the_stream_early_cancels_the_run() -> None:
    model = ScriptedModel([{'tool_calls': [{'name': 'slow', 'arguments': {}}]}, 'never'])
    agent = Agent(model=model, tools=[slow, add], checkpointer='memory')
    stream = agent.astream('wait')
    started = time.monotonic()
    async for event in stream:
        if event.type == 'tool_call_started':
            break
    await stream.aclose()
    assert time.monotonic() - started < 10
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert not [t for t in leftover if 'ainvoke' in repr(t.get_coro())]


async def test_a_second_saver_of_the_same_file_turns_deferred_commits_off(tmp_path: Path) -> None:
    from langgraph.checkpoint.base import empty_checkpoint

    db = tmp_path / 'ckpt.sqlite'
    async with open_checkpointer(db) as first:
        saved = await first.aput(_config('a'), empty_checkpoint(), {'source': 'input', 'step': -1}, {})
        await first.aput_writes(saved, [('messages', [])], 'task-1')
        assert _rows(db, 'writes') == 0
        async with open_checkpointer(db) as second:
            assert _rows(db, 'writes') == 1  # opening the second committed what the first had deferred
            other = await second.aput(_config('b'), empty_checkpoint(), {'source': 'input', 'step': -1}, {})
            await first.aput_writes(saved, [('messages', [])], 'task-2')
            await second.aput_writes(other, [('messages', [])], 'task-3')
            assert _rows(db, 'writes') == 3  # with two connections open nothing waits in a transaction
        await first.aput_writes(saved, [('messages', [])], 'task-4')
        assert _rows(db, 'writes') == 3  # alone again: deferred


async def test_concurrent_runs_share_a_checkpoint_file(tmp_path: Path) -> None:
    def agent() -> Agent:
        turns: list[Any] = [{'tool_calls': [{'name': 'add', 'arguments': {'a': i, 'b': 1}}]} for i in range(5)]
        return Agent(model=ScriptedModel([*turns, 'done']), tools=[add], checkpointer=tmp_path / 'ckpt.sqlite')

    results = await asyncio.wait_for(asyncio.gather(*(agent().arun('count') for _ in range(6))), timeout=60)
    assert [(r.status, r.tool_calls) for r in results] == [('completed', 5)] * 6


@tool(side_effects='none')
async def delegate() -> str:
    """Hand the work to an inner agent, run without streaming."""
    inner = Agent(model=ScriptedModel([{'tool_calls': [{'name': 'add', 'arguments': {'a': 1, 'b': 2}}]}, 'three']),
                  tools=[add], checkpointer='memory')
    return (await inner.arun('inner')).output or ''


async def test_an_agent_run_inside_a_tool_keeps_its_events_out_of_the_outer_stream() -> None:
    outer = Agent(model=ScriptedModel([{'tool_calls': [{'name': 'delegate', 'arguments': {}}]}, 'done']),
                  tools=[delegate], checkpointer='memory')
    events = [e async for e in outer.astream('outer')]
    assert {e.run_id for e in events} == {events[0].run_id}
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    assert 'three' in finished[0].content


def test_an_idle_checkpoint_thread_ends_and_a_new_one_takes_over(tmp_path: Path) -> None:
    db = tmp_path / 'idle.sqlite'
    conn = _wal_db(db)
    wal = BackgroundCheckpointer(str(db), every=1, idle_s=0.05)

    def write_and_wait_for_copy() -> threading.Thread:
        size = db.stat().st_size
        conn.execute('INSERT INTO t VALUES (?)', ('y' * 8000,))
        conn.commit()
        wal.committed()
        _wait_until_larger(db, size)
        assert wal._thread is not None
        return wal._thread

    first = write_and_wait_for_copy()
    first.join(timeout=10)
    assert not first.is_alive() and wal._thread is None  # ended after idling
    second = write_and_wait_for_copy()
    assert second is not first
    wal.close()
    assert not second.is_alive()
    conn.close()

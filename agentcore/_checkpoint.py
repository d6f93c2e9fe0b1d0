"""Checkpointers: SQLite by default, PostgreSQL selected by URL, in-memory for throwaway runs."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, closing, contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from ._wal import BackgroundCheckpointer


@cache
def _loop_sqlite_saver() -> type[Any]:
    """The `SqliteSaver` of langgraph-checkpoint-sqlite, with its async methods run inline on the event loop.

    `AsyncSqliteSaver` sends every statement to aiosqlite's worker thread and back; a checkpoint costs four thread
    round trips, which is most of a step's time. A SQLite write in WAL mode with `synchronous=NORMAL` takes tens of
    microseconds, so doing it inline blocks the loop for less than one round trip costs. All SQL is langgraph's own.
    """
    from langgraph.checkpoint.base import WRITES_IDX_MAP
    from langgraph.checkpoint.sqlite import SqliteSaver

    class LoopSqliteSaver(SqliteSaver):
        _defer_commit = False

        @contextmanager
        def cursor(self, transaction: bool = True) -> Iterator[sqlite3.Cursor]:
            with super().cursor(transaction=transaction and not self._defer_commit) as cur:
                yield cur

        async def aget_tuple(self, config: Any) -> Any:
            return self.get_tuple(config)

        async def alist(self, config: Any, *, filter: dict[str, Any] | None = None, before: Any = None,
                        limit: int | None = None) -> AsyncIterator[Any]:
            for item in self.list(config, filter=filter, before=before, limit=limit):
                yield item

        wal: BackgroundCheckpointer | None = None
        path = ''

        async def aput(self, config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            saved = self.put(config, checkpoint, metadata, new_versions)
            if self.wal is not None:
                self.wal.committed()
            return saved

        async def aput_writes(self, config: Any, writes: Sequence[tuple[str, Any]], task_id: str,
                              task_path: str = '') -> None:
            # A finished task's writes are committed together with the checkpoint that follows them: one commit
            # per super-step instead of two. Writes that no checkpoint may follow (an interrupt, an error, a
            # resume value) are committed at once; `open_checkpointer` commits whatever is left when it closes. A
            # crash between the two loses only the writes of a task whose checkpoint was not written: it runs
            # again on resume, as it would had the crash come a moment earlier (the effect ledger still keeps a
            # tool with side effects from running twice). Only a file's sole saver in this process defers: an open
            # transaction would make another connection of this event loop wait for a lock that is released only
            # once the loop runs again (see `_OPEN`).
            self._defer_commit = (not any(channel in WRITES_IDX_MAP for channel, _ in writes)
                                  and len(_OPEN.get(self.path, ())) == 1)
            try:
                self.put_writes(config, writes, task_id, task_path)
            finally:
                self._defer_commit = False

        async def adelete_thread(self, thread_id: str) -> None:
            self.delete_thread(thread_id)

        async def aget_delta_channel_history(self, *, config: Any, channels: Sequence[str]) -> Mapping[str, Any]:
            return self.get_delta_channel_history(config=config, channels=channels)

    return LoopSqliteSaver


#: The SQLite savers open in this process, by file.
_OPEN: dict[str, list[Any]] = {}
_OPEN_LOCK = threading.Lock()


@contextmanager
def _registered(path: str) -> Iterator[list[Any]]:
    """Register a saver of `path` for its lifetime (append it to the yielded list).

    A second saver of the same file makes the ones already open commit what they deferred, before it can write.
    """
    with _OPEN_LOCK:
        others = list(_OPEN.get(path, ()))
        mine = _OPEN.setdefault(path, [])
    for saver in others:
        with saver.lock:
            saver.conn.commit()
    slot: list[Any] = []
    try:
        yield slot
    finally:
        with _OPEN_LOCK:
            for saver in slot:
                mine.remove(saver)
            if not mine:
                _OPEN.pop(path, None)


def _connect_sqlite(path: Path) -> sqlite3.Connection:
    from ._settings import ConfigError

    try:
        conn = sqlite3.connect(str(path), check_same_thread=False)  # the saver serialises access with its lock
        try:
            # WAL with synchronous=NORMAL: every checkpoint survives a crash of the process (SIGKILL included);
            # only an OS crash or power loss can drop the last few. Several times faster than the default.
            conn.execute('PRAGMA journal_mode=WAL')
            conn.execute('PRAGMA synchronous=NORMAL')
            conn.execute('PRAGMA busy_timeout=5000')
            conn.execute(BackgroundCheckpointer.WRITER_PRAGMA)  # checkpoints run on a thread of their own
            _loop_sqlite_saver()(conn).setup()
        except BaseException:
            conn.close()
            raise
    except sqlite3.Error as exc:
        raise ConfigError(f'checkpoint database {path}: {exc}',
                          hint='move the file away (a new one is created), or choose another AGENTCORE_HOME') from exc
    return conn


@asynccontextmanager
async def open_checkpointer(target: Any) -> AsyncIterator[Any]:
    """Open a LangGraph checkpoint saver for the length of one run.

    Args:
        target: a SQLite file (`Path` or string), a `postgresql://` URL, or an already built saver (used as is).

    Raises:
        ConfigError: the SQLite file cannot be opened, or is not a checkpoint database.
    """
    if isinstance(target, str) and not target.startswith(('postgres://', 'postgresql://')):
        target = Path(target)
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        # The saver serialises access with its own lock; the connection is only used from the event loop's thread.
        key = str(target.resolve())
        wal = BackgroundCheckpointer(key)
        with _registered(key) as slot, closing(_connect_sqlite(target)) as conn:
            saver = _loop_sqlite_saver()(conn)
            saver.wal, saver.path = wal, key
            with _OPEN_LOCK:
                _OPEN.setdefault(key, []).append(saver)
                slot.append(saver)
            try:
                yield saver
            finally:
                with saver.lock:
                    conn.commit()
                wal.close()
    elif isinstance(target, str) and target.startswith(('postgres://', 'postgresql://')):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(target) as saver:
            await saver.setup()
            yield saver
    else:
        yield target

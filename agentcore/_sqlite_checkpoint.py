"""The default checkpointer: langgraph's `SqliteSaver` run inline on the event loop, one SQLite file per home."""

from __future__ import annotations

import os
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


def _commit_deferred(path: str) -> None:
    """Make the savers of `path` already open commit what they deferred (before another connection writes)."""
    with _OPEN_LOCK:
        others = list(_OPEN.get(path, ()))
    for saver in others:
        with saver.lock:
            saver.conn.commit()


@contextmanager
def _registered(saver: Any) -> Iterator[None]:
    with _OPEN_LOCK:
        _OPEN.setdefault(saver.path, []).append(saver)
    try:
        yield
    finally:
        with _OPEN_LOCK:
            mine = _OPEN[saver.path]
            mine.remove(saver)
            if not mine:
                del _OPEN[saver.path]


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
                          hint=f'move {path} aside (a new one is created), or choose another AGENTCORE_HOME or '
                               'AGENTCORE_CHECKPOINT_URL') from None
    return conn


def _open(path: Path) -> tuple[str, sqlite3.Connection]:
    """(the file's key in `_OPEN`, a new connection), after the savers already open on it commit what they defer.

    Blocking, like every SQLite call here: a few syscalls.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(path)  # one key per file, whatever path leads to it
    _commit_deferred(key)
    return key, _connect_sqlite(path)


@asynccontextmanager
async def open_sqlite_saver(path: Path) -> AsyncIterator[Any]:
    """A `LoopSqliteSaver` of the SQLite file `path` (created if missing) for the length of one run.

    Raises:
        ConfigError: the file cannot be opened, or is not a checkpoint database.
    """
    key, conn = _open(path)  # no await until the saver is registered: no saver of this loop defers meanwhile
    with closing(conn):
        saver = _loop_sqlite_saver()(conn)
        saver.wal, saver.path = BackgroundCheckpointer(key), key
        with _registered(saver):
            try:
                yield saver
            finally:
                with saver.lock:
                    conn.commit()
                saver.wal.close()

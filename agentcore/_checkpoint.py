"""Checkpointers: SQLite by default, PostgreSQL selected by URL, in-memory for throwaway runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any


@asynccontextmanager
async def open_checkpointer(target: Any) -> AsyncIterator[Any]:
    """Open a LangGraph checkpoint saver for the length of one run.

    Args:
        target: a SQLite file (`Path` or string), a `postgresql://` URL, or an already built saver (used as is).
    """
    if isinstance(target, str) and not target.startswith(('postgres://', 'postgresql://')):
        target = Path(target)
    if isinstance(target, Path):
        import aiosqlite
        from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

        target.parent.mkdir(parents=True, exist_ok=True)
        async with aiosqlite.connect(str(target)) as conn:
            # WAL with synchronous=NORMAL: every checkpoint survives a crash of the process (SIGKILL included);
            # only an OS crash or power loss can drop the last few. Several times faster than the default.
            await conn.execute('PRAGMA journal_mode=WAL')
            await conn.execute('PRAGMA synchronous=NORMAL')
            await conn.execute('PRAGMA busy_timeout=5000')
            yield AsyncSqliteSaver(conn)
    elif isinstance(target, str) and target.startswith(('postgres://', 'postgresql://')):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(target) as saver:
            await saver.setup()
            yield saver
    else:
        yield target


"""Checkpointers: SQLite by default, PostgreSQL selected by URL, in-memory for throwaway runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from ._sqlite_checkpoint import open_sqlite_saver


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
        async with open_sqlite_saver(target) as saver:
            yield saver
    elif isinstance(target, str) and target.startswith(('postgres://', 'postgresql://')):
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(target) as saver:
            await saver.setup()
            yield saver
    else:
        yield target

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

    A `postgresql://` URL gets the process's shared saver for it (`agentcore._postgres.checkpoint_saver`: one
    connection pool per process and event loop, the schema set up once under an advisory lock, transient errors
    retried); it stays open after the run, for the next one.

    Args:
        target: a SQLite file (`Path` or string), a `postgresql://` URL, or an already built saver (used as is).

    Raises:
        ConfigError: the SQLite file cannot be opened, or is not a checkpoint database.
        DatabaseUnavailableError: the PostgreSQL database cannot be reached or refuses the connection.
    """
    if isinstance(target, str) and not target.startswith(('postgres://', 'postgresql://')):
        target = Path(target)
    if isinstance(target, Path):
        async with open_sqlite_saver(target) as saver:
            yield saver
    elif isinstance(target, str) and target.startswith(('postgres://', 'postgresql://')):
        from ._postgres import checkpoint_saver

        yield await checkpoint_saver(target)
    else:
        yield target

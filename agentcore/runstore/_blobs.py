"""Content-addressed blobs of workspace snapshots, in the run store's database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ._tables import ToolCallRecord, WorkspaceBlobRecord

_BLOBS: Any = WorkspaceBlobRecord.__table__  # type: ignore[attr-defined]
_CALLS: Any = ToolCallRecord.__table__  # type: ignore[attr-defined]
_T = TypeVar('_T')
#: Rows per statement when checking or reading many blobs (well under every database's parameter limit).
_CHUNK = 500


class WorkspaceBlobs:
    """Blobs keyed by `sha256:<hex>` of their bytes: written once, shared by every run and snapshot that has them.

    Thread-safe (one short transaction per call). A blob is never rewritten: its key is its content. The async
    forms run SQLite (a local file, or an in-memory database only its own thread sees) inline, and a database
    server from a worker thread.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._inline = engine.dialect.name == 'sqlite'
        #: Blobs known to be stored (this process wrote or saw them): checked without a query.
        self._known: set[str] = set()

    def missing(self, shas: Iterable[str]) -> set[str]:
        """Those of `shas` the store does not hold."""
        wanted = {s for s in shas if s not in self._known}
        found: set[str] = set()
        todo = sorted(wanted)
        with self.engine.connect() as conn:
            for i in range(0, len(todo), _CHUNK):
                rows = conn.execute(select(_BLOBS.c.sha).where(_BLOBS.c.sha.in_(todo[i:i + _CHUNK])))
                found.update(r[0] for r in rows)
        self._known |= found
        return wanted - found

    def put(self, blobs: Mapping[str, bytes]) -> None:
        """Store `blobs` (sha -> bytes); those already stored are left as they are."""
        fresh = self.missing(blobs)
        if not fresh:
            return
        dialect = self.engine.dialect.name
        rows = [{'sha': sha, 'size': len(blobs[sha]), 'data': blobs[sha]} for sha in sorted(fresh)]
        if dialect in ('sqlite', 'postgresql'):
            from sqlalchemy.dialects import postgresql, sqlite

            stmt: Any = (sqlite.insert(_BLOBS) if dialect == 'sqlite' else postgresql.insert(_BLOBS)) \
                .on_conflict_do_nothing(index_elements=['sha'])
            with self.engine.begin() as conn:
                conn.execute(stmt, rows)
        else:  # another database: one row at a time, a concurrent writer's copy of a row is as good as ours
            from sqlalchemy import insert as plain_insert
            from sqlalchemy.exc import IntegrityError

            for row in rows:
                try:
                    with self.engine.begin() as conn:
                        conn.execute(plain_insert(_BLOBS), [row])
                except IntegrityError:
                    pass
        self._known |= fresh

    def get(self, shas: Iterable[str]) -> dict[str, bytes]:
        """The stored bytes of `shas` (a sha the store lacks is absent from the result)."""
        todo = sorted(set(shas))
        out: dict[str, bytes] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(todo), _CHUNK):
                rows = conn.execute(select(_BLOBS.c.sha, _BLOBS.c.data).where(_BLOBS.c.sha.in_(todo[i:i + _CHUNK])))
                out.update((r[0], bytes(r[1])) for r in rows)
        self._known |= set(out)
        return out

    def latest_call_snapshot(self, run_id: str) -> str | None:
        """The workspace snapshot of the run's most recently completed call that took one, if any."""
        q = (select(_CALLS.c.workspace).where(_CALLS.c.run_id == run_id, _CALLS.c.status == 'completed',
                                              _CALLS.c.workspace.is_not(None))
             .order_by(_CALLS.c.finished_at.desc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        return None if row is None else str(row[0])

    async def _offload(self, call: Callable[[], _T]) -> _T:
        if self._inline:
            return call()
        from .._postgres import retry_sync  # a restart or failover of the server is waited out (each call is safe)

        url = self.engine.url.render_as_string(hide_password=True)
        return await asyncio.to_thread(retry_sync, call, url=url, what='workspace snapshots')

    async def amissing(self, shas: Iterable[str]) -> set[str]:
        """`missing()` for async callers."""
        shas = list(shas)
        return await self._offload(lambda: self.missing(shas))

    async def aput(self, blobs: Mapping[str, bytes]) -> None:
        """`put()` for async callers."""
        await self._offload(lambda: self.put(blobs))

    async def aget(self, shas: Iterable[str]) -> dict[str, bytes]:
        """`get()` for async callers."""
        shas = list(shas)
        return await self._offload(lambda: self.get(shas))

    async def alatest_call_snapshot(self, run_id: str) -> str | None:
        """`latest_call_snapshot()` for async callers."""
        return await self._offload(lambda: self.latest_call_snapshot(run_id))

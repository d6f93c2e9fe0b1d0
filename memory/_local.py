"""`LocalMemory`: episodes in one SQLite file (SQLAlchemy Core), searched by an in-memory numpy + BM25 index."""

from __future__ import annotations

import builtins
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.pool import StaticPool

from ._base import StoreBase
from ._episode import Episode, EpisodeFilter, MemoryHit
from ._errors import MemoryBackendError, MemoryUnavailableError
from ._hash_embedder import HashEmbedder
from ._local_index import IndexedDoc, LocalIndex, from_us, to_us
from ._local_schema import EPISODES, META, TAGS, migrate
from ._protocol import Embedder

__all__ = ['LocalMemory']

T = TypeVar('T')
_E, _T, _M = EPISODES, TAGS, META


class LocalMemory(StoreBase):
    """Dependency-free episodic memory: one SQLite file, hybrid search in process.

    Search keeps an index of every episode in memory (vectors as float32: about `dimension * 4` bytes per episode
    plus the keyword postings), built on first search and kept current by this object's writes; writes by other
    processes to the same file are noticed (SQLite `data_version`) and trigger a rebuild. Suits up to a few hundred
    thousand episodes.

    Args:
        path: The SQLite file (created with its parent directory), or `':memory:'`.
        embedder: Defaults to `HashEmbedder()`. Must match the embedder the file was created with.

    Raises:
        EmbedderMismatchError: The file was written with another embedder.
        SchemaMigrationError: The file comes from a newer agentcore.
        MemoryUnavailableError: The file cannot be opened (permissions, disk, locked).
    """

    backend = 'local'

    def __init__(self, path: str | Path, *, embedder: Embedder | None = None) -> None:
        super().__init__(embedder or HashEmbedder())
        self.path = str(path)
        #: Why `open_memory` chose this store over Weaviate, if it fell back.
        self.fallback_reason: str | None = None
        self._lock = threading.RLock()
        self._index: LocalIndex | None = None
        self._data_version: int | None = None
        if self.path != ':memory:':
            try:
                Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise MemoryUnavailableError(
                    f'cannot create the directory of local memory {self.path}: {exc.strerror or exc}',
                    hint='choose a writable path (AGENTCORE_HOME or path=)',
                ) from exc
        url = 'sqlite://' if self.path == ':memory:' else f'sqlite:///{Path(self.path).expanduser()}'
        self._engine = sa.create_engine(url, connect_args={'check_same_thread': False}, poolclass=StaticPool)
        sa.event.listen(self._engine, 'connect', _pragmas)
        try:
            self._run(self._init_meta)
        except BaseException:
            self._engine.dispose()
            raise

    def describe(self) -> dict[str, Any]:
        info: dict[str, Any] = {'backend': self.backend, 'path': self.path, 'embedder': self.embedder.name,
                                'dimension': self.embedder.dimension}  # fmt: skip
        if self.fallback_reason:
            info['fallback_reason'] = self.fallback_reason
        return info

    # -- storage -------------------------------------------------------------------------------------------------

    def _run(self, fn: Callable[[sa.Connection], T]) -> T:
        with self._lock:
            try:
                with self._engine.begin() as conn:
                    return fn(conn)
            except sa.exc.OperationalError as exc:
                raise MemoryUnavailableError(
                    f'local memory {self.path} is unavailable: {exc.orig}', hint='check the path, disk and permissions'
                ) from exc
            except sa.exc.DBAPIError as exc:
                raise MemoryBackendError(f'local memory {self.path} failed: {exc.orig}') from exc

    def _init_meta(self, conn: sa.Connection) -> None:
        migrate(conn)
        meta: dict[str, str] = {key: value for key, value in conn.execute(sa.select(_M.c.key, _M.c.value))}
        if 'embedder' in meta:
            self._check_embedder(meta['embedder'], int(meta['dimension']), f'local memory {self.path}')
        else:
            for key, value in (('embedder', self.embedder.name), ('dimension', str(self.embedder.dimension))):
                conn.execute(sqlite_insert(_M).values(key=key, value=value).on_conflict_do_nothing())

    def _save_many(self, episodes: builtins.list[Episode], vectors: builtins.list[builtins.list[float]]) -> None:
        arrays = [np.asarray(v, dtype=np.float32) for v in vectors]
        rows = [_to_row(e, a) for e, a in zip(episodes, arrays, strict=True)]
        tags = [{'namespace': e.namespace, 'episode_id': e.id, 'tag': t} for e in episodes for t in e.tags]

        def write(conn: sa.Connection) -> None:
            for e in episodes:
                conn.execute(_T.delete().where(_T.c.namespace == e.namespace, _T.c.episode_id == e.id))
            stmt = sqlite_insert(_E)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=['namespace', 'id'],
                set_={c.name: stmt.excluded[c.name] for c in _E.columns if c.name not in ('namespace', 'id')},
            ), rows)  # fmt: skip
            if tags:
                conn.execute(sqlite_insert(_T).on_conflict_do_nothing(), tags)

        with self._lock:
            self._run(write)
            if self._index is not None:
                self._index.add([_to_doc(e, a) for e, a in zip(episodes, arrays, strict=True)])

    def _get(self, episode_id: str, namespace: str | None) -> Episode | None:
        query = sa.select(_E).where(_E.c.id == episode_id).order_by(_E.c.namespace).limit(1)
        if namespace is not None:
            query = query.where(_E.c.namespace == namespace)
        row = self._run(lambda conn: conn.execute(query).mappings().first())
        return None if row is None else _from_row(row)

    def _delete(self, episode_id: str, namespace: str | None) -> bool:
        where = [_E.c.id == episode_id] + ([] if namespace is None else [_E.c.namespace == namespace])

        def drop(conn: sa.Connection) -> builtins.list[str]:
            found = builtins.list(conn.execute(sa.select(_E.c.namespace).where(*where)).scalars())
            conn.execute(_E.delete().where(*where))
            tag_where = [_T.c.episode_id == episode_id] + ([] if namespace is None else [_T.c.namespace == namespace])
            conn.execute(_T.delete().where(*tag_where))
            return found

        with self._lock:
            namespaces = self._run(drop)
            if self._index is not None:
                for ns in namespaces:
                    self._index.remove(ns, episode_id)
        return bool(namespaces)

    def _list(self, filters: EpisodeFilter, limit: int) -> builtins.list[Episode]:
        query = sa.select(_E).where(*_sql_conditions(filters))
        query = query.order_by(_E.c.created_us.desc(), _E.c.namespace, _E.c.id).limit(limit)
        rows = self._run(lambda conn: conn.execute(query).mappings().all())
        return [_from_row(r) for r in rows]

    def _close(self) -> None:
        with self._lock:
            self._index = None
            self._engine.dispose()

    # -- search --------------------------------------------------------------------------------------------------

    def _search(
        self, query: str, vector: builtins.list[float], k: int, filters: EpisodeFilter
    ) -> builtins.list[MemoryHit]:
        with self._lock:
            index = self._current_index()
            found = index.search(query, np.asarray(vector, dtype=np.float32), k, filters)
            if not found:
                return []
            keys = [(ns, eid) for ns, eid, _ in found]
            cond = sa.or_(*[sa.and_(_E.c.namespace == ns, _E.c.id == eid) for ns, eid in keys])
            rows = self._run(lambda conn: conn.execute(sa.select(_E).where(cond)).mappings().all())
        by_key = {(r['namespace'], r['id']): r for r in rows}
        return [MemoryHit(episode=_from_row(by_key[(ns, eid)]), score=score) for ns, eid, score in found
                if (ns, eid) in by_key]  # fmt: skip

    def _current_index(self) -> LocalIndex:
        version = self._run(lambda conn: int(conn.exec_driver_sql('PRAGMA data_version').scalar_one()))
        index = self._index
        if index is None or version != self._data_version or index.needs_compaction:
            index = LocalIndex(self.embedder.dimension)
            self._run(lambda conn: index.add(builtins.list(self._all_docs(conn))))
            self._index, self._data_version = index, version
        return index

    def _all_docs(self, conn: sa.Connection) -> Iterator[IndexedDoc]:
        tags: dict[tuple[str, str], builtins.list[str]] = {}
        for ns, eid, tag in conn.execute(sa.select(_T.c.namespace, _T.c.episode_id, _T.c.tag)):
            tags.setdefault((ns, eid), []).append(tag)
        cols = [_E.c[n] for n in ('namespace', 'id', 'run_id', 'outcome', 'created_us', 'task', 'plan_summary',
                                  'steps_digest', 'lessons_json', 'vector')]  # fmt: skip
        for r in conn.execute(sa.select(*cols)).mappings():
            yield IndexedDoc(
                namespace=r['namespace'], episode_id=r['id'], run_id=r['run_id'], outcome=r['outcome'],
                created_us=r['created_us'], tags=tuple(tags.get((r['namespace'], r['id']), ())),
                fields=_fields(r['task'], r['plan_summary'], r['steps_digest'], json.loads(r['lessons_json'])),
                vector=np.frombuffer(r['vector'], dtype=np.float32),
            )  # fmt: skip


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    for pragma in ('journal_mode=WAL', 'synchronous=NORMAL', 'busy_timeout=5000'):
        cur.execute(f'PRAGMA {pragma}')
    cur.close()


def _fields(task: str, plan: str, steps: str, lessons: builtins.list[str]) -> dict[str, str]:
    return {'task': task, 'plan_summary': plan, 'steps_digest': steps, 'lessons': '\n'.join(lessons)}


def _to_row(e: Episode, vector: np.ndarray[Any, Any]) -> dict[str, Any]:
    return {
        'namespace': e.namespace, 'id': e.id, 'run_id': e.run_id, 'task': e.task, 'plan_summary': e.plan_summary,
        'steps_digest': e.steps_digest, 'outcome': e.outcome, 'lessons_json': json.dumps(e.lessons),
        'tags_json': json.dumps(e.tags), 'created_us': to_us(e.created_at), 'vector': vector.tobytes(),
        'metadata_json': json.dumps(e.metadata), 'trusted': e.trusted, 'provenance_json': json.dumps(e.provenance),
    }  # fmt: skip


def _to_doc(e: Episode, vector: np.ndarray[Any, Any]) -> IndexedDoc:
    return IndexedDoc(
        namespace=e.namespace, episode_id=e.id, run_id=e.run_id, outcome=e.outcome, created_us=to_us(e.created_at),
        tags=tuple(e.tags), fields=_fields(e.task, e.plan_summary, e.steps_digest, e.lessons), vector=vector,
    )  # fmt: skip


def _from_row(r: Any) -> Episode:
    return Episode(
        id=r['id'], run_id=r['run_id'], namespace=r['namespace'], task=r['task'], plan_summary=r['plan_summary'],
        steps_digest=r['steps_digest'], outcome=r['outcome'], lessons=json.loads(r['lessons_json']),
        tags=json.loads(r['tags_json']), created_at=from_us(r['created_us']),
        metadata=json.loads(r['metadata_json'] or '{}'), trusted=bool(r['trusted']),
        provenance=json.loads(r['provenance_json'] or '[]'),
    )  # fmt: skip


def _sql_conditions(f: EpisodeFilter) -> builtins.list[Any]:
    conds: builtins.list[Any] = []
    if f.namespace is not None:
        conds.append(_E.c.namespace == f.namespace)
    for tag in f.tags:
        conds.append(sa.exists().where(_T.c.namespace == _E.c.namespace, _T.c.episode_id == _E.c.id, _T.c.tag == tag))
    if f.any_tags:
        conds.append(sa.exists().where(
            _T.c.namespace == _E.c.namespace, _T.c.episode_id == _E.c.id, _T.c.tag.in_(f.any_tags)))  # fmt: skip
    if f.outcome is not None:
        conds.append(_E.c.outcome.in_(f.outcome))
    if f.since is not None:
        conds.append(_E.c.created_us >= to_us(f.since))
    if f.until is not None:
        conds.append(_E.c.created_us < to_us(f.until))
    if f.run_id is not None:
        conds.append(_E.c.run_id == f.run_id)
    return conds

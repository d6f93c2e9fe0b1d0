"""`LocalKnowledge`: documents in one SQLite file, keyword search by FTS5 (BM25), vector search by numpy."""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from agentcore.memory import HashEmbedder, MemoryBackendError, MemoryUnavailableError
from agentcore.memory._base import ALPHA
from agentcore.memory._local_index import POOL, _fuse, from_us, to_us
from agentcore.memory._protocol import Embedder

from ._base import KnowledgeBase, Vector, WriteItem, check_embedder, under
from ._chunker import Chunking
from ._local_index import ChunkIndex
from ._local_schema import create_schema
from ._types import KnowledgeChunk, KnowledgeDocument, KnowledgeFilter, KnowledgeHit

__all__ = ['LocalKnowledge']

T = TypeVar('T')
_CHUNK_COLUMNS = 'c.id, c.source, c.ordinal, c.heading_json, c.page, c.text, d.title, d.format, d.tags_json'


class LocalKnowledge(KnowledgeBase):
    """A knowledge store in one SQLite file: no server, nothing beyond the standard library and numpy.

    Hybrid search as in `LocalMemory` and Weaviate (relative-score fusion, `alpha` 0.5): the best 100 chunks by
    FTS5's BM25 (heading path weighted double) and by cosine similarity are each min-max normalised and summed. The
    vectors are held in memory while searching (`dimension * 4` bytes per chunk), loaded on first search and again
    after any write (this object's or another process's). Suits up to a few hundred thousand chunks; past 8,000
    chunks matching a query's terms, FTS5 scores only its rarer terms (see `_local_index`).

    Args:
        path: The SQLite file (created with its parent folder), or `':memory:'`.
        embedder: Defaults to `HashEmbedder()`; must match the one the file was written with.
        chunking: How documents are split.

    Raises:
        EmbedderMismatchError: The file was written with another embedder.
        SchemaMigrationError: The file comes from a newer agentcore.
        MemoryUnavailableError: The file cannot be opened (permissions, disk), or SQLite lacks FTS5.
        TypeError: `path` is neither a str nor a Path.
    """

    backend = 'local'

    def __init__(self, path: str | Path, *, embedder: Embedder | None = None, chunking: Chunking | None = None) -> None:
        if not isinstance(path, (str, Path)):  # str(None) would quietly open a store in a file named None
            raise TypeError(f'LocalKnowledge: path must be a str or a Path, got {type(path).__name__}')
        super().__init__(embedder or HashEmbedder(), chunking)
        self.path = str(path)
        self._lock = threading.RLock()
        self._index: ChunkIndex | None = None
        self._data_version: int | None = None
        target = self.path
        if self.path != ':memory:':
            target = str(Path(self.path).expanduser())
            try:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise MemoryUnavailableError(f'cannot create the folder of knowledge store {self.path}: '
                                             f'{exc.strerror or exc}', hint='choose a writable path') from exc  # fmt: skip
        try:
            self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise MemoryUnavailableError(f'cannot open knowledge store {self.path}: {exc}') from exc
        try:
            self._run(self._init)
        except BaseException:
            self._conn.close()
            raise

    def describe(self) -> dict[str, Any]:
        return {'backend': self.backend, 'path': self.path, 'embedder': self.embedder.name,
                'dimension': self.embedder.dimension, 'chunking': self.chunking.signature}  # fmt: skip

    # -- storage -------------------------------------------------------------------------------------------------

    def _run(self, fn: Callable[[sqlite3.Connection], T], *, write: bool = False) -> T:
        with self._lock:
            try:
                if not write:
                    return fn(self._conn)
                self._conn.execute('BEGIN IMMEDIATE')
                try:
                    result = fn(self._conn)
                except BaseException:
                    self._conn.execute('ROLLBACK')
                    raise
                self._conn.execute('COMMIT')
                self._index = None
                return result
            except sqlite3.OperationalError as exc:
                raise MemoryUnavailableError(f'knowledge store {self.path} is unavailable: {exc}',
                                             hint='check the path, disk and permissions') from exc  # fmt: skip
            except sqlite3.Error as exc:
                raise MemoryBackendError(f'knowledge store {self.path} failed: {exc}') from exc

    def _init(self, conn: sqlite3.Connection) -> None:
        for pragma in ('journal_mode=WAL', 'synchronous=NORMAL', 'busy_timeout=5000'):
            conn.execute(f'PRAGMA {pragma}')
        meta = create_schema(conn, f'knowledge store {self.path}')
        if 'embedder' in meta:
            check_embedder(self.embedder, meta['embedder'], int(meta['dimension']), f'knowledge store {self.path}')
        else:
            conn.executemany('INSERT OR IGNORE INTO knowledge_meta VALUES (?, ?)',
                             [('embedder', self.embedder.name), ('dimension', str(self.embedder.dimension))])  # fmt: skip

    def _documents(self, root: str | None) -> dict[str, KnowledgeDocument]:
        sql = 'SELECT * FROM knowledge_documents'
        params: tuple[Any, ...] = ()
        if root is not None:
            sql += ' WHERE source = ? OR substr(source, 1, ?) = ?'
            prefix = root.rstrip('/') + '/'
            params = (root, len(prefix), prefix)

        def read(conn: sqlite3.Connection) -> builtins.list[Any]:
            conn.row_factory = sqlite3.Row
            try:
                return conn.execute(sql, params).fetchall()
            finally:
                conn.row_factory = None

        docs = [_document(r) for r in self._run(read)]
        return {d.source: d for d in docs if root is None or under(d.source, root)}

    def _vectors(self, sources: builtins.list[str]) -> dict[str, Vector]:
        def read(conn: sqlite3.Connection) -> dict[str, Vector]:
            out: dict[str, Vector] = {}
            for source in sources:
                for chunk_id, blob in conn.execute('SELECT id, vector FROM knowledge_chunks WHERE source = ?',
                                                   (source,)):  # fmt: skip
                    out[chunk_id] = np.frombuffer(blob, dtype=np.float32).tolist()
            return out

        return self._run(read)

    def _write(self, items: builtins.list[WriteItem]) -> None:
        def write(conn: sqlite3.Connection) -> None:
            for doc, chunks, vectors in items:
                conn.execute('DELETE FROM knowledge_chunks WHERE source = ?', (doc.source,))
                matrix = np.asarray(vectors, dtype=np.float32).reshape(len(chunks), self.embedder.dimension)
                conn.executemany(
                    'INSERT INTO knowledge_chunks (id, source, ordinal, heading_json, context, page, text, vector) '
                    'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
                    [(c.id, c.source, c.ordinal, json.dumps(c.heading), c.context, c.page, c.text, row.tobytes())
                     for c, row in zip(chunks, matrix, strict=True)],
                )  # fmt: skip
                conn.execute('INSERT OR REPLACE INTO knowledge_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                             (doc.source, doc.format, doc.title, doc.content_hash, doc.chunking, doc.size, doc.chunks,
                              json.dumps(doc.tags), to_us(doc.ingested_at)))  # fmt: skip

        self._run(write, write=True)

    def _delete(self, sources: builtins.list[str]) -> None:
        def delete(conn: sqlite3.Connection) -> None:
            for table in ('knowledge_chunks', 'knowledge_documents'):
                conn.executemany(f'DELETE FROM {table} WHERE source = ?', [(s,) for s in sources])

        self._run(delete, write=True)

    def _close(self) -> None:
        with self._lock:
            self._index = None
            self._conn.close()

    # -- search --------------------------------------------------------------------------------------------------

    def _current(self, conn: sqlite3.Connection) -> ChunkIndex:
        version = int(conn.execute('PRAGMA data_version').fetchone()[0])
        if self._index is None or version != self._data_version:
            self._index, self._data_version = ChunkIndex(conn, self.embedder.dimension), version
        return self._index

    def _search(self, query: str, vector: Vector, k: int, filters: KnowledgeFilter) -> builtins.list[KnowledgeHit]:
        pool = max(POOL, k)

        def search(conn: sqlite3.Connection) -> builtins.list[KnowledgeHit]:
            index = self._current(conn)
            mask = index.mask(filters)
            fused: dict[int, float] = {}
            picked = None if mask is None else np.flatnonzero(mask)
            matrix = index.matrix if picked is None else index.matrix[picked]
            if matrix.shape[0]:
                sims = (matrix @ np.asarray(vector, dtype=np.float32)).astype(np.float64)
                _fuse(fused, index.rowids if picked is None else index.rowids[picked], sims, pool, ALPHA)
            rows, scores = index.keyword_scores(conn, query, mask, pool)
            if rows.size:
                _fuse(fused, rows, scores, pool, 1.0 - ALPHA)
            best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
            if not best:
                return []
            marks = ','.join('?' * len(best))
            got = conn.execute(f'SELECT c.rowid, {_CHUNK_COLUMNS} FROM knowledge_chunks c JOIN knowledge_documents d '
                               f'ON d.source = c.source WHERE c.rowid IN ({marks})', [r for r, _ in best]).fetchall()  # fmt: skip
            chunks = {row[0]: _chunk(row[1:]) for row in got}
            hits = [KnowledgeHit(chunk=chunks[r], score=round(s, 6)) for r, s in best if r in chunks]
            return sorted(hits, key=lambda h: (-h.score, h.chunk.source, h.chunk.ordinal))

        return self._run(search)


def _document(r: Any) -> KnowledgeDocument:
    return KnowledgeDocument(
        source=r['source'], format=r['format'], title=r['title'], content_hash=r['content_hash'],
        chunking=r['chunking'], size=r['size'], chunks=r['chunks'], tags=tuple(json.loads(r['tags_json'])),
        ingested_at=from_us(r['ingested_us']).astimezone(UTC),
    )  # fmt: skip


def _chunk(r: Any) -> KnowledgeChunk:
    chunk_id, source, ordinal, heading_json, page, text, title, fmt, tags_json = r
    return KnowledgeChunk(id=chunk_id, source=source, heading=tuple(json.loads(heading_json)), page=page,
                          ordinal=ordinal, text=text, title=title, format=fmt, tags=tuple(json.loads(tags_json)))  # fmt: skip

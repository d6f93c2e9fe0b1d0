"""`KnowledgeBase`: ingestion (hashing, parsing, chunking, embedding, batching), argument checks, sync wrappers.

Backends implement a few blocking hooks (`_documents`, `_vectors`, `_write`, `_delete`, `_search`, `_close`); the
async methods run them in worker threads, so one store serves sync code and any event loop alike.
"""

from __future__ import annotations

import asyncio
import builtins
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from agentcore.memory import EmbedderMismatchError, EmbeddingError, MemoryUnavailableError
from agentcore.memory._episode import _clean_tags
from agentcore.memory._protocol import Embedder

from .._closing import Closing
from ._chunker import Chunking, chunk_document
from ._errors import DocumentError
from ._files import DocumentFile, discover, format_of, parse, read, resolve
from ._types import IngestReport, KnowledgeChunk, KnowledgeDocument, KnowledgeFilter, KnowledgeHit, SkippedFile

__all__ = ['MAX_K', 'KnowledgeBase', 'Vector', 'WriteItem', 'check_embedder', 'under']

T = TypeVar('T')
Vector = builtins.list[float]
#: One document to write: its record, all its chunks and their vectors (aligned).
WriteItem = tuple[KnowledgeDocument, builtins.list[KnowledgeChunk], builtins.list[Vector]]

#: Most hits one search returns.
MAX_K = 100
_MAX_QUERY = 4096
#: Chunks gathered (over files) before one embedding round and one write.
_WRITE_BATCH = 512
#: Texts per embedder call.
_EMBED_BATCH = 256


def check_embedder(embedder: Embedder, stored_name: str, stored_dimension: int, where: str) -> None:
    """Raise `EmbedderMismatchError` unless `embedder` is the one the store was written with."""
    if (stored_name, stored_dimension) != (embedder.name, embedder.dimension):
        raise EmbedderMismatchError(
            f'{where} was written with embedder {stored_name} (dimension {stored_dimension}) but is opened with '
            f'{embedder.name} (dimension {embedder.dimension})',
            hint=f'open it with embedder {stored_name!r}/{stored_dimension}, or use another path or collection',
        )


def under(source: str, root: str) -> bool:
    """Whether document path `source` is `root` or inside folder `root`."""
    return source == root or source.startswith(root.rstrip('/') + '/')


def _sync(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError('called the sync knowledge API inside a running event loop: await the a-method instead')


@dataclass
class _Prepared:
    document: KnowledgeDocument
    chunks: builtins.list[KnowledgeChunk]
    previous: KnowledgeDocument | None


class KnowledgeBase(Closing, ABC):
    """Implements `KnowledgeStore` on top of the backend hooks.

    Args:
        embedder: Embeds chunks and queries.
        chunking: How documents are split (stored per document: changing it re-ingests them on the next `add`).
    """

    backend: str

    def __init__(self, embedder: Embedder, chunking: Chunking | None) -> None:
        self.embedder = embedder
        self.chunking = chunking or Chunking()
        self._closed = False

    # -- backend hooks (blocking; called in worker threads) --------------------------------------------------------

    @abstractmethod
    def describe(self) -> dict[str, Any]: ...

    @abstractmethod
    def _documents(self, root: str | None) -> dict[str, KnowledgeDocument]:
        """The stored documents, by path: all, or those `under` `root`."""

    @abstractmethod
    def _vectors(self, sources: builtins.list[str]) -> dict[str, Vector]:
        """The stored vectors of the chunks of these documents, by chunk id."""

    @abstractmethod
    def _write(self, items: builtins.list[WriteItem]) -> None:
        """Store each document record and replace all of its chunks by the given ones."""

    @abstractmethod
    def _delete(self, sources: builtins.list[str]) -> None:
        """Delete these documents and their chunks."""

    @abstractmethod
    def _search(self, query: str, vector: Vector, k: int, filters: KnowledgeFilter) -> builtins.list[KnowledgeHit]:
        """The `k` best chunks by hybrid relevance, best first."""

    @abstractmethod
    def _close(self) -> None: ...

    # -- async API -----------------------------------------------------------------------------------------------

    async def aadd(self, path: str | os.PathLike[str], *, tags: Sequence[str] | None = None) -> IngestReport:
        """Ingest the file at `path`, or every document file under the folder at `path` (see `SUFFIXES`).

        A file whose content hash (and tags, and the chunking settings) match what is stored is left alone; a
        changed one has its chunks replaced, re-embedding only chunks whose text changed. Adding a folder also
        removes the documents under it whose files are gone. Files of a folder that cannot be read or parsed are
        skipped (listed in the report); their stored chunks, if any, are kept.

        Args:
            path: A file (any name: an unknown ending is read as plain text) or a folder.
            tags: Tags for the documents (replacing their tags); `None` keeps the tags of stored documents.

        Raises:
            DocumentError: `path` does not exist, or the single file it names cannot be ingested.
            ValueError: Bad tags.
            EmbeddingError: The embedder failed (documents written before stay written).
            MemoryUnavailableError: The backend cannot be reached.
        """
        self._check_open()
        clean = None if tags is None else tuple(_clean_tags(builtins.list(tags), 'tags'))
        root = resolve(path)
        if root.is_dir():
            files = await asyncio.to_thread(lambda: builtins.list(discover(root)))
        elif root.exists():
            files = [root]
        else:
            raise DocumentError(f'{os.fspath(path)}: no such file or folder')
        stored = await self._thread(self._documents, root.as_posix())
        report = IngestReport()
        batch: builtins.list[_Prepared] = []
        for file in files:
            try:
                prepared = await asyncio.to_thread(self._prepare, file, stored.get(file.as_posix()), clean)
            except DocumentError as exc:
                if not root.is_dir():
                    raise
                report.skipped.append(SkippedFile(path=file.as_posix(), reason=str(exc)))
                continue
            if prepared is None:
                report.unchanged.append(file.as_posix())
                continue
            (report.updated if prepared.previous else report.added).append(prepared.document.source)
            batch.append(prepared)
            if sum(len(p.chunks) for p in batch) >= _WRITE_BATCH:
                await self._flush(batch, report)
                batch = []
        await self._flush(batch, report)
        if root.is_dir():
            present = {f.as_posix() for f in files}
            gone = sorted(s for s in stored if s not in present)
            if gone:
                await self._thread(self._delete, gone)
            report.removed = gone
        return report

    async def asearch(
        self, query: str, *, k: int = 5, filters: KnowledgeFilter | None = None
    ) -> builtins.list[KnowledgeHit]:
        """The `k` chunks that best match `query`, best first, by hybrid keyword (BM25) + vector relevance.

        Args:
            query: Free text, 1 to 4096 characters.
            k: Number of hits, 1 to 100.
            filters: Conditions every hit satisfies (document paths or globs, tags).

        Raises:
            ValueError: Blank or too long query, `k` out of range.
            EmbeddingError: The embedder failed.
            MemoryUnavailableError: The backend cannot be reached.
        """
        self._check_open()
        if not isinstance(query, str) or not query.strip():
            raise ValueError('search query must be a non-blank string')
        if len(query) > _MAX_QUERY:
            raise ValueError(f'search query is {len(query)} characters; the limit is {_MAX_QUERY}')
        if not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise ValueError(f'k must be between 1 and {MAX_K}, got {k}')
        vector = (await self._embed([query]))[0]
        return await self._thread(self._search, query, vector, k, filters or KnowledgeFilter())

    async def alist(self) -> builtins.list[KnowledgeDocument]:
        """Every ingested document, sorted by path."""
        self._check_open()
        found = await self._thread(self._documents, None)
        return [found[s] for s in sorted(found)]

    async def aremove(self, path: str | os.PathLike[str]) -> builtins.list[str]:
        """Remove the document at `path`, or every document under the folder `path` (the files need not exist).

        Returns:
            The removed documents' paths, sorted (empty when nothing was stored there).
        """
        self._check_open()
        found = sorted(await self._thread(self._documents, resolve(path).as_posix()))
        if found:
            await self._thread(self._delete, found)
        return found

    async def aclose(self) -> None:
        """Release connections and files. Idempotent; later calls raise `MemoryUnavailableError`."""
        await asyncio.to_thread(self.close)

    # -- sync API ------------------------------------------------------------------------------------------------

    def add(self, path: str | os.PathLike[str], *, tags: Sequence[str] | None = None) -> IngestReport:
        """Sync `aadd`."""
        return _sync(self.aadd(path, tags=tags))

    def search(
        self, query: str, *, k: int = 5, filters: KnowledgeFilter | None = None
    ) -> builtins.list[KnowledgeHit]:
        """Sync `asearch`."""
        return _sync(self.asearch(query, k=k, filters=filters))

    def list(self) -> builtins.list[KnowledgeDocument]:
        """Sync `alist`."""
        return _sync(self.alist())

    def remove(self, path: str | os.PathLike[str]) -> builtins.list[str]:
        """Sync `aremove`."""
        return _sync(self.aremove(path))

    def close(self) -> None:
        """Release the backend's connections and files. Idempotent."""
        if not self._closed:
            self._closed = True
            self._close()

    # -- ingestion -----------------------------------------------------------------------------------------------

    def _prepare(
        self, path: Path, previous: KnowledgeDocument | None, tags: tuple[str, ...] | None
    ) -> _Prepared | None:
        """Read, hash and (when it changed) parse and chunk one file; None when it is unchanged."""
        doc_file = read(path)
        doc_tags = tags if tags is not None else (previous.tags if previous else ())
        if previous is not None and (previous.content_hash, previous.chunking, previous.tags) == (
            doc_file.sha256, self.chunking.signature, doc_tags
        ):  # fmt: skip
            return None
        return self._parse(doc_file, previous, doc_tags)

    def _parse(self, doc_file: DocumentFile, previous: KnowledgeDocument | None, tags: tuple[str, ...]) -> _Prepared:
        parsed = parse(doc_file, format_of(doc_file.path))
        chunks = chunk_document(doc_file.source, parsed, self.chunking, tags)
        document = KnowledgeDocument(
            source=doc_file.source, format=parsed.format, title=parsed.title, content_hash=doc_file.sha256,
            chunking=self.chunking.signature, size=len(doc_file.data), chunks=len(chunks), tags=tags,
            ingested_at=datetime.now(UTC),
        )  # fmt: skip
        return _Prepared(document, chunks, previous)

    async def _flush(self, batch: builtins.list[_Prepared], report: IngestReport) -> None:
        if not batch:
            return
        changed = [p.document.source for p in batch if p.previous is not None]
        known = await self._thread(self._vectors, changed) if changed else {}
        todo = [c for p in batch for c in p.chunks if c.id not in known]
        fresh: dict[str, Vector] = {}
        for start in range(0, len(todo), _EMBED_BATCH):
            part = todo[start : start + _EMBED_BATCH]
            fresh.update(zip([c.id for c in part], await self._embed([c.embed_text() for c in part]), strict=True))
        vectors = {**known, **fresh}
        items = [(p.document, p.chunks, [vectors[c.id] for c in p.chunks]) for p in batch]
        await self._thread(self._write, items)
        report.chunks_embedded += len(todo)
        report.chunks_written += sum(len(p.chunks) for p in batch)

    # -- helpers -------------------------------------------------------------------------------------------------

    async def _thread(self, fn: Callable[..., T], *args: Any) -> T:
        self._check_open()
        return await asyncio.to_thread(fn, *args)

    async def _embed(self, texts: builtins.list[str]) -> builtins.list[Vector]:
        vectors = await self.embedder.aembed(texts)
        if len(vectors) != len(texts) or any(len(v) != self.embedder.dimension for v in vectors):
            raise EmbeddingError(
                f'embedder {self.embedder.name} returned vectors of the wrong count or dimension '
                f'(expected {len(texts)} x {self.embedder.dimension})'
            )
        return vectors

    def _check_open(self) -> None:
        if self._closed:
            raise MemoryUnavailableError(f'{self.backend} knowledge store is closed', hint='open a new one')

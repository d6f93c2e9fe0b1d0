"""`WeaviateKnowledge`: chunks in a Weaviate collection (self-provided vectors, native hybrid search)."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from agentcore.memory import HashEmbedder, MemoryBackendError
from agentcore.memory._base import ALPHA
from agentcore.memory._protocol import Embedder
from agentcore.memory._weaviate_connect import client_addresses, connect_embedded, connect_url, probe, translate_errors

from ._base import KnowledgeBase, Vector, WriteItem, check_embedder, under
from ._chunker import Chunking
from ._factory import DEFAULT_COLLECTION
from ._types import KnowledgeChunk, KnowledgeDocument, KnowledgeFilter, KnowledgeHit
from ._weaviate_schema import QUERY_PROPERTIES, ensure_collections

__all__ = ['WeaviateKnowledge']

T = TypeVar('T')
_UUID_NS = uuid.UUID('0b7e4f0e-8f0a-4c55-9d0e-2f3b8f1c6a41')
#: Most objects one Weaviate query or delete touches (the server's QUERY_MAXIMUM_RESULTS default).
_PAGE = 10_000


def _uuid(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(_UUID_NS, f'{kind}\0{key}')


class WeaviateKnowledge(KnowledgeBase):
    """A knowledge store in Weaviate (client v4): one collection of chunks, one of document records.

    Use `WeaviateKnowledge.connect(url)`, `WeaviateKnowledge.embedded(path)`, or pass a connected sync
    `weaviate.WeaviateClient` (left open by `close`). The chunk collection (`collection`) holds each chunk with its
    vector and is searched with one native hybrid query (BM25 over the heading path, boosted 2, and the text; relative
    score fusion, `alpha` 0.5); `<collection>Docs` holds one record per document (path, content hash, tags), written
    after its chunks, so an interrupted `add` is redone by the next. Both are created on first use.

    Needs the same server setting as `WeaviateMemory` (`USE_INVERTED_SEARCHABLE=false` on 1.35, see there).

    Args:
        client: A connected sync `weaviate.WeaviateClient`.
        embedder: Defaults to `HashEmbedder()`; must match the one the collection was created with.
        collection: The chunk collection's name (upper-case first letter).
        chunking: How documents are split.
        owns_client: Whether `close()` closes the client.
        location: What `describe()` reports as the location.
        probe_timeout: Seconds of the TCP check before each operation (an outage fails fast).

    Raises:
        EmbedderMismatchError: The collection was created with another embedder.
        SchemaMigrationError: A collection of that name is not ours.
        MemoryUnavailableError: Weaviate cannot be reached.
    """

    backend = 'weaviate'

    def __init__(
        self,
        client: Any,
        *,
        embedder: Embedder | None = None,
        collection: str = DEFAULT_COLLECTION,
        chunking: Chunking | None = None,
        owns_client: bool = False,
        location: str | None = None,
        probe_timeout: float = 2.0,
    ) -> None:
        super().__init__(embedder or HashEmbedder(), chunking)
        self._client = client
        self._owns_client = owns_client
        self._addresses = client_addresses(client)
        self._probe_timeout = probe_timeout
        self._location = location or 'client'
        try:
            with translate_errors('preparing the knowledge collections'):
                self._chunks, self._docs, record = ensure_collections(
                    client, collection, self.embedder.name, self.embedder.dimension
                )
            check_embedder(self.embedder, str(record.get('embedder')), int(record.get('dimension', -1)),
                           f'Weaviate collection {collection}')  # fmt: skip
        except BaseException:
            if owns_client:
                client.close()
            raise
        self.collection_name = collection

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        embedder: Embedder | None = None,
        collection: str = DEFAULT_COLLECTION,
        chunking: Chunking | None = None,
        grpc_port: int | None = None,
        api_key: str | None = None,
        timeout: float = 15.0,
    ) -> WeaviateKnowledge:
        """Connect to the Weaviate server at `url` and open the collections.

        Raises:
            ValueError: Malformed URL or collection name.
            MemoryUnavailableError: Weaviate cannot be reached.
        """
        client = connect_url(url, grpc_port=grpc_port, api_key=api_key, timeout=timeout)
        return cls(client, embedder=embedder, collection=collection, chunking=chunking, owns_client=True,
                   location=url)  # fmt: skip

    @classmethod
    def embedded(
        cls,
        data_path: str | Path,
        *,
        embedder: Embedder | None = None,
        collection: str = DEFAULT_COLLECTION,
        chunking: Chunking | None = None,
        binary: str | Path | None = None,
        timeout: float = 15.0,
    ) -> WeaviateKnowledge:
        """Run Weaviate embedded with its data under `data_path` (see `WeaviateMemory.embedded`).

        Raises:
            MemoryUnavailableError: The server could not be started.
        """
        client = connect_embedded(data_path, binary=binary, timeout=timeout)
        return cls(client, embedder=embedder, collection=collection, chunking=chunking, owns_client=True,
                   location=f'embedded:{Path(data_path).expanduser()}')  # fmt: skip

    def describe(self) -> dict[str, Any]:
        return {'backend': self.backend, 'location': self._location, 'collection': self.collection_name,
                'embedder': self.embedder.name, 'dimension': self.embedder.dimension,
                'chunking': self.chunking.signature}  # fmt: skip

    # -- helpers -------------------------------------------------------------------------------------------------

    def _call(self, action: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        probe(self._addresses, self._probe_timeout)
        with translate_errors(action):
            return fn(*args, **kwargs)

    def _delete_where(self, collection: Any, where: Any, action: str) -> None:
        for _ in range(10_000):  # each call deletes at most the server's query maximum
            result = self._call(action, collection.data.delete_many, where=where)
            if result.failed:
                raise MemoryBackendError(f'Weaviate failed to delete {result.failed} objects while {action}')
            if result.matches < _PAGE or result.successful == 0:
                return

    # -- hooks ---------------------------------------------------------------------------------------------------

    def _documents(self, root: str | None) -> dict[str, KnowledgeDocument]:
        def read() -> dict[str, KnowledgeDocument]:
            out: dict[str, KnowledgeDocument] = {}
            for obj in self._docs.iterator(cache_size=_PAGE // 5):
                doc = _document(obj.properties)
                if root is None or under(doc.source, root):
                    out[doc.source] = doc
            return out

        return self._call('listing documents', read)

    def _vectors(self, sources: builtins.list[str]) -> dict[str, Vector]:
        from weaviate.classes.query import Filter

        out: dict[str, Vector] = {}
        for source in sources:
            found = self._call('reading chunk vectors', self._chunks.query.fetch_objects,
                               filters=Filter.by_property('source').equal(source), include_vector=True, limit=_PAGE,
                               return_properties=['chunk_id'])  # fmt: skip
            for obj in found.objects:
                vector = obj.vector.get('default') if isinstance(obj.vector, dict) else obj.vector
                if vector:
                    out[obj.properties['chunk_id']] = builtins.list(vector)
        return out

    def _write(self, items: builtins.list[WriteItem]) -> None:
        from weaviate.classes.data import DataObject
        from weaviate.classes.query import Filter

        objects = [DataObject(properties=_chunk_properties(c), uuid=_uuid('chunk', c.id), vector=v)
                   for _, chunks, vectors in items for c, v in zip(chunks, vectors, strict=True)]  # fmt: skip
        for start in range(0, len(objects), 1000):
            result = self._call('writing chunks', self._chunks.data.insert_many, objects[start : start + 1000])
            _raise_errors(result, 'chunks')
        stale = [Filter.by_property('source').equal(doc.source)
                 & Filter.by_property('chunk_id').contains_none([c.id for c in chunks] or [''])
                 for doc, chunks, _ in items]  # fmt: skip
        for start in range(0, len(stale), 50):
            part = stale[start : start + 50]
            self._delete_where(self._chunks, part[0] if len(part) == 1 else Filter.any_of(part), 'replacing chunks')
        records = [DataObject(properties=_doc_properties(doc), uuid=_uuid('doc', doc.source)) for doc, _, _ in items]
        _raise_errors(self._call('writing documents', self._docs.data.insert_many, records), 'documents')

    def _delete(self, sources: builtins.list[str]) -> None:
        from weaviate.classes.query import Filter

        for start in range(0, len(sources), 100):
            where = Filter.by_property('source').contains_any(sources[start : start + 100])
            self._delete_where(self._chunks, where, 'removing chunks')
            self._delete_where(self._docs, where, 'removing documents')

    def _search(self, query: str, vector: Vector, k: int, filters: KnowledgeFilter) -> builtins.list[KnowledgeHit]:
        from weaviate.classes.query import HybridFusion, MetadataQuery

        result = self._call('searching knowledge', self._chunks.query.hybrid, query, vector=vector, alpha=ALPHA,
                            query_properties=QUERY_PROPERTIES, fusion_type=HybridFusion.RELATIVE_SCORE, limit=k,
                            filters=_where(filters), return_metadata=MetadataQuery(score=True))  # fmt: skip
        hits = [KnowledgeHit(chunk=_chunk(obj.properties), score=round(float(obj.metadata.score or 0.0), 6))
                for obj in result.objects]  # fmt: skip
        return sorted(hits, key=lambda h: (-h.score, h.chunk.source, h.chunk.ordinal))

    def _close(self) -> None:
        if self._owns_client:
            with translate_errors('closing the connection'):
                self._client.close()


def _raise_errors(result: Any, what: str) -> None:
    if result.errors:
        first = next(iter(result.errors.values()))
        raise MemoryBackendError(f'Weaviate rejected {len(result.errors)} {what}: {getattr(first, "message", first)}')


def _where(filters: KnowledgeFilter) -> Any:
    from weaviate.classes.query import Filter

    parts: builtins.list[Any] = []
    globs = [Filter.by_property('source').like(g) for g in filters.globs()]
    if globs:
        parts.append(globs[0] if len(globs) == 1 else Filter.any_of(globs))
    if filters.tags:
        parts.append(Filter.by_property('tags').contains_all(builtins.list(filters.tags)))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Filter.all_of(parts)


def _chunk_properties(c: KnowledgeChunk) -> dict[str, Any]:
    props: dict[str, Any] = {
        'chunk_id': c.id, 'source': c.source, 'format': c.format, 'tags': builtins.list(c.tags), 'context': c.context,
        'text': c.text, 'title': c.title, 'heading': builtins.list(c.heading), 'ordinal': c.ordinal,
    }  # fmt: skip
    if c.page is not None:
        props['page'] = c.page
    return props


def _chunk(p: dict[str, Any]) -> KnowledgeChunk:
    return KnowledgeChunk(
        id=p['chunk_id'], source=p['source'], heading=tuple(p.get('heading') or ()), page=p.get('page'),
        ordinal=int(p.get('ordinal') or 0), text=p.get('text') or '', title=p.get('title') or '',
        format=p.get('format') or 'text', tags=tuple(p.get('tags') or ()),
    )  # fmt: skip


def _doc_properties(d: KnowledgeDocument) -> dict[str, Any]:
    return {'source': d.source, 'format': d.format, 'tags': builtins.list(d.tags), 'title': d.title,
            'content_hash': d.content_hash, 'chunking': d.chunking, 'size': d.size, 'chunks': d.chunks,
            'ingested_at': d.ingested_at}  # fmt: skip


def _document(p: dict[str, Any]) -> KnowledgeDocument:
    return KnowledgeDocument(
        source=p['source'], format=p['format'], title=p.get('title') or '', content_hash=p['content_hash'],
        chunking=p['chunking'], size=int(p['size']), chunks=int(p['chunks']), tags=tuple(p.get('tags') or ()),
        ingested_at=p['ingested_at'],
    )  # fmt: skip

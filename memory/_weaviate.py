"""`WeaviateMemory`: episodic memory in a Weaviate collection, one tenant per namespace."""

from __future__ import annotations

import builtins
import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ._base import ALPHA, StoreBase
from ._episode import Episode, EpisodeFilter, MemoryHit
from ._errors import MemoryBackendError
from ._hash_embedder import HashEmbedder
from ._protocol import Embedder
from ._weaviate_connect import client_addresses, connect_embedded, connect_url, probe, translate_errors
from ._weaviate_fanout import search_tenants
from ._weaviate_schema import QUERY_PROPERTIES, ensure_collection

__all__ = ['WeaviateMemory']

T = TypeVar('T')
_UUID_NS = uuid.UUID('6f1c3c52-5d0a-4e7e-9a53-6a1f4f0b9d3e')
DEFAULT_COLLECTION = 'AgentcoreEpisode'


def object_uuid(episode_id: str) -> uuid.UUID:
    """The Weaviate object id of an episode id (deterministic, so saves are upserts)."""
    return uuid.uuid5(_UUID_NS, episode_id)


class WeaviateMemory(StoreBase):
    """Episodic memory in Weaviate (client v4): self-provided vectors, hybrid search, one tenant per namespace.

    Use `WeaviateMemory.connect(url)` for a server or cloud cluster, `WeaviateMemory.embedded(path)` to run Weaviate
    as a child process, or pass an already connected `weaviate.WeaviateClient` (left open by `close`).

    The collection is created on first use (multi-tenant, HNSW cosine index) and older schema versions are migrated
    by adding properties. Server requirement: Weaviate 1.35's default BlockMax-WAND keyword index silently drops
    recently inserted objects from multi-term BM25 results (weaviate/weaviate#11780, #12022); run such servers with
    `USE_INVERTED_SEARCHABLE=false` (as `.ci/services/weaviate.sh` and `embedded()` do) or a release with the fixes.

    A search in one namespace is one native hybrid query (relative-score fusion, `alpha` 0.5). A search or list
    without a namespace visits every tenant (two queries each for a search, fused client-side the same way, see
    `_weaviate_fanout`), so it costs more with many namespaces.

    Args:
        client: A connected sync `weaviate.WeaviateClient`.
        embedder: Defaults to `HashEmbedder()`; must match the one the collection was created with.
        collection: Collection name (upper-case first letter).
        owns_client: Whether `close()` closes the client.
        location: What `describe()` reports as the location (default `'client'`).
        probe_timeout: Before each operation the server's ports are checked with a TCP connect of at most this many
            seconds, so an outage raises `MemoryUnavailableError` at once instead of after the client's minute of
            retries.

    Raises:
        EmbedderMismatchError: The collection was created with another embedder.
        SchemaMigrationError: The collection is not ours or cannot be migrated.
        MemoryUnavailableError: Weaviate cannot be reached.
    """

    backend = 'weaviate'

    def __init__(
        self,
        client: Any,
        *,
        embedder: Embedder | None = None,
        collection: str = DEFAULT_COLLECTION,
        owns_client: bool = False,
        location: str | None = None,
        probe_timeout: float = 2.0,
    ) -> None:
        super().__init__(embedder or HashEmbedder())
        self._client = client
        self._addresses = client_addresses(client)
        self._probe_timeout = probe_timeout
        self._owns_client = owns_client
        self._location = location or 'client'
        self._tenants: set[str] = set()
        self._tenant_lock = threading.Lock()
        try:
            with translate_errors('preparing the memory collection'):
                self._collection, record = ensure_collection(
                    client, collection, self.embedder.name, self.embedder.dimension
                )
            self._check_embedder(str(record.get('embedder')), int(record.get('dimension', -1)),
                                f'Weaviate collection {collection}')  # fmt: skip
        except BaseException:
            if owns_client:
                client.close()
            raise
        self.collection_name = self._collection.name

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        embedder: Embedder | None = None,
        collection: str = DEFAULT_COLLECTION,
        grpc_port: int | None = None,
        api_key: str | None = None,
        timeout: float = 15.0,
    ) -> WeaviateMemory:
        """Connect to the Weaviate server at `url` (see `connect_url` for defaults) and open the collection.

        Raises:
            ValueError: Malformed URL or collection name.
            MemoryUnavailableError: Weaviate cannot be reached.
        """
        client = connect_url(url, grpc_port=grpc_port, api_key=api_key, timeout=timeout)
        return cls(client, embedder=embedder, collection=collection, owns_client=True, location=url)

    @classmethod
    def embedded(
        cls,
        data_path: str | Path,
        *,
        embedder: Embedder | None = None,
        collection: str = DEFAULT_COLLECTION,
        binary: str | Path | None = None,
        timeout: float = 15.0,
    ) -> WeaviateMemory:
        """Run Weaviate in embedded mode with its data under `data_path`; `close()` stops the server.

        Raises:
            MemoryUnavailableError: The server could not be started (no binary and no internet, ports, ...).
        """
        client = connect_embedded(data_path, binary=binary, timeout=timeout)
        return cls(client, embedder=embedder, collection=collection, owns_client=True,
                   location=f'embedded:{Path(data_path).expanduser()}')  # fmt: skip

    def describe(self) -> dict[str, Any]:
        return {'backend': self.backend, 'location': self._location, 'collection': self.collection_name,
                'embedder': self.embedder.name, 'dimension': self.embedder.dimension}  # fmt: skip

    # -- helpers -------------------------------------------------------------------------------------------------

    def _probe(self) -> None:
        probe(self._addresses, self._probe_timeout)

    def _call(self, action: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with translate_errors(action):
            return fn(*args, **kwargs)

    def _all_tenants(self) -> builtins.list[str]:
        names = sorted(self._call('listing namespaces', self._collection.tenants.get))
        with self._tenant_lock:
            self._tenants.update(names)
        return names

    def _namespaces(self, namespace: str | None) -> builtins.list[str]:
        self._probe()
        if namespace is None:
            return self._all_tenants()
        if namespace in self._tenants:
            return [namespace]
        return [namespace] if namespace in self._all_tenants() else []

    def _ensure_tenant(self, namespace: str) -> None:
        from weaviate.classes.tenants import Tenant

        with self._tenant_lock:
            if namespace in self._tenants:
                return
        tenants = self._collection.tenants
        if not self._call('checking a namespace', tenants.exists, namespace):
            try:
                self._call('creating a namespace', tenants.create, [Tenant(name=namespace)])
            except MemoryBackendError:
                if not self._call('checking a namespace', tenants.exists, namespace):
                    raise
        with self._tenant_lock:
            self._tenants.add(namespace)

    # -- operations ----------------------------------------------------------------------------------------------

    def _save_many(self, episodes: builtins.list[Episode], vectors: builtins.list[builtins.list[float]]) -> None:
        from weaviate.classes.data import DataObject

        self._probe()
        groups: dict[str, builtins.list[Any]] = {}
        for episode, vector in zip(episodes, vectors, strict=True):
            obj = DataObject(properties=_to_properties(episode), uuid=object_uuid(episode.id), vector=vector)
            groups.setdefault(episode.namespace, []).append(obj)
        for namespace, objects in groups.items():
            self._ensure_tenant(namespace)
            tenant = self._collection.with_tenant(namespace)
            result = self._call('saving episodes', tenant.data.insert_many, objects)
            if result.errors:
                first = next(iter(result.errors.values()))
                raise MemoryBackendError(
                    f'Weaviate rejected {len(result.errors)} of {len(objects)} episodes in namespace {namespace}: '
                    f'{getattr(first, "message", first)}'
                )

    def _search(
        self, query: str, vector: builtins.list[float], k: int, filters: EpisodeFilter
    ) -> builtins.list[MemoryHit]:
        from weaviate.classes.query import Filter, HybridFusion, MetadataQuery

        where = _where(filters)
        namespaces = self._namespaces(filters.namespace)
        hits: builtins.list[MemoryHit] = []
        if len(namespaces) == 1:
            tenant = self._collection.with_tenant(namespaces[0])
            result = self._call(
                'searching memory', tenant.query.hybrid, query, vector=vector, alpha=ALPHA,
                query_properties=QUERY_PROPERTIES, fusion_type=HybridFusion.RELATIVE_SCORE, limit=k, filters=where,
                return_metadata=MetadataQuery(score=True),
            )  # fmt: skip
            hits = [MemoryHit(episode=_from_object(obj, namespaces[0]), score=round(float(obj.metadata.score or 0), 6))
                    for obj in result.objects]  # fmt: skip
        elif namespaces:
            ranked = search_tenants(self._call, self._collection, namespaces, query, vector, k, where)
            by_tenant: dict[str, builtins.list[Any]] = {}
            for ns, uid, _ in ranked:
                by_tenant.setdefault(ns, []).append(uid)
            objects: dict[tuple[str, Any], Any] = {}
            for ns, uids in by_tenant.items():
                tenant = self._collection.with_tenant(ns)
                got = self._call('reading episodes', tenant.query.fetch_objects,
                                 filters=Filter.by_id().contains_any(uids), limit=len(uids))  # fmt: skip
                objects.update({(ns, obj.uuid): obj for obj in got.objects})
            hits = [MemoryHit(episode=_from_object(objects[(ns, uid)], ns), score=score)
                    for ns, uid, score in ranked if (ns, uid) in objects]  # fmt: skip
        hits.sort(key=lambda h: (-h.score, -h.episode.created_at.timestamp(), h.episode.namespace, h.episode.id))
        return hits[:k]

    def _get(self, episode_id: str, namespace: str | None) -> Episode | None:
        for ns in self._namespaces(namespace):
            tenant = self._collection.with_tenant(ns)
            obj = self._call('reading an episode', tenant.query.fetch_object_by_id, object_uuid(episode_id))
            if obj is not None:
                return _from_object(obj, ns)
        return None

    def _delete(self, episode_id: str, namespace: str | None) -> bool:
        from weaviate.classes.query import Filter

        deleted = False
        for ns in self._namespaces(namespace):
            tenant = self._collection.with_tenant(ns)
            # delete_by_id answers 204 for a missing object in a tenant; delete_many counts what it removed.
            where = Filter.by_id().equal(object_uuid(episode_id))
            result = self._call('deleting an episode', tenant.data.delete_many, where=where)
            deleted = deleted or result.successful > 0
        return deleted

    def _list(self, filters: EpisodeFilter, limit: int) -> builtins.list[Episode]:
        from weaviate.classes.query import Sort

        where = _where(filters)
        episodes: builtins.list[Episode] = []
        for ns in self._namespaces(filters.namespace):
            tenant = self._collection.with_tenant(ns)
            order = Sort.by_property('created_at', ascending=False)
            result = self._call('listing episodes', tenant.query.fetch_objects, filters=where, limit=limit, sort=order)
            episodes.extend(_from_object(obj, ns) for obj in result.objects)
        episodes.sort(key=lambda e: (-e.created_at.timestamp(), e.namespace, e.id))
        return episodes[:limit]

    def _close(self) -> None:
        if self._owns_client:
            with translate_errors('closing the connection'):
                self._client.close()


def _to_properties(e: Episode) -> dict[str, Any]:
    props: dict[str, Any] = {
        'episode_id': e.id, 'task': e.task, 'plan_summary': e.plan_summary, 'steps_digest': e.steps_digest,
        'outcome': e.outcome, 'lessons': e.lessons, 'tags': e.tags, 'created_at': e.created_at,
        'metadata_json': json.dumps(e.metadata), 'trusted': e.trusted, 'provenance': e.provenance,
    }  # fmt: skip
    if e.run_id is not None:
        props['run_id'] = e.run_id
    return props


def _from_object(obj: Any, namespace: str) -> Episode:
    p = obj.properties
    return Episode(
        id=p['episode_id'], run_id=p.get('run_id'), namespace=namespace, task=p['task'],
        plan_summary=p.get('plan_summary') or '', steps_digest=p.get('steps_digest') or '', outcome=p['outcome'],
        lessons=p.get('lessons') or [], tags=p.get('tags') or [], created_at=p['created_at'],
        metadata=json.loads(p.get('metadata_json') or '{}'), trusted=p.get('trusted') is not False,
        provenance=p.get('provenance') or [],
    )  # fmt: skip


def _where(f: EpisodeFilter) -> Any:
    from weaviate.classes.query import Filter

    parts: builtins.list[Any] = []
    if f.tags:
        parts.append(Filter.by_property('tags').contains_all(builtins.list(f.tags)))
    if f.any_tags:
        parts.append(Filter.by_property('tags').contains_any(builtins.list(f.any_tags)))
    if f.outcome is not None:
        ors = [Filter.by_property('outcome').equal(o) for o in f.outcome]
        parts.append(ors[0] if len(ors) == 1 else Filter.any_of(ors))
    if f.since is not None:
        parts.append(Filter.by_property('created_at').greater_or_equal(f.since))
    if f.until is not None:
        parts.append(Filter.by_property('created_at').less_than(f.until))
    if f.run_id is not None:
        parts.append(Filter.by_property('run_id').equal(f.run_id))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Filter.all_of(parts)

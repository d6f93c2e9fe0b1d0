"""Search across several tenants of the memory collection, fused client-side.

Weaviate's hybrid search normalises scores per query, so merging per-tenant hybrid results by score would rank
every tenant's best hit at 1.0. Instead this runs the two halves of the hybrid search per tenant (BM25 and
near-vector, top `POOL` each), then applies relative-score fusion once over the union: the same fusion as a
single-tenant hybrid query and as `LocalMemory`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from ._base import ALPHA
from ._weaviate_schema import QUERY_PROPERTIES

__all__ = ['POOL', 'fuse', 'search_tenants']

#: Candidates taken from each of the keyword and the vector search, over all tenants together.
POOL = 100

Key = tuple[str, UUID]


def fuse(keyword: dict[Key, float], similarity: dict[Key, float], pool: int, alpha: float = ALPHA) -> dict[Key, float]:
    """Relative-score fusion: min-max normalise the `pool` best of each score set to [0, 1], weight, and sum."""
    fused: dict[Key, float] = {}
    for scores, weight in ((similarity, alpha), (keyword, 1.0 - alpha)):
        best = sorted(scores.items(), key=lambda item: -item[1])[:pool]
        if not best:
            continue
        high, low = best[0][1], best[-1][1]
        for key, score in best:
            norm = 1.0 if high == low else (score - low) / (high - low)
            fused[key] = fused.get(key, 0.0) + weight * norm
    return fused


def search_tenants(
    call: Callable[..., Any],
    collection: Any,
    namespaces: list[str],
    query: str,
    vector: list[float],
    k: int,
    where: Any,
) -> list[tuple[str, UUID, float]]:
    """The `k` best (namespace, object uuid, fused score) over `namespaces`, best first (ties: unordered)."""
    from weaviate.classes.query import MetadataQuery

    pool = max(POOL, k)
    keyword: dict[Key, float] = {}
    similarity: dict[Key, float] = {}
    for namespace in namespaces:
        tenant = collection.with_tenant(namespace)
        found = call('searching memory', tenant.query.bm25, query, query_properties=QUERY_PROPERTIES, limit=pool,
                     filters=where, return_metadata=MetadataQuery(score=True), return_properties=[])  # fmt: skip
        for obj in found.objects:
            if obj.metadata.score:
                keyword[(namespace, obj.uuid)] = float(obj.metadata.score)
        near = call('searching memory', tenant.query.near_vector, vector, limit=pool, filters=where,
                    return_metadata=MetadataQuery(distance=True), return_properties=[])  # fmt: skip
        for obj in near.objects:
            similarity[(namespace, obj.uuid)] = 1.0 - float(obj.metadata.distance or 0.0)
    fused = fuse(keyword, similarity, pool)
    best = sorted(fused.items(), key=lambda item: -item[1])[:k]
    return [(ns, uid, round(score, 6)) for (ns, uid), score in best]

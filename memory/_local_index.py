"""In-memory hybrid index behind `LocalMemory`: numpy vectors, a BM25 inverted index and filter columns.

Scoring follows Weaviate's hybrid search with relative-score fusion: the top candidates of a BM25 search and of a
cosine-similarity search are each min-max normalised to [0, 1], weighted by `alpha` (vector) and `1 - alpha`
(keyword), and summed. BM25 statistics are computed over the searched namespace, as Weaviate does per tenant.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from ._base import ALPHA
from ._episode import EpisodeFilter
from ._text import KEYWORD_FIELDS, keyword_tokens

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ['IndexedDoc', 'LocalIndex', 'from_us', 'to_us']

#: Candidates taken from each of the keyword and the vector search before fusion.
POOL = 100
_K1 = 1.2
_B = 0.75


@dataclass(frozen=True)
class IndexedDoc:
    """What the index keeps of one episode."""

    namespace: str
    episode_id: str
    run_id: str | None
    outcome: str
    created_us: int
    tags: tuple[str, ...]
    fields: dict[str, str]
    vector: NDArray[np.float32]


def _weighted_terms(fields: dict[str, str]) -> Counter[str]:
    terms: Counter[str] = Counter()
    for name, boost in KEYWORD_FIELDS:
        for token in keyword_tokens(fields.get(name, '')):
            terms[token] += boost
    return terms


class _Codes:
    """Interns strings to small ints so filter columns are integer arrays."""

    def __init__(self) -> None:
        self.code: dict[str, int] = {}

    def intern(self, value: str) -> int:
        return self.code.setdefault(value, len(self.code) + 1)


class LocalIndex:
    """Append-mostly hybrid index keyed by (namespace, episode id). Not thread-safe: the caller locks.

    Removed rows are only marked dead; `needs_compaction` tells when to rebuild from storage.
    """

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._n = 0
        self._cap = 0
        self._vectors = np.zeros((0, dimension), dtype=np.float32)
        self._cols: dict[str, Any] = {}
        self._alloc(1024)
        self._ns, self._outcomes, self._runs = _Codes(), _Codes(), _Codes()
        self._postings: dict[str, tuple[array[int], array[float]]] = {}
        self._tag_rows: dict[str, array[int]] = {}
        self._row_of: dict[tuple[str, str], int] = {}
        self._keys: list[tuple[str, str]] = []
        self._dead = 0

    def _alloc(self, cap: int) -> None:
        vectors = np.zeros((cap, self.dimension), dtype=np.float32)
        vectors[: self._n] = self._vectors[: self._n]
        self._vectors = vectors
        specs = {'alive': np.bool_, 'ns': np.int32, 'outcome': np.int32, 'run': np.int32, 'created': np.int64,
                 'doclen': np.float32}  # fmt: skip
        for name, dtype in specs.items():
            col: NDArray[Any] = np.zeros(cap, dtype=dtype)
            if name in self._cols:
                col[: self._n] = self._cols[name][: self._n]
            self._cols[name] = col
        self._cap = cap

    def __len__(self) -> int:
        return len(self._row_of)

    @property
    def needs_compaction(self) -> bool:
        return self._dead > max(1000, self._n // 4)

    def add(self, docs: list[IndexedDoc]) -> None:
        """Add or replace documents."""
        for doc in docs:
            self.remove(doc.namespace, doc.episode_id)
            if self._n == self._cap:
                self._alloc(self._cap * 2)
            row = self._n
            self._n += 1
            self._vectors[row] = doc.vector
            cols = self._cols
            cols['alive'][row] = True
            cols['ns'][row] = self._ns.intern(doc.namespace)
            cols['outcome'][row] = self._outcomes.intern(doc.outcome)
            cols['run'][row] = 0 if doc.run_id is None else self._runs.intern(doc.run_id)
            cols['created'][row] = doc.created_us
            terms = _weighted_terms(doc.fields)
            cols['doclen'][row] = sum(terms.values())
            for term, tf in terms.items():
                rows, tfs = self._postings.setdefault(term, (array('i'), array('f')))
                rows.append(row)
                tfs.append(tf)
            for tag in doc.tags:
                self._tag_rows.setdefault(tag, array('i')).append(row)
            key = (doc.namespace, doc.episode_id)
            self._row_of[key] = row
            self._keys.append(key)

    def remove(self, namespace: str, episode_id: str) -> bool:
        """Mark the document dead; return whether it was present."""
        row = self._row_of.pop((namespace, episode_id), None)
        if row is None:
            return False
        self._cols['alive'][row] = False
        self._dead += 1
        return True

    def _mask(self, flt: EpisodeFilter) -> tuple[NDArray[np.bool_], NDArray[np.bool_]] | None:
        """(namespace scope, full filter) masks over the used rows, or None when nothing can match."""
        n = self._n
        cols = self._cols
        scope = cols['alive'][:n].copy()
        if flt.namespace is not None:
            code = self._ns.code.get(flt.namespace)
            if code is None:
                return None
            scope &= cols['ns'][:n] == code
        mask = scope.copy()
        for tag in flt.tags:
            mask &= self._rows_mask(self._tag_rows.get(tag))
        if flt.any_tags:
            anym = np.zeros(n, dtype=np.bool_)
            for tag in flt.any_tags:
                anym |= self._rows_mask(self._tag_rows.get(tag))
            mask &= anym
        if flt.outcome is not None:
            codes = [self._outcomes.code[o] for o in flt.outcome if o in self._outcomes.code]
            mask &= np.isin(cols['outcome'][:n], codes)
        if flt.run_id is not None:
            mask &= cols['run'][:n] == self._runs.code.get(flt.run_id, -1)
        if flt.since is not None:
            mask &= cols['created'][:n] >= to_us(flt.since)
        if flt.until is not None:
            mask &= cols['created'][:n] < to_us(flt.until)
        return scope, mask

    def _rows_mask(self, rows: array[int] | None) -> NDArray[np.bool_]:
        mask = np.zeros(self._n, dtype=np.bool_)
        if rows is not None and len(rows):
            mask[np.frombuffer(rows, dtype=np.int32)] = True
        return mask

    def _bm25(self, query: str, scope: NDArray[np.bool_]) -> NDArray[np.float64]:
        n = self._n
        scores = np.zeros(n, dtype=np.float64)
        docs = int(scope.sum())
        if docs == 0:
            return scores
        doclen = self._cols['doclen'][:n]
        avgdl = float(doclen[scope].mean()) or 1.0
        for term in dict.fromkeys(keyword_tokens(query)):
            posting = self._postings.get(term)
            if posting is None:
                continue
            rows = np.frombuffer(posting[0], dtype=np.int32)
            tfs = np.frombuffer(posting[1], dtype=np.float32).astype(np.float64)
            live = scope[rows]
            df = int(live.sum())
            if df == 0:
                continue
            rows, tfs = rows[live], tfs[live]
            idf = math.log(1.0 + (docs - df + 0.5) / (df + 0.5))
            norm = _K1 * (1.0 - _B + _B * doclen[rows] / avgdl)
            scores[rows] += idf * tfs * (_K1 + 1.0) / (tfs + norm)
        return scores

    def search(
        self, query: str, vector: NDArray[np.float32], k: int, flt: EpisodeFilter, alpha: float = ALPHA
    ) -> list[tuple[str, str, float]]:
        """The `k` best (namespace, episode id, fused score), best first."""
        masks = self._mask(flt)
        if masks is None:
            return []
        scope, mask = masks
        candidates = np.flatnonzero(mask)
        if candidates.size == 0:
            return []
        pool = max(POOL, k)
        used = self._vectors[: self._n]
        # Gathering a few rows is cheaper than scoring all; scoring all avoids copying most of the matrix.
        sims = used[candidates] @ vector if candidates.size < self._n // 4 else (used @ vector)[candidates]
        fused: dict[int, float] = {}
        _fuse(fused, candidates, sims.astype(np.float64), pool, alpha)
        kw = self._bm25(query, scope)[candidates]
        hits = kw > 0
        if hits.any():
            _fuse(fused, candidates[hits], kw[hits], pool, 1.0 - alpha)
        created = self._cols['created']
        order = sorted(fused.items(), key=lambda item: (-item[1], -int(created[item[0]]), self._keys[item[0]]))
        return [(*self._keys[row], round(score, 6)) for row, score in order[:k]]


def _fuse(fused: dict[int, float], rows: NDArray[Any], scores: NDArray[np.float64], pool: int, weight: float) -> None:
    """Take the `pool` best of `rows` (aligned with `scores`), min-max normalise, add weighted into `fused`."""
    if rows.size > pool:
        best = np.argpartition(-scores, pool - 1)[:pool]
        rows, scores = rows[best], scores[best]
    low, high = float(scores.min()), float(scores.max())
    norm = np.ones_like(scores) if high == low else (scores - low) / (high - low)
    for row, value in zip(rows.tolist(), norm.tolist(), strict=True):
        fused[row] = fused.get(row, 0.0) + weight * value


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(value: datetime) -> int:
    """Exact microseconds since the Unix epoch of an aware datetime."""
    return (value - _EPOCH) // timedelta(microseconds=1)


def from_us(value: int) -> datetime:
    """Inverse of `to_us` (UTC)."""
    return _EPOCH + timedelta(microseconds=value)

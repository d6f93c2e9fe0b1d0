"""`InMemoryMemory`: a `MemoryStore` that keeps its episodes in process and ranks them exactly as `LocalMemory`."""

from __future__ import annotations

import asyncio
import builtins
import threading
from collections.abc import Iterable
from typing import Any

import numpy as np

from agentcore.memory._base import StoreBase
from agentcore.memory._episode import Episode, EpisodeFilter, MemoryHit
from agentcore.memory._hash_embedder import HashEmbedder
from agentcore.memory._local_index import IndexedDoc, LocalIndex, to_us
from agentcore.memory._protocol import Embedder

__all__ = ['InMemoryMemory']

_Key = tuple[str, str]


class _Shelf:
    """The episodes, their vectors and the search index; shared by a store and the stores `reopen` makes."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder_name = embedder.name
        self.dimension = embedder.dimension
        self.lock = threading.RLock()
        self.episodes: dict[_Key, tuple[Episode, np.ndarray[Any, np.dtype[np.float32]]]] = {}
        self.index = LocalIndex(self.dimension)

    def current_index(self) -> LocalIndex:
        if self.index.needs_compaction:  # removed rows are only marked dead: rebuild now and then
            self.index = LocalIndex(self.dimension)
            self.index.add([_doc(e, v) for e, v in self.episodes.values()])
        return self.index


def _doc(e: Episode, vector: np.ndarray[Any, np.dtype[np.float32]]) -> IndexedDoc:
    fields = {'task': e.task, 'plan_summary': e.plan_summary, 'steps_digest': e.steps_digest,
              'lessons': '\n'.join(e.lessons)}  # fmt: skip
    return IndexedDoc(namespace=e.namespace, episode_id=e.id, run_id=e.run_id, outcome=e.outcome,
                      created_us=to_us(e.created_at), tags=tuple(e.tags), fields=fields, vector=vector)  # fmt: skip


class InMemoryMemory(StoreBase):
    """Episodic memory for tests: nothing on disk, no server, deterministic.

    It behaves as `LocalMemory` does, with the same argument checks and errors (`ValueError` for bad arguments,
    `MemoryUnavailableError` after `close()`), the same filters and namespaces, and the same hybrid ranking and
    scores: the same keyword + vector index over the same embeddings (by default the offline `HashEmbedder`).
    Episodes live as long as the store (or a store `reopen` made from it). `backend` is `'memory'`.

    Args:
        episodes: Episodes to start with (saved as by `save_many`).
        embedder: Defaults to `HashEmbedder()`.

    Raises:
        ValueError, TypeError: as `save_many`, for `episodes`.
    """

    backend = 'memory'

    def __init__(self, episodes: Iterable[Episode] = (), *, embedder: Embedder | None = None) -> None:
        super().__init__(embedder or HashEmbedder())
        self._shelf = _Shelf(self.embedder)
        seed = builtins.list(episodes)
        if seed:
            self.save_many(seed)

    def reopen(self, *, embedder: Embedder | None = None) -> InMemoryMemory:
        """A new store over the same episodes, as opening the same `LocalMemory` file again (also after `close`).

        Raises:
            EmbedderMismatchError: `embedder` (default `HashEmbedder()`) is not the one the episodes were saved with.
        """
        again = InMemoryMemory(embedder=embedder)
        again._check_embedder(self._shelf.embedder_name, self._shelf.dimension, 'in-memory store')
        again._shelf = self._shelf
        return again

    def describe(self) -> dict[str, Any]:
        return {'backend': self.backend, 'location': 'in-process', 'embedder': self.embedder.name,
                'dimension': self.embedder.dimension}  # fmt: skip

    def count(self, filters: EpisodeFilter | None = None) -> int:
        """How many episodes match `filters` (all of them by default).

        Raises:
            MemoryUnavailableError: the store is closed.
        """
        self._check_open()
        flt = filters or EpisodeFilter()
        with self._shelf.lock:
            return sum(1 for e, _ in self._shelf.episodes.values() if flt.matches(e))

    async def acount(self, filters: EpisodeFilter | None = None) -> int:
        """Async `count`."""
        return await asyncio.to_thread(self.count, filters)

    # -- StoreBase hooks -----------------------------------------------------------------------------------------

    def _save_many(self, episodes: builtins.list[Episode], vectors: builtins.list[builtins.list[float]]) -> None:
        arrays = [np.asarray(v, dtype=np.float32) for v in vectors]
        shelf = self._shelf
        with shelf.lock:
            for episode, array in zip(episodes, arrays, strict=True):
                shelf.episodes[(episode.namespace, episode.id)] = (episode, array)
            shelf.index.add([_doc(e, a) for e, a in zip(episodes, arrays, strict=True)])

    def _search(
        self, query: str, vector: builtins.list[float], k: int, filters: EpisodeFilter
    ) -> builtins.list[MemoryHit]:
        shelf = self._shelf
        with shelf.lock:
            found = shelf.current_index().search(query, np.asarray(vector, dtype=np.float32), k, filters)
            return [MemoryHit(episode=shelf.episodes[(ns, eid)][0], score=score) for ns, eid, score in found]

    def _get(self, episode_id: str, namespace: str | None) -> Episode | None:
        with self._shelf.lock:
            keys = sorted(key for key in self._shelf.episodes if key[1] == episode_id
                          and (namespace is None or key[0] == namespace))  # fmt: skip
            return self._shelf.episodes[keys[0]][0] if keys else None

    def _delete(self, episode_id: str, namespace: str | None) -> bool:
        shelf = self._shelf
        with shelf.lock:
            keys = [key for key in shelf.episodes if key[1] == episode_id and namespace in (None, key[0])]
            for key in keys:
                del shelf.episodes[key]
                shelf.index.remove(*key)
        return bool(keys)

    def _list(self, filters: EpisodeFilter, limit: int) -> builtins.list[Episode]:
        with self._shelf.lock:
            matching = [e for e, _ in self._shelf.episodes.values() if filters.matches(e)]
        matching.sort(key=lambda e: (-to_us(e.created_at), e.namespace, e.id))
        return matching[:limit]

    def _close(self) -> None:
        """Nothing to release: the episodes stay for `reopen`."""

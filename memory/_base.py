"""`StoreBase`: argument checking, the async wrappers and lifecycle shared by every `MemoryStore`."""

from __future__ import annotations

import asyncio
import builtins
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from agentcore._closing import Closing

from ._episode import Episode, EpisodeFilter, MemoryHit, validate_namespace
from ._errors import EmbedderMismatchError, EmbeddingError, MemoryUnavailableError
from ._protocol import Embedder

__all__ = ['ALPHA', 'MAX_K', 'MAX_LIMIT', 'StoreBase']

#: Weight of the vector score in the hybrid score; `1 - ALPHA` goes to the keyword score (Weaviate's default).
ALPHA = 0.5
#: Most hits one search returns.
MAX_K = 100
#: Most episodes one `list` returns.
MAX_LIMIT = 10_000
_MAX_QUERY = 4096
_MAX_BATCH = 10_000


class StoreBase(Closing, ABC):
    """Validates arguments, then calls the backend's `_`-methods.

    The async methods run the sync implementation in a worker thread (`asyncio.to_thread`): both backends use
    blocking clients (SQLite; Weaviate's sync client, whose async twin is bound to the event loop it was opened in),
    so one store object serves sync code and any number of event loops alike.
    """

    backend: str
    embedder: Embedder

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._closed = False

    # -- backend hooks -------------------------------------------------------------------------------------------

    @abstractmethod
    def describe(self) -> dict[str, Any]: ...

    @abstractmethod
    def _save_many(self, episodes: builtins.list[Episode], vectors: builtins.list[builtins.list[float]]) -> None: ...

    @abstractmethod
    def _search(
        self, query: str, vector: builtins.list[float], k: int, filters: EpisodeFilter
    ) -> builtins.list[MemoryHit]: ...

    @abstractmethod
    def _get(self, episode_id: str, namespace: str | None) -> Episode | None: ...

    @abstractmethod
    def _delete(self, episode_id: str, namespace: str | None) -> bool: ...

    @abstractmethod
    def _list(self, filters: EpisodeFilter, limit: int) -> builtins.list[Episode]: ...

    @abstractmethod
    def _close(self) -> None: ...

    # -- sync API ------------------------------------------------------------------------------------------------

    def save(self, episode: Episode) -> str:
        """Insert or replace `episode` (matched by id); return its id.

        Raises:
            MemoryUnavailableError: The backend cannot be reached; nothing was saved.
            MemoryBackendError: The backend refused the episode.
            EmbeddingError: The embedder failed.
        """
        return self.save_many([episode])[0]

    def save_many(self, episodes: Sequence[Episode]) -> builtins.list[str]:
        """Insert or replace up to 10,000 episodes in one batch; return their ids in order.

        Raises:
            TypeError: An item is not an `Episode`.
            ValueError: The same (namespace, id) twice in the batch, or more than 10,000 episodes.
            MemoryUnavailableError: The backend cannot be reached (the batch may be saved in part).
            MemoryBackendError: The backend refused some episode.
            EmbeddingError: The embedder failed.
        """
        self._check_open()
        batch = builtins.list(episodes)
        if len(batch) > _MAX_BATCH:
            raise ValueError(f'save_many takes at most {_MAX_BATCH} episodes per call, got {len(batch)}')
        for item in batch:
            if not isinstance(item, Episode):
                raise TypeError(f'save_many expects Episode objects, got {type(item).__name__}')
        if len({(e.namespace, e.id) for e in batch}) != len(batch):
            raise ValueError('save_many got the same episode id more than once in one batch (same namespace)')
        if batch:
            self._save_many(batch, self._embed([e.text() for e in batch]))
        return [e.id for e in batch]

    def search(self, query: str, *, k: int = 5, filters: EpisodeFilter | None = None) -> builtins.list[MemoryHit]:
        """The `k` episodes that best match `query`, best first, by hybrid keyword + vector relevance.

        Args:
            query: Free text, 1 to 4096 characters.
            k: Number of hits, 1 to 100.
            filters: Conditions every hit satisfies.

        Raises:
            ValueError: Blank or too long query, `k` out of range.
            MemoryUnavailableError: The backend cannot be reached.
        """
        self._check_open()
        if not isinstance(query, str) or not query.strip():
            raise ValueError('search query must be a non-blank string')
        if len(query) > _MAX_QUERY:
            raise ValueError(f'search query is {len(query)} characters; the limit is {_MAX_QUERY}')
        if not 1 <= k <= MAX_K:
            raise ValueError(f'k must be between 1 and {MAX_K}, got {k}')
        return self._search(query, self._embed([query])[0], k, filters or EpisodeFilter())

    def get(self, episode_id: str, *, namespace: str | None = None) -> Episode | None:
        """The episode with this id, looked up in `namespace` (every namespace when `None`); `None` if absent."""
        self._check_open()
        return self._get(self._check_id(episode_id), self._check_ns(namespace))

    def delete(self, episode_id: str, *, namespace: str | None = None) -> bool:
        """Delete the episode with this id (in `namespace`, or wherever it is); return whether it existed."""
        self._check_open()
        return self._delete(self._check_id(episode_id), self._check_ns(namespace))

    def list(self, filters: EpisodeFilter | None = None, *, limit: int = 50) -> builtins.list[Episode]:
        """Episodes matching `filters`, newest first; `limit` 1 to 10,000."""
        self._check_open()
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f'limit must be between 1 and {MAX_LIMIT}, got {limit}')
        return self._list(filters or EpisodeFilter(), limit)

    def close(self) -> None:
        """Release the backend's connections and files. Idempotent; later calls raise `MemoryUnavailableError`."""
        if not self._closed:
            self._closed = True
            self._close()

    # -- async API -----------------------------------------------------------------------------------------------

    async def asave(self, episode: Episode) -> str:
        """Async `save`."""
        return await asyncio.to_thread(self.save, episode)

    async def asave_many(self, episodes: Sequence[Episode]) -> builtins.list[str]:
        """Async `save_many`."""
        return await asyncio.to_thread(self.save_many, episodes)

    async def asearch(
        self, query: str, *, k: int = 5, filters: EpisodeFilter | None = None
    ) -> builtins.list[MemoryHit]:
        """Async `search`."""
        return await asyncio.to_thread(self.search, query, k=k, filters=filters)

    async def aget(self, episode_id: str, *, namespace: str | None = None) -> Episode | None:
        """Async `get`."""
        return await asyncio.to_thread(self.get, episode_id, namespace=namespace)

    async def adelete(self, episode_id: str, *, namespace: str | None = None) -> bool:
        """Async `delete`."""
        return await asyncio.to_thread(self.delete, episode_id, namespace=namespace)

    async def alist(self, filters: EpisodeFilter | None = None, *, limit: int = 50) -> builtins.list[Episode]:
        """Async `list`."""
        return await asyncio.to_thread(self.list, filters, limit=limit)

    async def aclose(self) -> None:
        """Async `close`."""
        await asyncio.to_thread(self.close)

    # -- helpers -------------------------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise MemoryUnavailableError(f'{self.backend} memory store is closed', hint='open a new one')

    def _embed(self, texts: builtins.list[str]) -> builtins.list[builtins.list[float]]:
        vectors = self.embedder.embed(texts)
        if len(vectors) != len(texts) or any(len(v) != self.embedder.dimension for v in vectors):
            raise EmbeddingError(
                f'embedder {self.embedder.name} returned vectors of the wrong count or dimension '
                f'(expected {len(texts)} x {self.embedder.dimension})'
            )
        return vectors

    def _check_embedder(self, stored_name: str, stored_dimension: int, where: str) -> None:
        """Raise `EmbedderMismatchError` unless the stored embedder identity matches this store's embedder."""
        if (stored_name, stored_dimension) != (self.embedder.name, self.embedder.dimension):
            raise EmbedderMismatchError(
                f'{where} was written with embedder {stored_name} (dimension {stored_dimension}) but is opened with '
                f'{self.embedder.name} (dimension {self.embedder.dimension})',
                hint=f'open it with embedder {stored_name!r}/{stored_dimension}, or use a new collection or path',
            )

    @staticmethod
    def _check_id(episode_id: str) -> str:
        if not isinstance(episode_id, str) or not episode_id or len(episode_id) > 128:
            raise ValueError(f'episode id must be a non-empty string of at most 128 characters, got {episode_id!r}')
        return episode_id

    @staticmethod
    def _check_ns(namespace: str | None) -> str | None:
        return None if namespace is None else validate_namespace(namespace)

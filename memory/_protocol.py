"""The two seams of the package: `MemoryStore` (where episodes live) and `Embedder` (text to vectors)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from ._episode import Episode, EpisodeFilter, MemoryHit

__all__ = ['Embedder', 'MemoryStore']


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors of a fixed dimension.

    `name` and `dimension` are stored with a memory collection; opening it with another embedder raises
    `EmbedderMismatchError`. Implementations raise `EmbeddingError` when they cannot embed.
    """

    @property
    def name(self) -> str:
        """Stable identifier of the embedding function (model and feature version)."""
        ...

    @property
    def dimension(self) -> int:
        """Length of every vector returned."""
        ...

    def embed(self, texts: Sequence[str]) -> builtins.list[builtins.list[float]]:
        """Embed `texts`, returning one vector per text, in order."""
        ...

    async def aembed(self, texts: Sequence[str]) -> builtins.list[builtins.list[float]]:
        """Async variant of `embed`."""
        ...


@runtime_checkable
class MemoryStore(Protocol):
    """Episodic memory: save past runs and recall the relevant ones.

    Every method may raise `MemoryUnavailableError` (backend unreachable: catch it and go on without recall),
    `MemoryBackendError` (the backend refused the operation) or `ValueError` (bad arguments). Async methods run the
    same operation without blocking the event loop.
    """

    #: `'weaviate'` or `'local'` (`'memory'` for the test double `agentcore.testing.InMemoryMemory`).
    backend: str

    def describe(self) -> dict[str, Any]:
        """Backend, location, embedder name and dimension, as JSON-ready values."""
        ...

    def save(self, episode: Episode) -> str:
        """Insert or replace `episode` (by id); return its id."""
        ...

    def save_many(self, episodes: Sequence[Episode]) -> builtins.list[str]:
        """Insert or replace several episodes in one batch; return their ids in order."""
        ...

    def search(self, query: str, *, k: int = 5, filters: EpisodeFilter | None = None) -> builtins.list[MemoryHit]:
        """Hybrid (keyword + vector) search: the `k` best matches, best first."""
        ...

    def get(self, episode_id: str, *, namespace: str | None = None) -> Episode | None:
        """The episode with this id (in `namespace`, or in any namespace when `None`), or `None`."""
        ...

    def delete(self, episode_id: str, *, namespace: str | None = None) -> bool:
        """Delete the episode with this id; return whether it existed."""
        ...

    def list(self, filters: EpisodeFilter | None = None, *, limit: int = 50) -> builtins.list[Episode]:
        """Episodes matching `filters`, newest first, at most `limit`."""
        ...

    def close(self) -> None:
        """Release connections and files. Idempotent."""
        ...

    async def asave(self, episode: Episode) -> str:
        """Async `save`."""
        ...

    async def asave_many(self, episodes: Sequence[Episode]) -> builtins.list[str]:
        """Async `save_many`."""
        ...

    async def asearch(
        self, query: str, *, k: int = 5, filters: EpisodeFilter | None = None
    ) -> builtins.list[MemoryHit]:
        """Async `search`."""
        ...

    async def aget(self, episode_id: str, *, namespace: str | None = None) -> Episode | None:
        """Async `get`."""
        ...

    async def adelete(self, episode_id: str, *, namespace: str | None = None) -> bool:
        """Async `delete`."""
        ...

    async def alist(self, filters: EpisodeFilter | None = None, *, limit: int = 50) -> builtins.list[Episode]:
        """Async `list`."""
        ...

    async def aclose(self) -> None:
        """Async `close`."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

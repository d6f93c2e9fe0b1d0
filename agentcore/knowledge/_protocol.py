"""The seam of the package: `KnowledgeStore`, a searchable collection of the user's documents."""

from __future__ import annotations

import builtins
import os
from collections.abc import Sequence
from types import TracebackType
from typing import Any, Protocol, Self, runtime_checkable

from agentcore.memory import Embedder

from ._types import IngestReport, KnowledgeDocument, KnowledgeFilter, KnowledgeHit

__all__ = ['KnowledgeStore']


@runtime_checkable
class KnowledgeStore(Protocol):
    """Documents (text, Markdown, HTML, PDF) split into chunks, searched by hybrid keyword (BM25) + vector relevance.

    The async methods are the implementation; the sync ones run them (and raise `RuntimeError` inside a running
    event loop: await the async ones there). Every method may raise `MemoryUnavailableError` (backend unreachable),
    `MemoryBackendError` (the backend refused) or `ValueError` (bad arguments; `DocumentError` for a path `add`
    cannot ingest).
    """

    #: `'local'` or `'weaviate'`.
    backend: str
    embedder: Embedder

    def describe(self) -> dict[str, Any]:
        """Backend, location, embedder name and dimension, chunking, as JSON-ready values."""
        ...

    async def aadd(self, path: str | os.PathLike[str], *, tags: Sequence[str] | None = None) -> IngestReport:
        """Ingest a file, or every document file under a folder; only new or changed files are (re-)embedded."""
        ...

    async def asearch(
        self, query: str, *, k: int = 5, filters: KnowledgeFilter | None = None
    ) -> builtins.list[KnowledgeHit]:
        """The `k` chunks that best match `query`, best first."""
        ...

    async def alist(self) -> builtins.list[KnowledgeDocument]:
        """Every ingested document, by path."""
        ...

    async def aremove(self, path: str | os.PathLike[str]) -> builtins.list[str]:
        """Remove the document at `path`, or every document under it; return the removed paths."""
        ...

    async def aclose(self) -> None:
        """Release connections and files. Idempotent."""
        ...

    def add(self, path: str | os.PathLike[str], *, tags: Sequence[str] | None = None) -> IngestReport:
        """Sync `aadd`."""
        ...

    def search(
        self, query: str, *, k: int = 5, filters: KnowledgeFilter | None = None
    ) -> builtins.list[KnowledgeHit]:
        """Sync `asearch`."""
        ...

    def list(self) -> builtins.list[KnowledgeDocument]:
        """Sync `alist`."""
        ...

    def remove(self, path: str | os.PathLike[str]) -> builtins.list[str]:
        """Sync `aremove`."""
        ...

    def close(self) -> None:
        """Sync `aclose`."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

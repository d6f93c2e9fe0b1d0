"""Episodic memory for agentcore agents: remember past runs and recall the relevant ones when planning.

Two interchangeable `MemoryStore` backends: `WeaviateMemory` (Weaviate server, cloud or embedded; multi-tenant,
hybrid search) and `LocalMemory` (one SQLite file, in-process hybrid search). `open_memory()` picks one.

Importing this package is cheap: weaviate, SQLAlchemy and numpy load only when a backend is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore._lazy import lazy_exports

from ._episode import OUTCOMES, Episode, EpisodeFilter, MemoryHit
from ._errors import (
    EmbedderMismatchError,
    EmbeddingError,
    MemoryBackendError,
    MemoryError_,
    MemoryUnavailableError,
    SchemaMigrationError,
)
from ._factory import data_dir, embedder_from_spec, open_memory
from ._hash_embedder import HashEmbedder
from ._litellm_embedder import LiteLLMEmbedder
from ._protocol import Embedder, MemoryStore
from ._st_embedder import SentenceTransformerEmbedder

if TYPE_CHECKING:
    from ._local import LocalMemory
    from ._weaviate import WeaviateMemory

__all__ = [
    'OUTCOMES',
    'Embedder',
    'EmbedderMismatchError',
    'EmbeddingError',
    'Episode',
    'EpisodeFilter',
    'HashEmbedder',
    'LiteLLMEmbedder',
    'LocalMemory',
    'MemoryBackendError',
    'MemoryError_',
    'MemoryHit',
    'MemoryStore',
    'MemoryUnavailableError',
    'SchemaMigrationError',
    'SentenceTransformerEmbedder',
    'WeaviateMemory',
    'data_dir',
    'embedder_from_spec',
    'open_memory',
]

_LAZY = {'LocalMemory': '._local', 'WeaviateMemory': '._weaviate'}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)

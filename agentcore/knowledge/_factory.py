"""`open_knowledge`: the store the settings choose, Weaviate when a URL is configured, else the local SQLite file."""

from __future__ import annotations

from pathlib import Path

from agentcore.memory import Embedder, HashEmbedder, MemoryUnavailableError, embedder_from_spec

from ._chunker import Chunking
from ._protocol import KnowledgeStore

__all__ = ['DEFAULT_COLLECTION', 'open_knowledge']

#: The Weaviate collection of the chunks (the documents' records are in `<collection>Docs`).
DEFAULT_COLLECTION = 'AgentcoreKnowledge'


def open_knowledge(
    url: str | None = None,
    *,
    path: str | Path | None = None,
    embedder: Embedder | None = None,
    collection: str = DEFAULT_COLLECTION,
    chunking: Chunking | None = None,
    grpc_port: int | None = None,
    api_key: str | None = None,
    probe_timeout: float = 2.0,
) -> KnowledgeStore:
    """Open the knowledge store: the same backend choice as memory, from the same settings.

    Unlike `open_memory`, a configured Weaviate that does not answer is an error, not a fallback to the local file:
    the documents are in Weaviate, and searching an empty local store would look like "nothing relevant".

    Args:
        url: Weaviate URL, or `embedded` / `embedded:DATA_DIR`; `''` forces the local store. Default: the
            `weaviate_url` setting (`AGENTCORE_WEAVIATE_URL` or `agentcore.toml`); unset means local.
        path: The local store's file; default `<home>/knowledge/knowledge.sqlite3` (`AGENTCORE_HOME`).
        embedder: Default: the `memory_embedder` setting (`AGENTCORE_MEMORY_EMBEDDER`), else `HashEmbedder()`.
        collection: Weaviate collection of the chunks.
        chunking: How documents are split.
        grpc_port: Weaviate gRPC port (default: the `weaviate_grpc_port` setting, else 50051).
        api_key: Weaviate API key (default: the `weaviate_api_key` setting).
        probe_timeout: Seconds to wait for Weaviate's readiness answer.

    Raises:
        ConfigError: The settings are invalid, or `url` is not an http(s) URL.
        ValueError: Malformed collection name or embedder spec.
        MemoryUnavailableError: Weaviate is configured but unreachable, or the local file cannot be opened.
        EmbedderMismatchError: The store was written with another embedder.
    """
    from agentcore._settings import load_settings
    from agentcore.memory._factory import _unreachable

    settings = load_settings(**({'weaviate_url': url} if url else {}))  # an explicit URL is checked like the setting
    url = settings.weaviate_url if url is None else url
    if embedder is None:
        embedder = embedder_from_spec(settings.memory_embedder) if settings.memory_embedder else HashEmbedder()
    if url:
        from ._weaviate import WeaviateKnowledge

        if url == 'embedded' or url.startswith('embedded:'):
            where = url.partition(':')[2] or settings.home / 'weaviate'
            return WeaviateKnowledge.embedded(where, embedder=embedder, collection=collection, chunking=chunking)
        reason = _unreachable(url, probe_timeout)
        if reason is not None:
            raise MemoryUnavailableError(
                f'Weaviate at {url} is unreachable ({reason})',
                hint='start it, or unset AGENTCORE_WEAVIATE_URL (weaviate_url) to use the local store',
            )
        return WeaviateKnowledge.connect(url, embedder=embedder, collection=collection, chunking=chunking,
                                         grpc_port=grpc_port or settings.weaviate_grpc_port,
                                         api_key=api_key or settings.weaviate_api_key)  # fmt: skip
    from ._local import LocalKnowledge

    return LocalKnowledge(path or settings.home / 'knowledge' / 'knowledge.sqlite3', embedder=embedder,
                          chunking=chunking)  # fmt: skip

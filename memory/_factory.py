"""`open_memory`: pick Weaviate when it is configured and reachable, else the local store."""

from __future__ import annotations

import logging
import os
import urllib.request
from pathlib import Path

from ._errors import MemoryUnavailableError
from ._hash_embedder import HashEmbedder
from ._litellm_embedder import LiteLLMEmbedder
from ._protocol import Embedder, MemoryStore
from ._st_embedder import SentenceTransformerEmbedder

__all__ = ['data_dir', 'embedder_from_spec', 'open_memory']

log = logging.getLogger('agentcore.memory')
DEFAULT_COLLECTION = 'AgentcoreEpisode'


def data_dir() -> Path:
    """The agentcore data directory: `$AGENTCORE_HOME`, default `~/.agentcore`."""
    return Path(os.environ.get('AGENTCORE_HOME') or Path.home() / '.agentcore').expanduser()


def embedder_from_spec(spec: str) -> Embedder:
    """Build an embedder from a short spec (as taken by `--embedder` and `AGENTCORE_MEMORY_EMBEDDER`).

    Specs: `hash` or `hash:DIM`; `litellm:MODEL:DIM` (e.g. `litellm:openai/text-embedding-3-small:1536`);
    `sentence-transformers` or `sentence-transformers:MODEL_DIR`.

    Raises:
        ValueError: Unknown or malformed spec.
    """
    kind, _, rest = spec.strip().partition(':')
    try:
        if kind == 'hash':
            return HashEmbedder(int(rest)) if rest else HashEmbedder()
        if kind == 'litellm':
            model, _, dim = rest.rpartition(':')
            if model and dim:
                return LiteLLMEmbedder(model, int(dim))
        if kind == 'sentence-transformers':
            return SentenceTransformerEmbedder(rest or None)
    except ValueError as exc:
        raise ValueError(f'bad embedder spec {spec!r}: {exc}') from exc
    raise ValueError(
        f'bad embedder spec {spec!r}: use hash[:DIM], litellm:MODEL:DIM or sentence-transformers[:MODEL_DIR]'
    )


def _default_embedder() -> Embedder:
    spec = os.environ.get('AGENTCORE_MEMORY_EMBEDDER')
    return embedder_from_spec(spec) if spec else HashEmbedder()


def _unreachable(url: str, timeout: float) -> str | None:
    """None when `url` answers Weaviate's readiness probe, else why not."""
    try:
        with urllib.request.urlopen(f'{url.rstrip("/")}/v1/.well-known/ready', timeout=timeout) as resp:
            return None if resp.status == 200 else f'readiness answered {resp.status}'
    except OSError as exc:
        return str(getattr(exc, 'reason', None) or exc)


def open_memory(
    url: str | None = None,
    *,
    path: str | Path | None = None,
    embedder: Embedder | None = None,
    collection: str = DEFAULT_COLLECTION,
    grpc_port: int | None = None,
    api_key: str | None = None,
    probe_timeout: float = 2.0,
) -> MemoryStore:
    """Open episodic memory: Weaviate when configured and reachable, otherwise the local SQLite store.

    Args:
        url: Weaviate URL (`http(s)://host:port`), or `embedded` / `embedded:DATA_DIR` to run Weaviate as a child
            process. Default: `$AGENTCORE_WEAVIATE_URL`; neither set means local.
        path: The local store's file; default `$AGENTCORE_HOME/memory/episodes.sqlite3`.
        embedder: Default: `$AGENTCORE_MEMORY_EMBEDDER` (see `embedder_from_spec`), else `HashEmbedder()`.
        collection: Weaviate collection name.
        grpc_port: Weaviate gRPC port (default `$AGENTCORE_WEAVIATE_GRPC_PORT`, else 50051).
        api_key: Weaviate API key (default `$AGENTCORE_WEAVIATE_API_KEY`).
        probe_timeout: Seconds to wait for Weaviate's readiness answer.

    Returns:
        The store; its `backend` is `'weaviate'` or `'local'`, and a local store opened because Weaviate was
        unreachable says why in `fallback_reason` and `describe()` (a warning is logged too).

    Raises:
        EmbedderMismatchError: The chosen store was written with another embedder.
        SchemaMigrationError: The stored schema cannot be used.
        MemoryUnavailableError: Embedded Weaviate could not be started, or the local file cannot be opened.
        ValueError: Malformed URL, collection name or embedder spec.
    """
    from ._local import LocalMemory
    from ._weaviate import WeaviateMemory

    embedder = embedder or _default_embedder()
    url = url if url is not None else (os.environ.get('AGENTCORE_WEAVIATE_URL') or None)
    reason: str | None = None
    if url and (url == 'embedded' or url.startswith('embedded:')):
        where = url.partition(':')[2] or data_dir() / 'weaviate'
        return WeaviateMemory.embedded(where, embedder=embedder, collection=collection)
    if url:
        reason = _unreachable(url, probe_timeout)
        if reason is None:
            try:
                return WeaviateMemory.connect(url, embedder=embedder, collection=collection, grpc_port=grpc_port,
                                              api_key=api_key)  # fmt: skip
            except MemoryUnavailableError as exc:
                reason = str(exc)
        reason = f'Weaviate at {url} is unreachable ({reason}); using the local store'
        log.warning('memory: %s', reason)
    store = LocalMemory(path or data_dir() / 'memory' / 'episodes.sqlite3', embedder=embedder)
    store.fallback_reason = reason
    return store

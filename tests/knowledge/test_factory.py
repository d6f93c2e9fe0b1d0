"""`open_knowledge`: the backend the settings choose, and Weaviate specifics (collections that are not ours)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore.knowledge import LocalKnowledge, WeaviateKnowledge, open_knowledge
from agentcore.memory import MemoryUnavailableError, SchemaMigrationError
from tests.memory.conftest import WeaviateEndpoint


def test_local_by_default_under_the_home(agentcore_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('AGENTCORE_MEMORY_EMBEDDER', 'hash:128')
    with open_knowledge() as store:
        assert isinstance(store, LocalKnowledge)
        assert store.describe() == {'backend': 'local', 'path': str(agentcore_home / 'knowledge' / 'knowledge.sqlite3'),
                                    'embedder': 'hash-ngram-v1', 'dimension': 128, 'chunking': 'v1:1000:150'}  # fmt: skip


def test_a_configured_weaviate_that_is_down_is_an_error_not_a_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('AGENTCORE_WEAVIATE_URL', 'http://127.0.0.1:1')
    with pytest.raises(MemoryUnavailableError, match=r'Weaviate at http://127.0.0.1:1 is unreachable') as info:
        open_knowledge()
    assert info.value.hint is not None and 'unset AGENTCORE_WEAVIATE_URL' in info.value.hint
    with open_knowledge('') as store:  # '' forces the local store
        assert store.backend == 'local'


@pytest.mark.weaviate
def test_weaviate_when_configured(
    weaviate_endpoint: WeaviateEndpoint, knowledge_collection: str, monkeypatch: pytest.MonkeyPatch, corpus: Path
) -> None:
    monkeypatch.setenv('AGENTCORE_WEAVIATE_URL', weaviate_endpoint.url)
    monkeypatch.setenv('AGENTCORE_WEAVIATE_GRPC_PORT', str(weaviate_endpoint.grpc_port))
    with open_knowledge(collection=knowledge_collection) as store:
        assert isinstance(store, WeaviateKnowledge)
        assert store.describe()['location'] == weaviate_endpoint.url
        assert store.add(corpus / 'install.md').counts()['added'] == 1
        assert store._client.collections.exists(f'{knowledge_collection}Docs')


@pytest.mark.weaviate
def test_a_collection_that_is_not_ours_is_refused(weaviate_endpoint: WeaviateEndpoint, knowledge_collection: str) -> None:
    import weaviate

    client = weaviate.connect_to_local(host='127.0.0.1', port=int(weaviate_endpoint.url.rsplit(':', 1)[1]),
                                       grpc_port=weaviate_endpoint.grpc_port)  # fmt: skip
    try:
        client.collections.create(knowledge_collection, description='someone else')
    finally:
        client.close()
    with pytest.raises(SchemaMigrationError, match='exists but was not created by agentcore knowledge'):
        WeaviateKnowledge.connect(weaviate_endpoint.url, grpc_port=weaviate_endpoint.grpc_port,
                                  collection=knowledge_collection)  # fmt: skip
    with pytest.raises(ValueError, match="invalid Weaviate collection name 'lower'"):
        WeaviateKnowledge.connect(weaviate_endpoint.url, grpc_port=weaviate_endpoint.grpc_port, collection='lower')

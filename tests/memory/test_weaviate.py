"""WeaviateMemory specifics against real Weaviate servers: tenants, schema migration, outages, embedded mode."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore.memory import (
    Episode,
    EpisodeFilter,
    MemoryUnavailableError,
    SchemaMigrationError,
    WeaviateMemory,
    open_memory,
)
from agentcore.memory._weaviate import object_uuid
from agentcore.memory._weaviate_connect import cached_server_binary, free_ports
from agentcore.memory._weaviate_schema import create

from ._server import WeaviateServer
from .conftest import WeaviateEndpoint

pytestmark = pytest.mark.weaviate


@pytest.fixture
def client(weaviate_endpoint: WeaviateEndpoint) -> Iterator[Any]:
    import weaviate

    port = int(weaviate_endpoint.url.rsplit(':', 1)[1])
    c = weaviate.connect_to_local(host='127.0.0.1', port=port, grpc_port=weaviate_endpoint.grpc_port)
    yield c
    c.close()


def connect(endpoint: WeaviateEndpoint, collection: str) -> WeaviateMemory:
    return WeaviateMemory.connect(endpoint.url, grpc_port=endpoint.grpc_port, collection=collection)


def test_one_tenant_per_namespace(weaviate_endpoint: WeaviateEndpoint, weaviate_collection: str, client: Any) -> None:
    with connect(weaviate_endpoint, weaviate_collection) as store:
        store.save_many([Episode(task='a', outcome='completed', namespace='alice'),
                         Episode(task='b', outcome='completed', namespace='bob')])  # fmt: skip
        assert store.describe()['collection'] == weaviate_collection
    collection = client.collections.get(weaviate_collection)
    assert set(collection.tenants.get()) == {'alice', 'bob'}
    config = collection.config.get()
    assert config.multi_tenancy_config.enabled
    assert json.loads(config.description) == {'kind': 'agentcore-memory', 'schema_version': 3,
                                              'embedder': 'hash-ngram-v1', 'dimension': 256}  # fmt: skip


def test_migrates_a_version_1_collection(
    weaviate_endpoint: WeaviateEndpoint, weaviate_collection: str, client: Any
) -> None:
    from weaviate.classes.data import DataObject

    old = Episode(task='saved before metadata existed', outcome='completed', namespace='legacy', tags=['old'])
    create(client, weaviate_collection, 'hash-ngram-v1', 256, version=1)
    tenant = client.collections.get(weaviate_collection).with_tenant('legacy')
    props = {'episode_id': old.id, 'task': old.task, 'plan_summary': '', 'steps_digest': '', 'outcome': old.outcome,
             'lessons': [], 'tags': old.tags, 'created_at': old.created_at}  # fmt: skip
    from agentcore.memory import HashEmbedder

    vector = HashEmbedder().embed([old.text()])[0]
    assert not tenant.data.insert_many([DataObject(properties=props, uuid=object_uuid(old.id), vector=vector)]).errors
    with connect(weaviate_endpoint, weaviate_collection) as store:
        assert store.get(old.id) == old
        assert store.search('before metadata')[0].episode == old
        new = Episode(task='after', outcome='completed', namespace='legacy', metadata={'k': 'v'})
        store.save(new)
        assert store.get(new.id) == new
    config = client.collections.get(weaviate_collection).config.get()
    assert 'metadata_json' in {p.name for p in config.properties}
    assert json.loads(config.description)['schema_version'] == 3


def test_refuses_a_collection_it_did_not_create(
    weaviate_endpoint: WeaviateEndpoint, weaviate_collection: str, client: Any
) -> None:
    client.collections.create(weaviate_collection, description='someone else')
    with pytest.raises(SchemaMigrationError, match='not created by agentcore memory') as info:
        connect(weaviate_endpoint, weaviate_collection)
    assert info.value.hint


def test_invalid_collection_name(weaviate_endpoint: WeaviateEndpoint) -> None:
    with pytest.raises(ValueError, match='invalid Weaviate collection name'):
        connect(weaviate_endpoint, 'lower-case')


def test_borrowed_client_is_left_open(weaviate_collection: str, client: Any) -> None:
    store = WeaviateMemory(client, collection=weaviate_collection)
    store.save(Episode(task='borrowed', outcome='completed'))
    store.close()
    assert client.is_connected()
    assert client.collections.exists(weaviate_collection)


def test_unreachable_url_is_unavailable() -> None:
    port, grpc = free_ports(2)[:2]
    started = time.monotonic()
    with pytest.raises(MemoryUnavailableError) as info:
        WeaviateMemory.connect(f'http://127.0.0.1:{port}', grpc_port=grpc, timeout=2)
    assert time.monotonic() - started < 15
    assert info.value.hint


def test_bad_url_is_a_value_error() -> None:
    with pytest.raises(ValueError, match='Weaviate URL must look like'):
        WeaviateMemory.connect('127.0.0.1:8080')


def test_open_memory_uses_reachable_weaviate(weaviate_endpoint: WeaviateEndpoint, weaviate_collection: str) -> None:
    with open_memory(weaviate_endpoint.url, grpc_port=weaviate_endpoint.grpc_port,
                     collection=weaviate_collection) as store:  # fmt: skip
        assert store.backend == 'weaviate'
        assert store.describe()['location'] == weaviate_endpoint.url


@pytest.mark.slow
def test_outage_mid_run_raises_unavailable_and_loses_nothing(tmp_path: Path) -> None:
    server = WeaviateServer.from_cache(tmp_path / 'data')
    server.start()
    try:
        store = WeaviateMemory.connect(server.url, grpc_port=server.grpc_port, collection='Outage')
        saved = [Episode(task=f'remember this {i}', outcome='completed', namespace='agent') for i in range(5)]
        store.save_many(saved)
        server.kill()  # crash: no graceful shutdown
        for call in (
            lambda: store.search('remember'),
            lambda: store.save(Episode(task='during the outage', outcome='failed')),
            lambda: store.get(saved[0].id),
            lambda: store.list(),
            lambda: store.delete(saved[0].id),
        ):
            started = time.monotonic()
            with pytest.raises(MemoryUnavailableError) as info:
                call()
            assert time.monotonic() - started < 3, 'an outage must be reported at once, not after retries'
            assert info.value.hint and 'continue without recall' in info.value.hint
        server.start()
        # The same store object recovers, and everything saved before the crash is there.
        assert {e.id for e in store.list(EpisodeFilter(namespace='agent'))} == {e.id for e in saved}
        assert store.search('remember this 3', k=1)[0].episode == saved[3]
        store.close()
    finally:
        server.stop()


@pytest.mark.slow
def test_embedded_mode_persists_across_restarts(tmp_path: Path) -> None:
    binary = cached_server_binary()
    if binary is None:
        pytest.fail('no cached weaviate-server binary: run `bash .ci/services/weaviate.sh`')
    episode = Episode(task='embedded weaviate keeps this', outcome='completed', tags=['embedded'])
    with WeaviateMemory.embedded(tmp_path / 'wv', binary=binary) as store:
        assert store.describe()['location'] == f'embedded:{tmp_path / "wv"}'
        store.save(episode)
    with open_memory(f'embedded:{tmp_path / "wv"}') as again:
        assert again.backend == 'weaviate'
        assert again.search('embedded keeps', k=1)[0].episode == episode

"""Fixtures for the memory tests: a real Weaviate server and a store of each backend (and of the test double).

Weaviate: `AGENTCORE_TEST_WEAVIATE_URL` (and `AGENTCORE_TEST_WEAVIATE_GRPC_PORT`, default 50051) names a running
server, which must answer or every `weaviate` test fails. Unset, the session starts its own server from the binary
that `.ci/services/weaviate.sh` builds into the cache, and fails with instructions when there is none. These tests
never skip: deselect them with `-m "not weaviate"`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agentcore.memory import HashEmbedder, LocalMemory, WeaviateMemory
from agentcore.testing import InMemoryMemory

from ._server import WeaviateServer, is_ready


@dataclass(frozen=True)
class WeaviateEndpoint:
    url: str
    grpc_port: int


@pytest.fixture(scope='session')
def weaviate_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WeaviateEndpoint]:
    url = os.environ.get('AGENTCORE_TEST_WEAVIATE_URL')
    if url:
        grpc_port = int(os.environ.get('AGENTCORE_TEST_WEAVIATE_GRPC_PORT', '50051'))
        if not is_ready(url, timeout=5.0):
            pytest.fail(f'AGENTCORE_TEST_WEAVIATE_URL={url} is set but Weaviate is not ready there; start it with '
                        '`bash .ci/services/weaviate.sh` or unset the variable to let the tests start one')  # fmt: skip
        yield WeaviateEndpoint(url, grpc_port)
        return
    try:
        server = WeaviateServer.from_cache(tmp_path_factory.mktemp('weaviate-data'))
        server.start()
    except RuntimeError as exc:
        pytest.fail(f'cannot start Weaviate for the tests: {exc}')
    try:
        yield WeaviateEndpoint(server.url, server.grpc_port)
    finally:
        server.stop()


def unique_collection() -> str:
    return f'Test_{uuid.uuid4().hex[:12]}'


@pytest.fixture
def weaviate_collection(weaviate_endpoint: WeaviateEndpoint) -> Iterator[str]:
    """A fresh collection name, dropped after the test."""
    import weaviate

    name = unique_collection()
    yield name
    client = weaviate.connect_to_local(host='127.0.0.1', port=int(weaviate_endpoint.url.rsplit(':', 1)[1]),
                                       grpc_port=weaviate_endpoint.grpc_port)  # fmt: skip
    try:
        client.collections.delete(name)
    finally:
        client.close()


@dataclass
class StoreFactory:
    """Opens (and reopens) stores of one backend over the same underlying data.

    `location` is the SQLite file, the Weaviate collection, or for `memory` (`agentcore.testing.InMemoryMemory`) a
    list holding the first store opened, which later ones `reopen`.
    """

    kind: str
    location: Any
    endpoint: WeaviateEndpoint | None = None

    def open(self, embedder: Any = None) -> Any:
        if self.kind == 'local':
            return LocalMemory(self.location, embedder=embedder or HashEmbedder())
        if self.kind == 'memory':
            if not self.location:
                self.location.append(InMemoryMemory(embedder=embedder or HashEmbedder()))
                return self.location[0]
            return self.location[0].reopen(embedder=embedder or HashEmbedder())
        assert self.endpoint is not None
        return WeaviateMemory.connect(self.endpoint.url, grpc_port=self.endpoint.grpc_port,
                                      collection=self.location, embedder=embedder or HashEmbedder())  # fmt: skip


@pytest.fixture(params=['local', 'memory', pytest.param('weaviate', marks=pytest.mark.weaviate)])
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    if request.param == 'local':
        return StoreFactory('local', tmp_path / 'memory.sqlite3')
    if request.param == 'memory':
        return StoreFactory('memory', [])
    endpoint = request.getfixturevalue('weaviate_endpoint')
    return StoreFactory('weaviate', request.getfixturevalue('weaviate_collection'), endpoint)


@pytest.fixture
def store(factory: StoreFactory) -> Iterator[Any]:
    opened = factory.open()
    yield opened
    opened.close()

"""Fixtures for the knowledge tests: the shipped corpus in a scratch folder, a recording embedder, and a store of
each backend. Weaviate is the memory tests' server (`tests/memory/conftest.py`: `AGENTCORE_TEST_WEAVIATE_URL`, else a
server started from the cached binary); these tests never skip: deselect them with `-m "not weaviate"`.
"""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agentcore.knowledge import LocalKnowledge, WeaviateKnowledge
from agentcore.memory import HashEmbedder
from tests.memory.conftest import WeaviateEndpoint, weaviate_endpoint

__all__ = ['FIXTURES', 'RecordingEmbedder', 'weaviate_endpoint']

FIXTURES = Path(__file__).resolve().parents[1] / 'fixtures' / 'knowledge'
CORPUS_FILES = ('install.md', 'configuration.md', 'deploy.html', 'notes.txt', 'operations.pdf')


def make_pdf_module() -> Any:
    """`tests/fixtures/knowledge/make_pdf.py`, imported."""
    if str(FIXTURES) not in sys.path:
        sys.path.insert(0, str(FIXTURES))
    import make_pdf

    return make_pdf


class RecordingEmbedder(HashEmbedder):
    """`HashEmbedder` (same name and dimension) that records every text it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.texts.extend(texts)
        return super().embed(texts)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A scratch copy of the shipped corpus (Markdown, HTML, text, PDF), safe to edit."""
    folder = tmp_path / 'docs'
    folder.mkdir()
    for name in CORPUS_FILES:
        shutil.copy(FIXTURES / name, folder / name)
    return folder.resolve()


@pytest.fixture
def knowledge_collection(weaviate_endpoint: WeaviateEndpoint) -> Iterator[str]:
    """A fresh chunk collection name; it and its document collection are dropped after the test."""
    import weaviate

    name = f'Test_{uuid.uuid4().hex[:12]}'
    yield name
    client = weaviate.connect_to_local(host='127.0.0.1', port=int(weaviate_endpoint.url.rsplit(':', 1)[1]),
                                       grpc_port=weaviate_endpoint.grpc_port)  # fmt: skip
    try:
        client.collections.delete([name, f'{name}Docs'])
    finally:
        client.close()


@dataclass
class KnowledgeFactory:
    """Opens (and reopens) stores of one backend over the same data: a SQLite file or a Weaviate collection."""

    kind: str
    location: Any
    endpoint: WeaviateEndpoint | None = None

    def open(self, embedder: Any = None) -> Any:
        if self.kind == 'local':
            return LocalKnowledge(self.location, embedder=embedder or HashEmbedder())
        assert self.endpoint is not None
        return WeaviateKnowledge.connect(self.endpoint.url, grpc_port=self.endpoint.grpc_port,
                                         collection=self.location, embedder=embedder or HashEmbedder())  # fmt: skip


@pytest.fixture(params=['local', pytest.param('weaviate', marks=pytest.mark.weaviate)])
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> KnowledgeFactory:
    if request.param == 'local':
        return KnowledgeFactory('local', tmp_path / 'knowledge.sqlite3')
    endpoint = request.getfixturevalue('weaviate_endpoint')
    return KnowledgeFactory('weaviate', request.getfixturevalue('knowledge_collection'), endpoint)


@pytest.fixture
def store(factory: KnowledgeFactory) -> Iterator[Any]:
    opened = factory.open()
    yield opened
    opened.close()

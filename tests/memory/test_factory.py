"""open_memory: which backend it picks, and where; the package's public surface and import cost."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from agentcore import memory
from agentcore.memory import EmbedderMismatchError, Episode, HashEmbedder, LocalMemory, MemoryStore, open_memory
from agentcore.memory._weaviate_connect import free_ports


def test_local_by_default_under_agentcore_home(agentcore_home: Path) -> None:
    with open_memory() as store:
        assert isinstance(store, MemoryStore) and isinstance(store, LocalMemory)
        assert store.backend == 'local'
        assert store.describe()['path'] == str(agentcore_home / 'memory' / 'episodes.sqlite3')
        assert 'fallback_reason' not in store.describe()
        store.save(Episode(task='kept in the home dir', outcome='completed'))
    assert (agentcore_home / 'memory' / 'episodes.sqlite3').is_file()


def test_explicit_path(tmp_path: Path) -> None:
    with open_memory(path=tmp_path / 'x' / 'm.sqlite3') as store:
        assert store.describe()['path'] == str(tmp_path / 'x' / 'm.sqlite3')


def test_unreachable_weaviate_falls_back_to_local_and_says_why(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    url = f'http://127.0.0.1:{free_ports(1)[0]}'
    monkeypatch.setenv('AGENTCORE_WEAVIATE_URL', url)
    with caplog.at_level(logging.WARNING, logger='agentcore.memory'), open_memory() as store:
        assert store.backend == 'local'
        reason = store.describe()['fallback_reason']
    assert url in reason and 'unreachable' in reason
    assert any(url in r.getMessage() for r in caplog.records)


def test_embedder_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('AGENTCORE_MEMORY_EMBEDDER', 'hash:64')
    with open_memory() as store:
        assert store.describe()['dimension'] == 64
    monkeypatch.delenv('AGENTCORE_MEMORY_EMBEDDER')
    with pytest.raises(EmbedderMismatchError):
        open_memory()
    with open_memory(embedder=HashEmbedder(64)) as store:
        assert store.describe()['dimension'] == 64


def test_public_api() -> None:
    assert sorted(memory.__all__) == sorted([
        'OUTCOMES', 'Embedder', 'EmbedderMismatchError', 'EmbeddingError', 'Episode', 'EpisodeFilter',
        'HashEmbedder', 'LiteLLMEmbedder', 'LocalMemory', 'MemoryBackendError', 'MemoryError_', 'MemoryHit',
        'MemoryStore', 'MemoryUnavailableError', 'SchemaMigrationError', 'SentenceTransformerEmbedder',
        'WeaviateMemory', 'data_dir', 'embedder_from_spec', 'open_memory',
    ])  # fmt: skip
    for name in memory.__all__:
        assert getattr(memory, name) is not None
    assert issubclass(memory.MemoryUnavailableError, memory.MemoryError_)
    with pytest.raises(AttributeError):
        memory.NoSuchThing  # noqa: B018


def test_import_is_cheap() -> None:
    code = ('import sys, agentcore.memory; heavy = {"weaviate", "sqlmodel", "sqlalchemy", "numpy", "litellm", "httpx", "grpc"}; '
            'print(sorted(m for m in heavy if m in sys.modules))')  # fmt: skip
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == '[]'

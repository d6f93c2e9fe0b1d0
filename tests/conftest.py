"""Shared test setup: every test gets its own agentcore home, and nothing reaches the network."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault('LITELLM_LOCAL_MODEL_COST_MAP', 'True')
os.environ.setdefault('LANGGRAPH_STRICT_MSGPACK', 'true')
# respx intercepts httpx; litellm's default async transport is aiohttp.
os.environ.setdefault('DISABLE_AIOHTTP_TRANSPORT', 'True')

#: Where `.ci/services/postgres.sh` puts the test database.
POSTGRES_URL = os.environ.get(
    'AGENTCORE_TEST_POSTGRES_URL', 'postgresql://agentcore:agentcore@127.0.0.1:5432/agentcore_test'
)


@pytest.fixture(autouse=True)
def agentcore_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / 'agentcore-home'
    monkeypatch.setenv('AGENTCORE_HOME', str(home))
    for var in ('AGENTCORE_MODEL', 'AGENTCORE_DATABASE_URL', 'AGENTCORE_CHECKPOINT_URL', 'AGENTCORE_POLICY',
                'AGENTCORE_CONFIG', 'AGENTCORE_WEAVIATE_URL', 'AGENTCORE_API_BASE'):
        monkeypatch.delenv(var, raising=False)
    yield home


@pytest.fixture
def postgres_url() -> str:
    """A reachable PostgreSQL database. Fails (never skips) when it is not there: CI starts it."""
    import psycopg

    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.fail(f'PostgreSQL not reachable at {POSTGRES_URL} ({exc}); run `bash .ci/services/postgres.sh`')
    return POSTGRES_URL

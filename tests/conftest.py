"""Shared test setup: every test gets its own agentcore home, nothing reaches the network, no real model is called.

Real model requests (`LiteLLMModel`, `LiteLLMEmbedder`, `LLMJudge`) raise `ModelRequestsBlockedError` in this process
and in every process a test starts (`AGENTCORE_ALLOW_MODEL_REQUESTS=0`). A test that talks to a fake
OpenAI-compatible server (respx, or a server on loopback) asks for the `allow_model_requests` fixture.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentcore import testing

os.environ.setdefault('LITELLM_LOCAL_MODEL_COST_MAP', 'True')
os.environ.setdefault('LANGGRAPH_STRICT_MSGPACK', 'true')
# respx intercepts httpx; litellm's default async transport is aiohttp.
os.environ.setdefault('DISABLE_AIOHTTP_TRANSPORT', 'True')
# Set, not defaulted: a developer's own AGENTCORE_ALLOW_MODEL_REQUESTS=1 must not let the suite reach a provider.
os.environ['AGENTCORE_ALLOW_MODEL_REQUESTS'] = '0'
testing.block_model_requests()

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
    testing.block_model_requests()  # a test that turned blocking off for good does not leak that into the next


@pytest.fixture
def allow_model_requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Real model requests are allowed during the test (here and in the processes it starts), e.g. to a fake server."""
    monkeypatch.setenv('AGENTCORE_ALLOW_MODEL_REQUESTS', '1')
    with testing.allow_model_requests():
        yield


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

"""Fixtures for the sandbox tests: the real Docker engine, the real image, and a record of every container.

Nothing here fakes Docker. `created_containers` spies on the docker SDK's create call (the real call still runs)
and `docker inspect`s each container the moment the engine has created it, so the hardening test can check every
container this session made, even those already removed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from agentcore.sandbox import DEFAULT_IMAGE, DockerSandbox, SandboxConfig, SandboxError, build_image

#: Label put on every container these tests create (through SandboxConfig.labels).
TEST_LABEL = 'agentcore-test.session'
SESSION = uuid.uuid4().hex[:12]
_CREATED: list[dict[str, Any]] = []


def small_config(**changes: Any) -> SandboxConfig:
    """Tight limits so that bombs hit them quickly; a short host grace so hang tests stay fast."""
    base = SandboxConfig(
        memory_mb=192, pids_limit=64, workspace_mb=32, tmp_mb=16, shm_mb=8, fsize_mb=16, host_grace_s=1.5,
        default_timeout_s=20, labels={TEST_LABEL: SESSION},
    )
    return base.with_(**changes)


@pytest.fixture(scope='session')
def engine() -> Any:
    """The real Docker client; fails (never skips) when the engine is not there."""
    from agentcore.sandbox._engine import docker_client

    try:
        return docker_client()
    except SandboxError as exc:
        pytest.fail(f'{exc} (fix: {exc.hint})')


@pytest.fixture(scope='session')
def image(engine: Any) -> str:
    """The sandbox image, built (offline from the cached rootfs when needed) if it is missing."""
    build_image(DEFAULT_IMAGE, client=engine)
    return DEFAULT_IMAGE


@pytest.fixture(scope='session', autouse=True)
def created_containers() -> Iterator[list[dict[str, Any]]]:
    from docker.api.container import ContainerApiMixin
    from docker.errors import NotFound

    original = ContainerApiMixin.create_container

    def create_and_inspect(self: Any, *args: Any, **kwargs: Any) -> Any:
        created = original(self, *args, **kwargs)
        try:
            _CREATED.append(self.inspect_container(created['Id']))
        except NotFound:
            pass
        return created

    ContainerApiMixin.create_container = create_and_inspect  # type: ignore[method-assign]
    yield _CREATED
    ContainerApiMixin.create_container = original  # type: ignore[method-assign]


@pytest.fixture(scope='module')
def shared(image: str) -> Iterator[DockerSandbox]:
    """One sandbox per test module, for tests that only need a well-behaved sandbox."""
    with DockerSandbox(small_config()) as sb:
        yield sb


@pytest.fixture
def sb(shared: DockerSandbox) -> DockerSandbox:
    """The module's shared sandbox, reset to clean before each test."""
    shared.reset()
    return shared


@pytest.fixture
def fresh(image: str) -> Iterator[DockerSandbox]:
    """A sandbox of its own, for tests that break it on purpose."""
    with DockerSandbox(small_config()) as sandbox:
        yield sandbox


def live_test_containers(engine: Any) -> list[str]:
    """Ids of this session's containers that still exist."""
    return [c['Id'] for c in engine.api.containers(all=True, filters={'label': f'{TEST_LABEL}={SESSION}'})]

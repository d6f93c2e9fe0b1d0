"""Docker engine access: the shared client, error translation, the hardened container spec and container start.

`docker` is imported lazily so that `import sandbox` stays cheap.
"""

from __future__ import annotations

import io
import secrets
import tarfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _boot
from ._channel import Channel, ChannelError
from ._config import SandboxConfig
from ._errors import (
    EnginePermissionError,
    EngineUnavailableError,
    ImageNotFoundError,
    SandboxError,
    SandboxStartError,
)

if TYPE_CHECKING:
    import docker

__all__ = ['Started', 'docker_client', 'engine_errors', 'put_archive', 'remove_container', 'start_container']

_client_lock = threading.Lock()
_client: docker.DockerClient | None = None
_BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'


def translate(exc: BaseException, *, image: str | None = None) -> SandboxError:
    """Turn a docker SDK / transport exception into the matching typed `SandboxError`."""
    import docker.errors

    text = ' '.join(str(exc).split())
    if isinstance(exc, docker.errors.ImageNotFound) or (image and 'No such image' in text):
        return ImageNotFoundError(f'sandbox image {image!r} is not present in the Docker engine')
    if 'Permission denied' in text or isinstance(exc, PermissionError):
        return EnginePermissionError(f'permission denied talking to the Docker engine: {text[:200]}')
    transport = ('Connection refused', 'No such file or directory', 'Connection aborted', 'Failed to establish',
                 'Error while fetching server API version', 'Max retries exceeded', 'Read timed out')  # fmt: skip
    if any(marker in text for marker in transport) or isinstance(exc, ConnectionError | TimeoutError):
        return EngineUnavailableError(f'the Docker engine is not reachable: {text[:200]}')
    return SandboxError(f'Docker engine error: {text[:300]}', hint='agentcore sandbox doctor')


@contextmanager
def engine_errors(*, image: str | None = None) -> Iterator[None]:
    """Translate docker SDK and transport errors raised inside the block into typed `SandboxError`s."""
    import docker.errors
    import requests.exceptions

    try:
        yield
    except SandboxError:
        raise
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        raise translate(exc, image=image) from exc


def docker_client() -> docker.DockerClient:
    """The process-wide Docker client (from DOCKER_HOST etc.), created and pinged on first use.

    Raises:
        EngineUnavailableError: the engine cannot be reached.
        EnginePermissionError: the engine refuses this user.
    """
    global _client
    with _client_lock:
        if _client is None:
            import docker

            with engine_errors():
                client = docker.from_env(max_pool_size=64, timeout=120)
                client.ping()
            _client = client
        return _client


def container_env(config: SandboxConfig) -> dict[str, str]:
    """The environment every command starts from: a fixed base plus `config.env`, never the host's."""
    env = {'PATH': _BASE_PATH, 'HOME': config.workdir, 'LANG': 'C.UTF-8', 'TMPDIR': '/tmp'}
    env.update(config.env)
    return env


def host_config(client: docker.DockerClient, config: SandboxConfig) -> dict[str, Any]:
    """The HostConfig of a sandbox container: every hardening setting lives here."""
    from docker.types import LogConfig, Ulimit

    mem = f'{config.memory_mb}m'
    fsize = config.fsize_mb << 20
    tmpfs_opts = 'rw,nosuid,nodev,exec'
    tmpfs = {'/tmp': f'{tmpfs_opts},size={config.tmp_mb}m,mode=1777'}
    mounts = None
    if config.writable_paths is None:
        tmpfs[config.workdir] = f'{tmpfs_opts},size={config.workspace_mb}m,uid={config.uid},gid={config.gid},mode=0755'
    else:
        mounts = [workspace_volume(config)]
    result: dict[str, Any] = client.api.create_host_config(
        cap_drop=['ALL'],
        cap_add=list(config.cap_add) or None,
        security_opt=['no-new-privileges:true'] if config.no_new_privileges else None,
        read_only=config.read_only_root,
        tmpfs=tmpfs,
        mounts=mounts,
        shm_size=f'{config.shm_mb}m',
        ipc_mode='private',
        pids_limit=config.pids_limit,
        mem_limit=mem,
        memswap_limit=mem,
        nano_cpus=int(config.cpus * 1e9),
        ulimits=[
            Ulimit(name='nofile', soft=config.nofile, hard=config.nofile),
            Ulimit(name='fsize', soft=fsize, hard=fsize),
            Ulimit(name='core', soft=0, hard=0),
        ],
        network_mode=config.network_mode,
        init=config.init,
        privileged=False,
        auto_remove=True,
        log_config=LogConfig(type='none'),
    )
    return result


def workspace_volume(config: SandboxConfig) -> Any:
    """The workspace of a `writable_paths` config: an anonymous tmpfs-backed volume with a root-owned root.

    A volume (not a container tmpfs) because the engine's archive API can write into it, as root, while the
    container runs: that is how the host fills the read-only parts (`put_archive`). It is removed with the
    container (anonymous volumes go with `--rm` and with `remove_container(v=True)`).
    """
    from docker.types import DriverConfig, Mount

    opts = {'type': 'tmpfs', 'device': 'tmpfs', 'o': f'size={config.workspace_mb}m,mode=0755,nosuid,nodev'}
    return Mount(target=config.workdir, source=None, type='volume', no_copy=True,
                 driver_config=DriverConfig('local', opts))


def _skeleton(config: SandboxConfig) -> bytes:
    """A tar of the writable folders (owned by the sandbox user) and their parents (owned by root)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as tar:
        done: set[str] = set()
        for path in config.writable_paths or ():
            parts = path.split('/')
            for depth in range(1, len(parts) + 1):
                name = '/'.join(parts[:depth])
                if name in done:
                    continue
                done.add(name)
                info = tarfile.TarInfo(name)
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, int(time.time())
                info.uid = info.gid = 0
                if depth == len(parts):
                    info.uid, info.gid = config.uid, config.gid
                tar.addfile(info)
    return buf.getvalue()


def put_archive(client: docker.DockerClient, container_id: str, config: SandboxConfig, blob: bytes) -> None:
    """Extract tar `blob` into the workspace through the engine, as root (the privileged path of `writable_paths`).

    The engine writes with the members' uid/gid/mode as given; callers pass members they made themselves.

    Raises:
        SandboxError: the engine refused (for example the container is gone).
    """
    with engine_errors(image=config.image):
        if not client.api.put_archive(container_id, config.workdir, blob):
            raise SandboxError('the Docker engine did not write the archive into the workspace')


@dataclass(frozen=True, slots=True)
class Started:
    """A running container with a live executor channel."""

    container_id: str
    channel: Channel
    hello: dict[str, Any]
    start_s: float


def remove_container(client: docker.DockerClient, container_id: str) -> None:
    """Force-remove a container; a container that is already gone is fine."""
    import docker.errors

    try:
        client.api.remove_container(container_id, force=True, v=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        if 'already in progress' not in str(exc) and 'No such container' not in str(exc):
            raise translate(exc) from exc


def start_container(client: docker.DockerClient, config: SandboxConfig, labels: dict[str, str]) -> Started:
    """Create, attach and start a hardened container and wait for its executor's hello.

    Raises:
        ImageNotFoundError: `config.image` is not present (it is never pulled).
        EngineUnavailableError, EnginePermissionError: the engine cannot be used.
        SandboxStartError: the container started but the executor did not report ready within
            `config.start_timeout_s` (the container is removed).
    """
    t0 = time.monotonic()
    with engine_errors(image=config.image):
        created = client.api.create_container(
            config.image, command=_boot.command(config.python)[1:], entrypoint=[config.python], user=config.user,
            stdin_open=True, tty=False, detach=False, environment=container_env(config), working_dir=config.workdir,
            labels={**config.labels, **labels}, host_config=host_config(client, config), hostname='sandbox',
            use_config_proxy=False,
        )  # fmt: skip
    cid: str = created['Id']
    channel: Channel | None = None
    try:
        with engine_errors(image=config.image):
            sock = client.api.attach_socket(cid, params={'stdin': 1, 'stdout': 1, 'stderr': 1, 'stream': 1})
            key = secrets.token_bytes(32)
            channel = Channel(getattr(sock, '_sock', sock), key, keepalive=sock)
            client.api.start(cid)
        if config.writable_paths is not None:
            put_archive(client, cid, config, _skeleton(config))  # the volume is only mounted once started
        deadline = time.monotonic() + config.start_timeout_s
        channel.send_raw(_boot.bundle(key), deadline=deadline)
        hello, _ = channel.recv(deadline, max_payload=1 << 16)
        if hello.get('op') != 'hello':
            raise SandboxStartError(f'sandbox executor sent {hello!r} instead of its hello')
        return Started(cid, channel, hello, time.monotonic() - t0)
    except BaseException as exc:
        detail = channel.stderr_tail.decode(errors='replace').strip()[-300:] if channel is not None else ''
        if channel is not None:
            channel.close()
        try:
            remove_container(client, cid)
        except SandboxError:
            pass
        if isinstance(exc, ChannelError):
            reason = f'the sandbox executor did not start in {config.image!r}: {exc}'
            raise SandboxStartError(reason + (f' ({detail})' if detail else '')) from exc
        raise

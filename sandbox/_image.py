"""Building the sandbox image: from `sandbox/Dockerfile` online, or offline from Debian packages.

Online: `FROM debian:bookworm-slim` (pulled). Offline (no registry reachable): `debootstrap --variant=minbase` with
the Python packages, tarred into `${XDG_CACHE_HOME:-~/.cache}/agentcore/` (so a warm machine skips this), then
`docker import`-ed as a local base image, and the same Dockerfile is built `FROM` it with no network. Both paths
end with the same user, workspace and label `agentcore.sandbox.image=<IMAGE_VERSION>`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._config import DEFAULT_IMAGE
from ._engine import docker_client, engine_errors
from ._errors import ImageBuildError, ImageNotFoundError, SandboxError

if TYPE_CHECKING:
    import docker

__all__ = ['IMAGE_LABEL', 'IMAGE_VERSION', 'BuildResult', 'build_image', 'cache_dir', 'image_version']

IMAGE_VERSION = '1'
IMAGE_LABEL = 'agentcore.sandbox.image'
DEFAULT_BASE = 'debian:bookworm-slim'
DEFAULT_MIRROR = 'http://deb.debian.org/debian'
PACKAGES = ('python3', 'python3-venv', 'python3-distutils', 'python3-lib2to3')
BASE_REPO = 'agentcore-sandbox-base'
Method = Literal['auto', 'dockerfile', 'debootstrap']
Log = Callable[[str], None]
#: Receives the name of each phase as it starts: `pull`, `debootstrap`, `import`, `build`.
OnProgress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What `build_image` did: `method` is `existing` when the image was already current."""

    tag: str
    image_id: str
    method: str
    base: str
    seconds: float


def _api(client: docker.DockerClient) -> Any:
    return client.api  # the stubs leave several APIClient methods untyped


def cache_dir() -> Path:
    """`${XDG_CACHE_HOME:-~/.cache}/agentcore`, where the offline rootfs tarball is kept."""
    return Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache') / 'agentcore'


def image_version(client: docker.DockerClient, tag: str) -> str | None:
    """The `agentcore.sandbox.image` label of image `tag`: None if absent, '' if it has no such label."""
    try:
        with engine_errors(image=tag):
            labels = _api(client).inspect_image(tag)['Config'].get('Labels') or {}
    except ImageNotFoundError:
        return None
    return str(labels.get(IMAGE_LABEL, ''))


def _base_pullable(client: docker.DockerClient, base: str, log: Log, phase: OnProgress) -> bool:
    if image_version(client, base) is not None:
        return True
    phase('pull')
    repo, _, tag = base.partition(':')
    try:
        with engine_errors():
            for event in client.api.pull(repo, tag=tag or 'latest', stream=True, decode=True):
                if 'error' in event:
                    raise ImageBuildError(str(event['error']))
    except SandboxError as exc:
        log(f'cannot pull {base} ({" ".join(str(exc).split())[:160]}); building offline from Debian packages')
        return False
    return True


def _debootstrap(suite: str, mirror: str, tarball: Path, log: Log) -> None:
    if os.geteuid() != 0:
        hint = 'sudo agentcore sandbox build'
        raise ImageBuildError('the offline build runs debootstrap, which needs root', hint=hint)
    if shutil.which('debootstrap') is None:
        raise ImageBuildError('debootstrap is not installed', hint='sudo apt-get install -y debootstrap')
    root = tarball.with_name(tarball.name + '.rootfs')
    shutil.rmtree(root, ignore_errors=True)
    log(f'debootstrap {suite} from {mirror} (a minute or two)')
    cmd = ['debootstrap', '--variant=minbase', f'--include={",".join(PACKAGES)}', suite, str(root), mirror]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        tail = ' '.join((done.stdout + done.stderr).split()[-40:])
        hint = 'check the Debian mirror (--mirror) and the network'
        raise ImageBuildError(f'debootstrap failed ({done.returncode}): {tail}', hint=hint)
    for junk in ('var/lib/apt/lists', 'var/cache/apt'):
        for child in (root / junk).glob('*'):
            shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink(missing_ok=True)
    part = tarball.with_name(tarball.name + '.part')
    subprocess.run(['tar', '--numeric-owner', '-C', str(root), '-cf', str(part), '.'], check=True)
    part.replace(tarball)
    shutil.rmtree(root, ignore_errors=True)


def _offline_base(client: docker.DockerClient, suite: str, mirror: str, log: Log, phase: OnProgress) -> str:
    key = hashlib.sha256(json.dumps([suite, PACKAGES, platform.machine()]).encode()).hexdigest()[:12]
    base = f'{BASE_REPO}:{suite}-{key}'
    if image_version(client, base) is not None:
        return base
    tarball = cache_dir() / f'rootfs-{suite}-{platform.machine()}-{key}.tar'
    if tarball.exists():
        log(f'using cached rootfs {tarball}')
    else:
        tarball.parent.mkdir(parents=True, exist_ok=True)
        phase('debootstrap')
        _debootstrap(suite, mirror, tarball, log)
    phase('import')
    log(f'importing {tarball.name} as {base}')
    with engine_errors():
        reply = client.api.import_image_from_file(str(tarball), repository=BASE_REPO, tag=f'{suite}-{key}')
    if 'error' in str(reply).lower() and image_version(client, base) is None:
        raise ImageBuildError(f'docker import failed: {str(reply)[:300]}')
    return base


def _build(client: docker.DockerClient, tag: str, base: str, network: str | None, log: Log) -> str:
    dockerfile = (Path(__file__).parent / 'Dockerfile').read_bytes()
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode='w') as tar:
        info = tarfile.TarInfo('Dockerfile')
        info.size = len(dockerfile)
        tar.addfile(info, io.BytesIO(dockerfile))
    context.seek(0)
    log(f'building {tag} FROM {base}')
    with engine_errors():
        events = client.api.build(
            fileobj=context, custom_context=True, tag=tag, rm=True, forcerm=True, decode=True,
            buildargs={'BASE': base, 'IMAGE_VERSION': IMAGE_VERSION}, network_mode=network, use_config_proxy=False,
        )  # fmt: skip
        for event in events:
            if 'error' in event:
                raise ImageBuildError(f'docker build failed: {" ".join(str(event["error"]).split())[:300]}')
            line = str(event.get('stream', '')).strip()
            if line:
                log(line)
        image_id: str = _api(client).inspect_image(tag)['Id']
    return image_id


def build_image(
    tag: str = DEFAULT_IMAGE, *, method: Method = 'auto', force: bool = False, suite: str = 'bookworm',
    mirror: str = DEFAULT_MIRROR, client: docker.DockerClient | None = None, log: Log | None = None,
    on_progress: OnProgress | None = None,
) -> BuildResult:  # fmt: skip
    """Build the sandbox image `tag` unless it is already current (same `IMAGE_VERSION`) and `force` is False.

    Args:
        tag: Image tag to build.
        method: `dockerfile` (needs a registry for the Debian base), `debootstrap` (offline; needs root, the
            `debootstrap` tool and a Debian mirror, or the cached rootfs tarball), or `auto`: `dockerfile` when
            the base image is present or pullable, else `debootstrap`.
        force: Rebuild even if the image is current.
        suite: Debian suite for the offline path.
        mirror: Debian mirror for the offline path.
        client: Docker client (default: the shared one).
        log: Receives progress lines.
        on_progress: Receives the name of each phase as it starts: `pull` (the Debian base image), `debootstrap`,
            `import` (the offline rootfs), `build`. Not called when the image is already current.

    Raises:
        ImageBuildError: the build failed (the message says which step, the hint how to fix it).
        EngineUnavailableError, EnginePermissionError: Docker cannot be used.
    """
    say = log or (lambda _line: None)
    phase = on_progress or (lambda _name: None)
    client = client or docker_client()
    t0 = time.monotonic()
    if not force and image_version(client, tag) == IMAGE_VERSION:
        with engine_errors():
            image_id = str(_api(client).inspect_image(tag)['Id'])
        return BuildResult(tag, image_id, 'existing', '', time.monotonic() - t0)
    chosen = method
    if chosen == 'auto':
        chosen = 'dockerfile' if _base_pullable(client, DEFAULT_BASE, say, phase) else 'debootstrap'
    if chosen == 'dockerfile':
        base, network = DEFAULT_BASE, None
    elif chosen == 'debootstrap':
        base, network = _offline_base(client, suite, mirror, say, phase), 'none'
    else:
        raise ImageBuildError(f'unknown build method {method!r}', hint='use auto, dockerfile or debootstrap')
    phase('build')
    image_id = _build(client, tag, base, network, say)
    return BuildResult(tag, image_id, chosen, base, time.monotonic() - t0)

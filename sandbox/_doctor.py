"""`agentcore sandbox doctor`: check each prerequisite and say exactly what is missing and how to fix it."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass

from ._config import DEFAULT_IMAGE, SandboxConfig
from ._errors import SandboxError

__all__ = ['Check', 'run_checks']


@dataclass(frozen=True, slots=True)
class Check:
    """One doctor finding. `required=False` findings never fail the doctor."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None
    required: bool = True


def _engine_checks() -> list[Check]:
    from ._engine import docker_client, engine_errors

    try:
        client = docker_client()
        with engine_errors():
            info = client.info()
            version = client.version().get('Version', '?')
    except SandboxError as exc:
        return [Check('engine', False, str(exc), exc.hint)]
    checks = [Check('engine', True, f'Docker {version} at {client.api.base_url}')]
    missing = [name for name in ('MemoryLimit', 'PidsLimit') if not info.get(name)]
    security = ', '.join(info.get('SecurityOptions') or []) or 'none'
    checks.append(
        Check('limits', False, f'the engine cannot enforce: {", ".join(missing)}',
              'enable the memory and pids cgroup controllers on the host (kernel: cgroup_enable=memory)')
        if missing
        else Check('limits', True, f'memory, pids limits enforced; cgroup v{info.get("CgroupVersion", "?")}; '
                                   f'security: {security}')
    )  # fmt: skip
    return checks


def _image_check(image: str) -> Check:
    from ._engine import docker_client
    from ._image import IMAGE_VERSION, image_version

    try:
        version = image_version(docker_client(), image)
    except SandboxError as exc:
        return Check('image', False, str(exc), exc.hint)
    if version is None:
        missing = f'{image} is not present (nothing is pulled implicitly)'
        return Check('image', False, missing, 'agentcore sandbox build')
    if version != IMAGE_VERSION:
        return Check('image', False, f'{image} is from another recipe (label {version!r}, want {IMAGE_VERSION!r})',
                     'agentcore sandbox build --force')  # fmt: skip
    return Check('image', True, f'{image} (recipe {version})')


def _smoke_check(image: str) -> Check:
    from ._docker import DockerSandbox

    try:
        t0 = time.monotonic()
        with DockerSandbox(SandboxConfig(image=image)) as sb:
            started = time.monotonic() - t0
            result = sb.exec(['python3', '-c', 'import os, sys; print(os.getuid(), sys.version.split()[0])'])
    except SandboxError as exc:
        return Check('sandbox', False, f'cannot start a sandbox: {exc}', exc.hint)
    if result.exit_code != 0:
        return Check('sandbox', False, f'python3 failed in the sandbox: {result.stderr.strip()[:200]}',
                     'agentcore sandbox build --force')  # fmt: skip
    uid, python = (result.stdout.split() + ['?', '?'])[:2]
    return Check('sandbox', True, f'started in {started * 1000:.0f} ms; python {python} as uid {uid}')


def _offline_check() -> Check:
    missing = [] if shutil.which('debootstrap') else ['debootstrap']
    if os.geteuid() != 0:
        missing.append('root')
    if missing:
        fix = 'sudo apt-get install -y debootstrap, and run agentcore sandbox build as root'
        return Check('offline-build', False, f'an offline image build would need: {", ".join(missing)}', fix, False)
    return Check('offline-build', True, 'debootstrap available for building without a registry', required=False)


def run_checks(image: str = DEFAULT_IMAGE, *, smoke: bool = True) -> list[Check]:
    """Run the checks in order, stopping after the first required failure (later ones would only repeat it)."""
    checks: list[Check] = []
    steps: list[Callable[[], list[Check]]] = [_engine_checks, lambda: [_image_check(image)]]
    if smoke:
        steps.append(lambda: [_smoke_check(image)])
    for step in steps:
        found = step()
        checks.extend(found)
        if any(c.required and not c.ok for c in found):
            break
    checks.append(_offline_check())
    return checks

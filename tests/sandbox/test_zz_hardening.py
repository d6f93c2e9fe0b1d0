"""`docker inspect` of every container this test session created: each one carries the whole hardened profile.

Named to run last in this directory so that it covers the containers of all the other sandbox tests; it also
creates a sandbox and a pool itself, so it checks something even when run alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from agentcore.sandbox import DockerSandbox, SandboxPool

from .conftest import small_config

pytestmark = pytest.mark.docker

_ALLOWED_ENV = {'PATH', 'HOME', 'LANG', 'TMPDIR'}


def _problems(attrs: dict[str, Any]) -> list[str]:  # noqa: C901 - one check per hardening rule
    cfg, host = attrs['Config'], attrs['HostConfig']
    uid = (cfg.get('User') or '').split(':')[0]
    found = []
    if not uid.isdigit() or int(uid) == 0:
        found.append(f'user {cfg.get("User")!r} is not a numeric non-root uid')
    if host.get('CapDrop') != ['ALL'] or host.get('CapAdd'):
        found.append(f'capabilities: drop={host.get("CapDrop")} add={host.get("CapAdd")}')
    if not any(opt.startswith('no-new-privileges') for opt in host.get('SecurityOpt') or []):
        found.append('no-new-privileges missing')
    if not host.get('ReadonlyRootfs'):
        found.append('root filesystem is writable')
    tmpfs = dict(host.get('Tmpfs') or {})
    for spec in host.get('Mounts') or []:  # writable_paths: the workspace is a tmpfs-backed anonymous volume
        opts = ((spec.get('VolumeOptions') or {}).get('DriverConfig') or {}).get('Options') or {}
        if spec.get('Type') == 'volume' and not spec.get('Source') and opts.get('type') == 'tmpfs':
            tmpfs[spec.get('Target')] = opts.get('o', '')
    if '/tmp' not in tmpfs or cfg.get('WorkingDir') not in tmpfs or any('size=' not in v for v in tmpfs.values()):
        found.append(f'tmpfs mounts without size limits or missing: {tmpfs}')
    if not host.get('PidsLimit') or host['PidsLimit'] <= 0:
        found.append('no pids limit')
    if not host.get('Memory') or host.get('MemorySwap') != host.get('Memory'):
        found.append(f'memory {host.get("Memory")} / swap {host.get("MemorySwap")}: limit missing or extra swap')
    if not host.get('NanoCpus'):
        found.append('no CPU limit')
    ulimits = {u['Name']: u for u in host.get('Ulimits') or []}
    if 'nofile' not in ulimits or 'fsize' not in ulimits:
        found.append(f'ulimits missing: {sorted(ulimits)}')
    if host.get('NetworkMode') != 'none':
        found.append(f'network mode {host.get("NetworkMode")!r}')
    if not host.get('Init'):
        found.append('no init process')
    if (cfg.get('Labels') or {}).get('agentcore.sandbox') != '1':
        found.append('ownership label missing')
    mounts = [m.get('Source', '') for m in attrs.get('Mounts') or [] if m.get('Type') != 'volume'
              or m.get('Destination') not in tmpfs] + list(host.get('Binds') or [])
    if mounts or any('docker.sock' in m for m in mounts):
        found.append(f'bind mounts present: {mounts}')
    if host.get('Privileged') or host.get('Devices'):
        found.append('privileged or devices')
    env = dict(e.split('=', 1) for e in cfg.get('Env') or [])
    if not set(env) <= _ALLOWED_ENV or env.get('HOME') != cfg.get('WorkingDir'):
        found.append(f'environment beyond the fixed base: {sorted(set(env) - _ALLOWED_ENV)}')
    if not host.get('AutoRemove') or (host.get('LogConfig') or {}).get('Type') != 'none':
        found.append('not auto-removed, or output logged on the host')
    return found


def test_every_container_of_the_session_is_hardened(image: str, created_containers: list[dict[str, Any]]) -> None:
    with DockerSandbox(small_config()) as sb:
        sb.exec('true')
    with SandboxPool(small_config(), size=1) as pool:
        pool.wait_ready(60)
    sandboxes = [c for c in created_containers if (c['Config'].get('Labels') or {}).get('agentcore.sandbox') == '1']
    assert len(sandboxes) >= 2
    report = {c['Id'][:12]: p for c in sandboxes if (p := _problems(c))}
    assert report == {}


def test_default_config_is_hardened_too(image: str, engine: Any) -> None:
    with DockerSandbox() as sb:
        attrs = engine.api.inspect_container(sb.id)
    assert _problems(attrs) == []
    host = attrs['HostConfig']
    assert host['Memory'] == 1024 << 20 and host['PidsLimit'] == 256 and host['NanoCpus'] == 1_000_000_000
    assert {u['Name']: u['Hard'] for u in host['Ulimits']} == {'nofile': 1024, 'fsize': 256 << 20, 'core': 0}

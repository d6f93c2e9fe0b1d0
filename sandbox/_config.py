"""`SandboxConfig`: every container setting, hardened by default; loosening one is an explicit field choice."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from types import MappingProxyType
from typing import Any

from ._errors import SandboxConfigError

__all__ = ['DEFAULT_IMAGE', 'SandboxConfig']

DEFAULT_IMAGE = 'agentcore-sandbox:latest'
_USER_RE = re.compile(r'^(\d+):(\d+)$')
_ENV_KEY_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
_RESERVED_LABEL = 'agentcore.sandbox'
#: Capabilities that would let the sandbox user write, chown or chmod files it does not own.
_OWNER_CAPS = frozenset({'ALL', 'CAP_ALL', 'DAC_OVERRIDE', 'FOWNER', 'CHOWN', 'SYS_ADMIN', 'SETUID', 'SETGID'})
_MINIMUMS: dict[str, float] = {
    'workspace_mb': 1, 'tmp_mb': 1, 'shm_mb': 1, 'memory_mb': 64, 'cpus': 0.01, 'pids_limit': 16, 'nofile': 64,
    'fsize_mb': 1, 'default_timeout_s': 0.01, 'max_timeout_s': 0.01, 'output_limit_bytes': 1024,
    'max_file_bytes': 1, 'max_archive_bytes': 1, 'host_grace_s': 0.1, 'op_timeout_s': 0.1, 'start_timeout_s': 0.1,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Settings of one sandbox container. The defaults are the hardened profile.

    Every container runs as non-root `user` with all capabilities dropped, `no-new-privileges`, a read-only root
    filesystem, size-limited tmpfs mounts for `workdir` (the workspace), /tmp and /dev/shm, a pids limit, a memory
    limit with no extra swap, a CPU limit, `nofile`/`fsize`/`core` ulimits, no network, an init process, ownership
    labels, no bind mounts (so no Docker socket) and no host environment. Each loosening is a field below:
    `network_mode`, `read_only_root=False`, `no_new_privileges=False`, `cap_add`, `allow_root=True` with a root
    `user`, or larger limits.

    Note that tmpfs pages count against `memory_mb`: a full workspace uses that much of the memory limit.

    `writable_paths` (workspace-relative folders, e.g. `('src', 'out')`; None = the whole workspace is writable)
    makes every other part of the workspace read-only to every process in the container, enforced by the kernel:
    the workspace is then a tmpfs-backed Docker volume whose root and read-only parts are owned by root (mode
    0755/0644, no group or other write bit), and only the listed folders belong to the sandbox user. The sandbox
    user has no capability to override file permissions, so shell, Python, subprocesses and symlinks cannot write
    outside those folders. The host still writes the read-only parts through the engine's archive API
    (`copy_in`); see `DockerSandbox.copy_in` and `reset`.

    Raises:
        SandboxConfigError: (a ValueError) from the constructor when a field is out of range or malformed.
    """

    image: str = DEFAULT_IMAGE
    python: str = 'python3'
    user: str = '1000:1000'
    workdir: str = '/workspace'
    workspace_mb: int = 512
    tmp_mb: int = 128
    shm_mb: int = 64
    memory_mb: int = 1024
    cpus: float = 1.0
    pids_limit: int = 256
    nofile: int = 1024
    fsize_mb: int = 256
    default_timeout_s: float = 60.0
    max_timeout_s: float = 3600.0
    output_limit_bytes: int = 1 << 20
    max_file_bytes: int = 64 << 20
    max_archive_bytes: int = 512 << 20
    host_grace_s: float = 5.0
    op_timeout_s: float = 60.0
    start_timeout_s: float = 60.0
    env: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    network_mode: str = 'none'
    read_only_root: bool = True
    no_new_privileges: bool = True
    cap_add: tuple[str, ...] = ()
    allow_root: bool = False
    init: bool = True
    writable_paths: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name, minimum in _MINIMUMS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
                raise SandboxConfigError(f'SandboxConfig.{name} must be a number >= {minimum} (got {value!r})')
        if self.default_timeout_s > self.max_timeout_s:
            raise SandboxConfigError('SandboxConfig.default_timeout_s must not exceed max_timeout_s')
        match = _USER_RE.match(self.user)
        if match is None:
            raise SandboxConfigError(f"SandboxConfig.user must be numeric 'uid:gid' (got {self.user!r})")
        if (match[1] == '0' or match[2] == '0') and not self.allow_root:
            raise SandboxConfigError('SandboxConfig.user is root; set allow_root=True to run as root deliberately')
        workdir = posixpath.normpath(self.workdir)
        if not workdir.startswith('/') or workdir in ('/', '/tmp', '/dev/shm') or workdir != self.workdir:
            raise SandboxConfigError(f'SandboxConfig.workdir must be a normalised absolute path (got {self.workdir!r})')
        if not self.image or not self.python or not self.network_mode:
            raise SandboxConfigError('SandboxConfig.image, python and network_mode must not be empty')
        env = {str(k): str(v) for k, v in dict(self.env).items()}
        bad = [k for k, v in env.items() if not _ENV_KEY_RE.match(k) or '\0' in v]
        if bad:
            raise SandboxConfigError(f'SandboxConfig.env has invalid names or values: {bad}')
        labels = {str(k): str(v) for k, v in dict(self.labels).items()}
        if any(k.startswith(_RESERVED_LABEL) for k in labels):
            raise SandboxConfigError(f'SandboxConfig.labels must not use the reserved prefix {_RESERVED_LABEL!r}')
        object.__setattr__(self, 'env', MappingProxyType(env))
        object.__setattr__(self, 'labels', MappingProxyType(labels))
        object.__setattr__(self, 'cap_add', tuple(str(c).upper() for c in self.cap_add))
        if self.writable_paths is not None:
            object.__setattr__(self, 'writable_paths', _writable_paths(self.writable_paths))
            owner_caps = sorted(_OWNER_CAPS & set(self.cap_add))
            if owner_caps or self.uid == 0:
                what = f'cap_add {owner_caps}' if owner_caps else 'a root user'
                raise SandboxConfigError(f'SandboxConfig.writable_paths cannot be enforced with {what}')

    @property
    def uid(self) -> int:
        """The numeric user id commands run as."""
        return int(self.user.split(':')[0])

    @property
    def gid(self) -> int:
        """The numeric group id commands run as."""
        return int(self.user.split(':')[1])

    @property
    def writable_dirs(self) -> tuple[str, ...]:
        """Every directory the sandbox user can write to; a reset empties them all."""
        if self.writable_paths is not None:
            return (*(f'{self.workdir}/{p}' for p in self.writable_paths), '/tmp', '/dev/shm', '/dev/mqueue')
        return (self.workdir, '/tmp', '/dev/shm', '/dev/mqueue')

    def is_writable(self, rel: str) -> bool:
        """Whether workspace-relative `rel` (normalised, `.` for the workspace) lies in a writable folder."""
        if self.writable_paths is None:
            return True
        return any(rel == w or rel.startswith(w + '/') for w in self.writable_paths)

    def with_(self, **changes: Any) -> SandboxConfig:
        """Return a copy with `changes` applied (validated like the constructor).

        Raises:
            SandboxConfigError: if a name is not a field or a value is invalid.
        """
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise SandboxConfigError(f'SandboxConfig has no field(s) {sorted(unknown)}')
        return replace(self, **changes)


def _writable_paths(value: object) -> tuple[str, ...]:
    """`writable_paths` as sorted, normalised workspace-relative folders (nested ones folded into their parent).

    Raises:
        SandboxConfigError: not a list of strings, or an entry that is empty, absolute, the workspace itself,
            or has a `..` component.
    """
    if isinstance(value, str) or not isinstance(value, tuple | list):
        raise SandboxConfigError(f'SandboxConfig.writable_paths must be a tuple of folder names (got {value!r})')
    out: set[str] = set()
    for entry in value:
        text = entry.strip('/') if isinstance(entry, str) else None
        parts = [p for p in (text or '').split('/') if p not in ('', '.')]
        if text is None or entry.startswith('/') or '\0' in entry or not parts or '..' in parts:
            raise SandboxConfigError(
                f'SandboxConfig.writable_paths entry {entry!r} must be a workspace-relative folder without ..')
        out.add('/'.join(parts))
    return tuple(sorted(p for p in out if not any(p.startswith(q + '/') for q in out)))

"""Host-side helpers for DockerSandbox file operations: error mapping, listings and host tar packing."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from typing import Any

from ._config import SandboxConfig
from ._errors import (
    SandboxError,
    SandboxFileError,
    SandboxFileNotFoundError,
    UnsafeArchiveError,
    WorkspacePathError,
)
from ._result import FileInfo

__all__ = ['file_infos', 'op_error', 'pack_host_path', 'split_archive']

_HINTS = {
    'nospace': 'delete files in the workspace, or raise SandboxConfig.workspace_mb',
    'toolarge': 'raise SandboxConfig.max_file_bytes / max_archive_bytes, or move less data at once',
    'isdir': 'pass a file path, or use list_files() for directories',
    'notfile': 'only regular files can be read or written',
    'readonly': 'the sandbox user may not change this path: it lies outside the writable folders '
                "(SandboxConfig.writable_paths, a policy's sandbox.writable) or its mode forbids it",
}


def op_error(reply: dict[str, Any]) -> SandboxError:
    """The typed exception for a failed executor reply."""
    kind, message = str(reply.get('kind')), str(reply.get('msg') or 'sandbox operation failed')
    if kind == 'path':
        return WorkspacePathError(message)
    if kind == 'notfound':
        return SandboxFileNotFoundError(message, hint='check the path with list_files()')
    if kind == 'unsafe':
        return UnsafeArchiveError(message)
    return SandboxFileError(message, hint=_HINTS.get(kind))


def file_infos(entries: list[dict[str, Any]]) -> list[FileInfo]:
    """Convert the executor's listing into `FileInfo`s."""
    return [
        FileInfo(path=e['path'], kind=e['kind'], size=int(e['size']), mode=int(e['mode']), mtime=float(e['mtime']))
        for e in entries
    ]


def _add(tar: tarfile.TarFile, path: str, name: str, st: os.stat_result) -> int:
    info = tarfile.TarInfo(name)
    info.mode, info.mtime = stat.S_IMODE(st.st_mode), int(st.st_mtime)
    if stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        return 0
    info.size = st.st_size
    with open(path, 'rb') as fh:
        tar.addfile(info, fh)
    return st.st_size


def pack_host_path(src: str | os.PathLike[str], max_bytes: int) -> bytes:
    """Tar a host file, or a host directory's content, for `copy_in`; symlinks and special files are skipped.

    Raises:
        FileNotFoundError: `src` does not exist.
        SandboxFileError: more than `max_bytes` of file data.
    """
    root = os.fspath(src)
    buf, total = io.BytesIO(), 0
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as tar:
        st = os.stat(root)
        if not stat.S_ISDIR(st.st_mode):
            total += _add(tar, root, os.path.basename(root), st)
        for top, dirs, names in os.walk(root) if stat.S_ISDIR(st.st_mode) else ():
            dirs.sort()
            for name in sorted(dirs) + sorted(names):
                path = os.path.join(top, name)
                entry = os.lstat(path)
                if stat.S_ISDIR(entry.st_mode) or stat.S_ISREG(entry.st_mode):
                    total += _add(tar, path, os.path.relpath(path, root), entry)
                if total > max_bytes:
                    raise SandboxFileError(f'{root!r} holds more than {max_bytes} bytes', hint=_HINTS['toolarge'])
    return buf.getvalue()


def split_archive(blob: bytes, dest: str, config: SandboxConfig) -> tuple[bytes, bytes | None]:
    """Split a `pack_host_path` tar for a `writable_paths` workspace: (writable part, read-only part or None).

    The writable part keeps its members, renamed relative to the workspace, for the executor (which re-checks
    them as the sandbox user). The read-only part is for the engine's archive API: regular files and
    directories only, owned by root, without group or other write bits (files at least 0444, dirs 0555).
    """
    writable, readonly = io.BytesIO(), io.BytesIO()
    n_ro = 0
    with tarfile.open(fileobj=io.BytesIO(blob)) as src, \
            tarfile.open(fileobj=writable, mode='w', format=tarfile.PAX_FORMAT) as w_tar, \
            tarfile.open(fileobj=readonly, mode='w', format=tarfile.PAX_FORMAT) as r_tar:
        for member in src:
            rel = member.name if dest == '.' else f'{dest}/{member.name}'
            member.name = rel
            data = src.extractfile(member) if member.isreg() else None
            if config.is_writable(rel):
                w_tar.addfile(member, data)
            elif member.isreg() or member.isdir():
                member.uid = member.gid = 0
                member.uname = member.gname = ''
                member.mode = (member.mode & 0o755) | (0o555 if member.isdir() else 0o444)
                r_tar.addfile(member, data)
                n_ro += 1
    return writable.getvalue(), readonly.getvalue() if n_ro else None

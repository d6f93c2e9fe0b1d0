"""Host-side helpers for DockerSandbox file operations: error mapping, listings and host tar packing."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from typing import Any

from ._errors import (
    SandboxError,
    SandboxFileError,
    SandboxFileNotFoundError,
    UnsafeArchiveError,
    WorkspacePathError,
)
from ._result import FileInfo

__all__ = ['file_infos', 'op_error', 'pack_host_path']

_HINTS = {
    'nospace': 'delete files in the workspace, or raise SandboxConfig.workspace_mb',
    'toolarge': 'raise SandboxConfig.max_file_bytes / max_archive_bytes, or move less data at once',
    'isdir': 'pass a file path, or use list_files() for directories',
    'notfile': 'only regular files can be read or written',
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

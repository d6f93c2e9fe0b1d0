"""Workspace file operations of the in-container executor (standard library only; shipped into the container).

Every path is relative to the workspace. It is refused when absolute, when it has a `..` component, or when its
`realpath` leaves the workspace (a symlink pointing out). Files are opened `O_NOFOLLOW | O_NONBLOCK` and checked
with `fstat`, so a symlink swapped in after the check or a FIFO never redirects or blocks the executor.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
import tarfile
from typing import Any

from agentcore.sandbox._errors import UnsafeArchiveError
from agentcore.sandbox._tarsafe import safe_extract_tar

WORKSPACE = os.path.realpath(os.getcwd())
_CHUNK = 1 << 20

Reply = tuple[dict[str, Any], bytes]


class OpError(Exception):
    """A request that failed for a reason the host reports as a typed error (`kind` selects the type)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def errno_kind(exc: OSError) -> str:
    """Map an OSError to the `kind` the host understands."""
    return {
        errno.ENOENT: 'notfound', errno.ENOTDIR: 'notfound', errno.EISDIR: 'isdir', errno.ELOOP: 'path',
        errno.ENOSPC: 'nospace', errno.EDQUOT: 'nospace', errno.EFBIG: 'toolarge', errno.EACCES: 'readonly',
        errno.EPERM: 'readonly', errno.EROFS: 'readonly',
    }.get(exc.errno or 0, 'os')  # fmt: skip


def resolve(rel: str) -> str:
    """Return the real absolute path of workspace-relative `rel`.

    Raises:
        OpError: kind `path` if `rel` is absolute, has `..`, or resolves outside the workspace.
    """
    if not isinstance(rel, str) or '\0' in rel or rel.startswith('/') or '..' in rel.split('/'):
        raise OpError('path', f'path {rel!r} is outside the workspace')
    real = os.path.realpath(os.path.join(WORKSPACE, rel))
    if real != WORKSPACE and not real.startswith(WORKSPACE + '/'):
        raise OpError('path', f'path {rel!r} leads outside the workspace through a symlink')
    return real


def _rel(path: str) -> str:
    return os.path.relpath(path, WORKSPACE)


def _open_regular(path: str, flags: int, mode: int = 0o644) -> int:
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        kind = 'isdir' if stat.S_ISDIR(st.st_mode) else 'notfile'
        raise OpError(kind, f'{_rel(path)!r} is not a regular file')
    os.set_blocking(fd, True)
    return fd


def op_write(req: dict[str, Any], payload: bytes) -> Reply:
    real = resolve(req['path'])
    if real == WORKSPACE:
        raise OpError('isdir', 'cannot write to the workspace directory itself')
    parent = os.path.dirname(real)
    os.makedirs(parent, exist_ok=True)
    if os.path.realpath(parent) != parent:
        raise OpError('path', f'path {req["path"]!r} leads outside the workspace through a symlink')
    fd = _open_regular(real, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, req.get('mode') or 0o644)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        if req.get('mode') is not None:
            os.fchmod(fd, int(req['mode']))
    finally:
        os.close(fd)
    return {'size': len(payload)}, b''


def op_read(req: dict[str, Any], payload: bytes) -> Reply:
    limit = int(req['max'])
    fd = _open_regular(resolve(req['path']), os.O_RDONLY)
    try:
        if os.fstat(fd).st_size > limit:
            raise OpError('toolarge', f'{req["path"]!r} is larger than {limit} bytes')
        chunks, total = [], 0
        while chunk := os.read(fd, _CHUNK):
            total += len(chunk)
            if total > limit:
                raise OpError('toolarge', f'{req["path"]!r} is larger than {limit} bytes')
            chunks.append(chunk)
    finally:
        os.close(fd)
    return {'size': total}, b''.join(chunks)


def _entry(path: str, st: os.stat_result) -> dict[str, Any]:
    mode = st.st_mode
    kind = 'other'
    for test, name in ((stat.S_ISDIR, 'dir'), (stat.S_ISREG, 'file'), (stat.S_ISLNK, 'symlink')):
        if test(mode):
            kind = name
    return {'path': _rel(path), 'kind': kind, 'size': st.st_size, 'mode': stat.S_IMODE(mode), 'mtime': st.st_mtime}


def op_list(req: dict[str, Any], payload: bytes) -> Reply:
    real, limit = resolve(req['path']), int(req['max'])
    st = os.lstat(real)
    if not stat.S_ISDIR(st.st_mode):
        return {'entries': [_entry(real, st)], 'truncated': False}, b''
    entries: list[dict[str, Any]] = []
    stack = [real]
    while stack:
        with os.scandir(stack.pop()) as it:
            for item in sorted(it, key=lambda e: e.name):
                if len(entries) >= limit:
                    return {'entries': entries, 'truncated': True}, b''
                entries.append(_entry(item.path, item.stat(follow_symlinks=False)))
                if req.get('recursive') and item.is_dir(follow_symlinks=False):
                    stack.append(item.path)
    entries.sort(key=lambda e: e['path'])
    return {'entries': entries, 'truncated': False}, b''


def _walk(top: str) -> list[tuple[str, os.stat_result]]:
    found: list[tuple[str, os.stat_result]] = []
    for root, dirs, files in os.walk(top, followlinks=False):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(root, d))]:
            path = os.path.join(root, name)
            found.append((path, os.lstat(path)))
    return found


def op_digest(req: dict[str, Any], payload: bytes) -> Reply:
    digests: dict[str, str] = {}
    for path, st in _walk(WORKSPACE):
        if len(digests) >= int(req['max']):
            return {'files': digests, 'truncated': True}, b''
        if stat.S_ISLNK(st.st_mode):
            digests[_rel(path)] = 'symlink:' + hashlib.sha256(os.fsencode(os.readlink(path))).hexdigest()
        elif stat.S_ISREG(st.st_mode):
            sha = hashlib.sha256()
            try:
                fd = _open_regular(path, os.O_RDONLY)
            except (OSError, OpError):
                continue  # unreadable (mode 000) or swapped away mid-walk
            with os.fdopen(fd, 'rb') as fh:
                while chunk := fh.read(_CHUNK):
                    sha.update(chunk)
            digests[_rel(path)] = 'sha256:' + sha.hexdigest()
    return {'files': digests, 'truncated': False}, b''


def op_tar(req: dict[str, Any], payload: bytes) -> Reply:
    """Archive regular files and directories under a path; symlinks and special files are skipped and listed."""
    real, limit = resolve(req['path']), int(req['max'])
    base = os.path.dirname(real) if not os.path.isdir(real) else real
    buf, skipped, total = io.BytesIO(), [], 0
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as tar:
        items = [(real, os.lstat(real))] if base != real else _walk(real) + _dirs(real)
        for path, st in sorted(items, key=lambda item: item[0]):
            name = os.path.relpath(path, base)
            if stat.S_ISDIR(st.st_mode):
                tar.addfile(_info(name, st, tarfile.DIRTYPE))
            elif stat.S_ISREG(st.st_mode):
                total += st.st_size
                if total > limit:
                    raise OpError('toolarge', f'{req["path"]!r} holds more than {limit} bytes')
                with os.fdopen(_open_regular(path, os.O_RDONLY), 'rb') as fh:
                    tar.addfile(_info(name, st, tarfile.REGTYPE), fh)
            else:
                skipped.append(_rel(path))
    return {'skipped': skipped}, buf.getvalue()


def _dirs(top: str) -> list[tuple[str, os.stat_result]]:
    return [(os.path.join(r, d), os.lstat(os.path.join(r, d))) for r, ds, _ in os.walk(top) for d in ds
            if not os.path.islink(os.path.join(r, d))]  # fmt: skip


def _info(name: str, st: os.stat_result, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = kind, stat.S_IMODE(st.st_mode), int(st.st_mtime)
    info.size = st.st_size if kind == tarfile.REGTYPE else 0
    return info


def op_untar(req: dict[str, Any], payload: bytes) -> Reply:
    """Extract a host-made tar under a workspace directory, with the same checks as the host's copy-out."""
    real = resolve(req['path'])
    try:
        written = safe_extract_tar(io.BytesIO(payload), real, max_bytes=int(req['max']))
    except UnsafeArchiveError as exc:
        raise OpError('unsafe', str(exc)) from exc
    return {'written': written}, b''


FILE_OPS = {'write': op_write, 'read': op_read, 'list': op_list, 'digest': op_digest, 'tar': op_tar, 'untar': op_untar}

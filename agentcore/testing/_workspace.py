"""`MemoryWorkspace`: the in-memory file tree behind `FakeSandbox`, with the real workspace's errors and limits."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import time
from dataclasses import dataclass
from typing import Literal

from agentcore.sandbox._docker_files import pack_host_path
from agentcore.sandbox._errors import (
    SandboxFileError,
    SandboxFileNotFoundError,
    UnsafeArchiveError,
    WorkspacePathError,
)
from agentcore.sandbox._result import FileInfo
from agentcore.sandbox._tarsafe import check_members, safe_extract_tar

__all__ = ['MemoryWorkspace']

_NOT_FOUND_HINT = 'check the path with list_files()'
_ISDIR_HINT = 'pass a file path, or use list_files() for directories'
_TOO_LARGE_HINT = 'raise max_file_bytes / max_archive_bytes, or move less data at once'


@dataclass
class _Node:
    data: bytes | None  # None: a directory
    mode: int
    mtime: float


def _parent(rel: str) -> str:
    return rel.rpartition('/')[0] or '.'


def _under(rel: str, top: str) -> bool:
    return top == '.' or rel.startswith(top + '/')


class MemoryWorkspace:
    """Files and directories keyed by their normalised workspace-relative path (`.` is the workspace itself).

    Not thread-safe: `FakeSandbox` locks around every call. Paths given here are already normalised.
    """

    def __init__(self, *, max_file_bytes: int, max_archive_bytes: int) -> None:
        self.max_file_bytes = max_file_bytes
        self.max_archive_bytes = max_archive_bytes
        self._nodes: dict[str, _Node] = {}

    def __len__(self) -> int:
        return sum(1 for node in self._nodes.values() if node.data is not None)

    def clear(self) -> None:
        self._nodes.clear()

    def is_dir(self, rel: str) -> bool:
        node = self._nodes.get(rel)
        return rel == '.' or (node is not None and node.data is None)

    # -- writing ---------------------------------------------------------------------------------------------

    def _mkdirs(self, rel: str) -> None:
        if rel == '.':
            return
        parts = rel.split('/')
        for i in range(1, len(parts) + 1):
            prefix = '/'.join(parts[:i])
            node = self._nodes.get(prefix)
            if node is None:
                self._nodes[prefix] = _Node(None, 0o755, time.time())
            elif node.data is not None:
                raise SandboxFileError(f'{prefix!r} is a file, not a directory')

    def write(self, rel: str, blob: bytes, mode: int | None) -> None:
        """Create or overwrite a file (parents created); `mode` None keeps an existing file's mode.

        Raises:
            WorkspacePathError: `rel` is the workspace itself.
            SandboxFileError: over `max_file_bytes`, `rel` is a directory, or a parent is a file.
        """
        if len(blob) > self.max_file_bytes:
            raise SandboxFileError(f'{rel!r}: {len(blob)} bytes is over max_file_bytes={self.max_file_bytes}')
        if rel == '.':
            raise WorkspacePathError('cannot write to the workspace directory itself')
        node = self._nodes.get(rel)
        if node is not None and node.data is None:
            raise SandboxFileError(f'{rel!r} is not a regular file', hint=_ISDIR_HINT)
        self._mkdirs(_parent(rel))
        keep = node.mode if node is not None else 0o644
        self._nodes[rel] = _Node(blob, keep if mode is None else mode & 0o7777, time.time())

    def remove(self, rel: str) -> None:
        """Delete a file, or a directory with everything under it.

        Raises:
            WorkspacePathError: `rel` is the workspace itself. SandboxFileNotFoundError: no such path.
        """
        if rel == '.':
            raise WorkspacePathError('cannot remove the workspace directory itself')
        self._existing(rel)
        for path in [p for p in self._nodes if p == rel or _under(p, rel)]:
            del self._nodes[path]

    # -- reading ---------------------------------------------------------------------------------------------

    def _existing(self, rel: str) -> _Node | None:
        """The node at `rel` (None for the workspace itself)."""
        if rel == '.':
            return None
        node = self._nodes.get(rel)
        if node is None:
            raise SandboxFileNotFoundError(f'No such file or directory: {rel}', hint=_NOT_FOUND_HINT)
        return node

    def read(self, rel: str) -> bytes:
        """The bytes of a file.

        Raises:
            SandboxFileNotFoundError: no such file. SandboxFileError: a directory, or over `max_file_bytes`.
        """
        node = self._existing(rel)
        if node is None or node.data is None:
            raise SandboxFileError(f'{rel!r} is not a regular file', hint=_ISDIR_HINT)
        if len(node.data) > self.max_file_bytes:
            raise SandboxFileError(f'{rel!r} is larger than {self.max_file_bytes} bytes', hint=_TOO_LARGE_HINT)
        return node.data

    def _info(self, rel: str, node: _Node) -> FileInfo:
        kind: Literal['file', 'dir'] = 'dir' if node.data is None else 'file'
        return FileInfo(path=rel, kind=kind, size=len(node.data or b''), mode=node.mode, mtime=node.mtime)

    def listing(self, rel: str, *, recursive: bool) -> list[FileInfo]:
        """A directory's entries (all below it when `recursive`), sorted by path; a file describes itself.

        Raises:
            SandboxFileNotFoundError: no such path.
        """
        node = self._existing(rel)
        if node is not None and node.data is not None:
            return [self._info(rel, node)]
        found = [
            (path, entry) for path, entry in self._nodes.items()
            if _under(path, rel) and path != rel and (recursive or _parent(path) == rel)
        ]  # fmt: skip
        return [self._info(path, entry) for path, entry in sorted(found)]

    def digest(self) -> dict[str, str]:
        """Every file as `sha256:<hex>`, sorted by path."""
        return {
            path: 'sha256:' + hashlib.sha256(node.data).hexdigest()
            for path, node in sorted(self._nodes.items())
            if node.data is not None
        }

    # -- copying ---------------------------------------------------------------------------------------------

    def tar(self, rel: str) -> bytes:
        """A tar of one file (under its name) or of a directory's content, as the real sandbox sends for copy-out.

        Raises:
            SandboxFileNotFoundError: no such path. SandboxFileError: more than `max_archive_bytes`.
        """
        node = self._existing(rel)
        if node is not None and node.data is not None:
            items = [(rel.rpartition('/')[2], node)]
        else:
            cut = 0 if rel == '.' else len(rel) + 1
            items = [(path[cut:], entry) for path, entry in sorted(self._nodes.items()) if _under(path, rel)
                     and path != rel]  # fmt: skip
        buf, total = io.BytesIO(), 0
        with tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT) as tar:
            for name, entry in items:
                info = tarfile.TarInfo(name)
                info.mode, info.mtime = entry.mode, int(entry.mtime)
                if entry.data is None:
                    info.type = tarfile.DIRTYPE
                    tar.addfile(info)
                    continue
                total += len(entry.data)
                if total > self.max_archive_bytes:
                    raise SandboxFileError(f'{rel!r} holds more than {self.max_archive_bytes} bytes',
                                           hint=_TOO_LARGE_HINT)  # fmt: skip
                info.size = len(entry.data)
                tar.addfile(info, io.BytesIO(entry.data))
        return buf.getvalue()

    def copy_out(self, rel: str, dest: str | os.PathLike[str]) -> list[str]:
        """Extract `tar(rel)` under host directory `dest` with the real sandbox's checks; return the files written.

        Raises:
            SandboxFileNotFoundError, SandboxFileError: as `tar`. UnsafeArchiveError: `dest` holds a symlink or a
                non-directory where a directory is needed.
        """
        return safe_extract_tar(io.BytesIO(self.tar(rel)), dest, max_bytes=self.max_archive_bytes)

    def copy_in(self, src: str | os.PathLike[str], rel: str) -> list[str]:
        """Copy a host file, or a host directory's content (symlinks and special files skipped), under `rel`.

        Returns:
            The files written, relative to `rel`, in archive order.

        Raises:
            FileNotFoundError: `src` does not exist. SandboxFileError: more than `max_archive_bytes`, or `rel` (or
                a directory of the archive) is a file. UnsafeArchiveError: a file of the archive is a directory here.
        """
        blob = pack_host_path(src, self.max_archive_bytes)
        written: list[str] = []
        with tarfile.open(fileobj=io.BytesIO(blob), mode='r:') as tar:
            members = check_members(tar, max_bytes=self.max_archive_bytes)  # all checked before anything is written
            self._mkdirs(rel)
            for member, parts in members:
                target = '/'.join(parts) if rel == '.' else '/'.join([rel, *parts])
                if member.isdir():
                    self._mkdirs(target)
                    continue
                if self.is_dir(target):
                    raise UnsafeArchiveError(f'destination {target!r} is a directory')
                source = tar.extractfile(member)
                data = source.read() if source is not None else b''
                self._mkdirs(_parent(target))
                self._nodes[target] = _Node(data, 0o755 if member.mode & 0o111 else 0o644, time.time())
                written.append('/'.join(parts))
        return written

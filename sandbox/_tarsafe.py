"""Safe tar extraction, used on the host for copy-out and in the container for copy-in (standard library only).

Every member is checked before anything is written; one bad member refuses the whole archive. Refused: absolute
names, `..` components, NUL or backslash in names, symlinks, hardlinks, device files, FIFOs and any type other
than regular file or directory, and archives over the size or member limit. While writing, existing symlinks in
the destination are never followed: each directory level is checked with `lstat`, and files are written to a new
temporary name and renamed into place.
"""

from __future__ import annotations

import os
import secrets
import stat
import tarfile
from typing import IO

from agentcore.sandbox._errors import UnsafeArchiveError

__all__ = ['check_members', 'safe_extract_tar']

DEFAULT_MAX_BYTES = 1 << 30
DEFAULT_MAX_MEMBERS = 100_000


def _parts(member: tarfile.TarInfo) -> list[str]:
    name = member.name
    if '\0' in name or '\\' in name:
        raise UnsafeArchiveError(f'unsafe archive member {name!r}: NUL or backslash in name')
    if name.startswith('/'):
        raise UnsafeArchiveError(f'unsafe archive member {name!r}: absolute path')
    parts = [p for p in name.split('/') if p not in ('', '.')]
    if '..' in parts:
        raise UnsafeArchiveError(f"unsafe archive member {name!r}: '..' component")
    if member.issym() or member.islnk():
        kind = 'symlink' if member.issym() else 'hardlink'
        raise UnsafeArchiveError(f'unsafe archive member {name!r}: {kind} to {member.linkname!r}')
    if member.ischr() or member.isblk() or member.isfifo():
        raise UnsafeArchiveError(f'unsafe archive member {name!r}: device or FIFO')
    if not (member.isreg() or member.isdir()):
        raise UnsafeArchiveError(f'unsafe archive member {name!r}: unsupported type {member.type!r}')
    return parts


def check_members(
    tar: tarfile.TarFile, *, max_bytes: int = DEFAULT_MAX_BYTES, max_members: int = DEFAULT_MAX_MEMBERS
) -> list[tuple[tarfile.TarInfo, list[str]]]:
    """Validate every member of `tar` and return them with their split, normalised names.

    Raises:
        UnsafeArchiveError: on the first unsafe member, or when the archive exceeds `max_bytes` of file data or
            `max_members` members.
    """
    checked: list[tuple[tarfile.TarInfo, list[str]]] = []
    total = 0
    for count, member in enumerate(tar, start=1):
        if count > max_members:
            raise UnsafeArchiveError(f'archive has more than {max_members} members')
        parts = _parts(member)
        total += member.size if member.isreg() else 0
        if total > max_bytes:
            raise UnsafeArchiveError(f'archive holds more than {max_bytes} bytes of file data')
        if parts:
            checked.append((member, parts))
        elif not member.isdir():
            raise UnsafeArchiveError(f'unsafe archive member {member.name!r}: empty name')
    return checked


def _enter_dir(parent: str, name: str) -> str:
    path = os.path.join(parent, name)
    try:
        os.mkdir(path, 0o755)
    except FileExistsError:
        pass
    if not stat.S_ISDIR(os.lstat(path).st_mode):
        raise UnsafeArchiveError(f'destination {path!r} exists and is not a directory (symlinks are not followed)')
    return path


def _write_file(parent: str, name: str, source: IO[bytes], mode: int) -> None:
    target = os.path.join(parent, name)
    if os.path.isdir(target) and not os.path.islink(target):
        raise UnsafeArchiveError(f'destination {target!r} is a directory')
    tmp = os.path.join(parent, f'.{name[:100]}.{secrets.token_hex(6)}.part')
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, 'wb') as out:
            while chunk := source.read(1 << 20):
                out.write(chunk)
            os.fchmod(out.fileno(), 0o755 if mode & 0o111 else 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def safe_extract_tar(
    fileobj: IO[bytes], dest: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
    max_members: int = DEFAULT_MAX_MEMBERS,
) -> list[str]:  # fmt: skip
    """Extract the uncompressed tar in `fileobj` under `dest`, refusing anything that could escape it.

    Args:
        fileobj: A readable binary stream holding a plain (uncompressed) tar archive.
        dest: The destination directory; created if missing.
        max_bytes: Largest total of file data accepted.
        max_members: Largest number of members accepted.

    Returns:
        The relative paths of the files written, in archive order.

    Raises:
        UnsafeArchiveError: if any member is unsafe (nothing is written then), if a destination path is an
            existing symlink or non-directory, or if the archive is corrupt.
    """
    try:
        with tarfile.open(fileobj=fileobj, mode='r:') as tar:
            members = check_members(tar, max_bytes=max_bytes, max_members=max_members)
            root = os.path.realpath(dest)
            os.makedirs(root, exist_ok=True)
            written: list[str] = []
            for member, parts in members:
                parent = root
                for part in parts[:-1]:
                    parent = _enter_dir(parent, part)
                if member.isdir():
                    _enter_dir(parent, parts[-1])
                    continue
                source = tar.extractfile(member)
                if source is None:
                    raise UnsafeArchiveError(f'archive member {member.name!r} has no data')
                _write_file(parent, parts[-1], source, member.mode)
                written.append('/'.join(parts))
            return written
    except tarfile.TarError as exc:
        raise UnsafeArchiveError(f'corrupt archive: {exc}') from exc

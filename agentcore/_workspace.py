"""Workspace snapshots: the files a run's completed steps left in its sandbox, content-addressed in the run store."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._errors import AgentcoreError

if TYPE_CHECKING:
    from ._events import WorkspaceRestored
    from .runstore import WorkspaceBlobs
    from .sandbox import Sandbox

__all__ = ['MAX_SNAPSHOT_BYTES', 'Manifest', 'WorkspaceLostError', 'WorkspaceTracker', 'capture', 'restore',
           'restore_for_resume', 'snapshot_then']

#: New file data one snapshot may add to the run store; files past it are recorded as not captured.
MAX_SNAPSHOT_BYTES = 256 << 20
#: Bytes per `copy_in` while restoring (each one archive).
_BATCH_BYTES = 32 << 20
#: The marker a ledger row carries instead of a snapshot when none could be taken (the reason follows it).
UNAVAILABLE = 'unavailable:'
#: Manifests read or written by this process, by digest (they never change).
_MANIFESTS: dict[str, Manifest] = {}
_MAX_CACHED = 256


class WorkspaceLostError(AgentcoreError):
    """A run's workspace could not be restored as its completed steps left it; the run was not continued."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint='fork the run from an earlier step (`agentcore runs fork RUN_ID --at STEP`), '
                                       'or start it again')


@dataclass(frozen=True)
class Manifest:
    """One snapshot: every file (sha, mode), every directory (mode), and what could not be captured, and why."""

    files: dict[str, tuple[str, int]] = field(default_factory=dict)
    dirs: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        body = {'v': 1, 'files': {p: list(v) for p, v in self.files.items()}, 'dirs': self.dirs,
                'skipped': self.skipped}
        return json.dumps(body, sort_keys=True, separators=(',', ':')).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Raises: ValueError: not a manifest."""
        body = json.loads(data)
        if not isinstance(body, dict) or body.get('v') != 1:
            raise ValueError('not a workspace manifest')
        files = {str(p): (str(v[0]), int(v[1])) for p, v in body['files'].items()}
        return cls(files=files, dirs={str(p): int(m) for p, m in body['dirs'].items()},
                   skipped={str(p): str(w) for p, w in body['skipped'].items()})

    def same_files(self, other: Manifest) -> bool:
        """True when both hold the same files with the same content and modes, and the same directories."""
        return self.files == other.files and self.dirs == other.dirs


def _sha(data: bytes) -> str:
    return 'sha256:' + hashlib.sha256(data).hexdigest()


async def _observe(sandbox: Sandbox) -> tuple[Manifest, dict[str, str]]:
    """What the workspace holds now (without file data), and each file's digest as the sandbox reported it."""
    digest = await sandbox.aworkspace_digest()
    listing = await sandbox.alist_files('.', recursive=True)
    files: dict[str, tuple[str, int]] = {}
    dirs: dict[str, int] = {}
    skipped: dict[str, str] = {}
    for info in listing:
        if info.kind == 'dir':
            dirs[info.path] = info.mode
        elif info.kind == 'file' and digest.get(info.path, '').startswith('sha256:'):
            files[info.path] = (digest[info.path], info.mode)
        elif info.kind == 'symlink':
            skipped[info.path] = 'a symlink (snapshots keep regular files and directories)'
        elif info.kind == 'other':
            skipped[info.path] = 'not a regular file (FIFO, socket or device)'
    return Manifest(files=files, dirs=dirs, skipped=skipped), digest


def _remember(sha: str, manifest: Manifest) -> None:
    if len(_MANIFESTS) >= _MAX_CACHED:
        _MANIFESTS.pop(next(iter(_MANIFESTS)))
    _MANIFESTS[sha] = manifest


async def capture(sandbox: Sandbox, blobs: WorkspaceBlobs, *, previous: str | None = None) -> str:
    """Snapshot the workspace into `blobs`; return the snapshot's id (the digest of its manifest).

    Only file data the store lacks is read out of the sandbox (one `read_file` per new file). When nothing
    changed since `previous`, nothing is read or written. Files the snapshot cannot hold (over the sandbox's
    `read_file` limit, past `MAX_SNAPSHOT_BYTES` of new data, symlinks, special files) are listed in the
    manifest's `skipped`, which a restore reports.

    Raises:
        SandboxError: the sandbox could not be read (closed, died).
        sqlalchemy.exc.SQLAlchemyError: the run store could not be written.
    """
    from .sandbox import SandboxFileError

    seen, _ = await _observe(sandbox)
    if previous is not None and (old := _MANIFESTS.get(previous)) is not None and old.same_files(seen) \
            and old.skipped == seen.skipped:
        return previous
    missing = await blobs.amissing({sha for sha, _ in seen.files.values()})
    new: dict[str, bytes] = {}
    files, skipped = dict(seen.files), dict(seen.skipped)
    budget = MAX_SNAPSHOT_BYTES
    for path, (sha, mode) in sorted(seen.files.items()):
        if sha not in missing or sha in new:
            continue
        try:
            data = await sandbox.aread_file(path)
        except SandboxFileError as exc:  # too large for read_file, or gone since the listing
            files.pop(path)
            skipped[path] = f'not captured: {exc}'
            continue
        if len(data) > budget:
            files.pop(path)
            skipped[path] = f'not captured: the snapshot already holds {MAX_SNAPSHOT_BYTES} bytes of new data'
            continue
        budget -= len(data)
        actual = _sha(data)  # the file may have changed since the digest: keep what was read
        files[path] = (actual, mode)
        new[actual] = data
    manifest = Manifest(files=files, dirs=seen.dirs, skipped=skipped)
    body = manifest.to_bytes()
    sha = _sha(body)
    new[sha] = body
    await blobs.aput(new)
    _remember(sha, manifest)
    return sha


async def load(blobs: WorkspaceBlobs, snapshot: str) -> Manifest:
    """The manifest of `snapshot`.

    Raises:
        WorkspaceLostError: the run store does not hold it, or it is unreadable.
    """
    if snapshot.startswith(UNAVAILABLE):
        raise WorkspaceLostError(f'no snapshot was taken after the last completed step: '
                                 f'{snapshot.removeprefix(UNAVAILABLE)}')
    cached = _MANIFESTS.get(snapshot)
    if cached is not None:
        return cached
    data = (await blobs.aget([snapshot])).get(snapshot)
    if data is None:
        raise WorkspaceLostError(f'workspace snapshot {snapshot} is not in the run store')
    try:
        manifest = Manifest.from_bytes(data)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise WorkspaceLostError(f'workspace snapshot {snapshot} is unreadable: {exc}') from exc
    _remember(snapshot, manifest)
    return manifest


@dataclass(frozen=True)
class Restored:
    """What `restore` did: `changed` is false when the sandbox already held the snapshot's files."""

    snapshot: str
    files: int
    changed: bool
    skipped: dict[str, str]


async def restore(sandbox: Sandbox, blobs: WorkspaceBlobs, snapshot: str) -> Restored:
    """Make the sandbox's workspace hold exactly the files of `snapshot`.

    A sandbox that already holds them is left alone (its processes and session state too). Otherwise it is reset
    (processes killed, workspace emptied) and the files are copied in with their modes, then checked.

    Raises:
        WorkspaceLostError: the snapshot or some of its files are not in the run store, or the files copied in do
            not match the snapshot.
        SandboxError: the sandbox could not be reset or written.
    """
    manifest = await load(blobs, snapshot)
    seen, _ = await _observe(sandbox)
    if seen.same_files(manifest):
        return Restored(snapshot, len(manifest.files), False, manifest.skipped)
    shas = {sha for sha, _ in manifest.files.values()}
    data = await blobs.aget(shas)
    lost = sorted(p for p, (sha, _) in manifest.files.items() if sha not in data)
    if lost:
        raise WorkspaceLostError(f'{len(lost)} file(s) of workspace snapshot {snapshot} are not in the run store '
                                 f'(first: {lost[0]!r})')
    await sandbox.areset()
    for batch in _batches(manifest, data):
        await _copy_batch(sandbox, manifest, batch, data)
    after, _ = await _observe(sandbox)
    if after.files != manifest.files:
        wrong = sorted(set(after.files.items()) ^ set(manifest.files.items()))
        raise WorkspaceLostError(f'the restored workspace differs from snapshot {snapshot} '
                                 f'(first difference: {wrong[0][0]!r})')
    return Restored(snapshot, len(manifest.files), True, manifest.skipped)


def _batches(manifest: Manifest, data: dict[str, bytes]) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for path in sorted(manifest.files):
        batch.append(path)
        size += len(data[manifest.files[path][0]]) + 512  # a tar header per entry
        if size >= _BATCH_BYTES:
            yield batch
            batch, size = [], 0
    yield batch  # the first (or only) batch also carries the directories, even when there are no files


async def _copy_batch(sandbox: Sandbox, manifest: Manifest, paths: list[str], data: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory(prefix='agentcore-restore-') as tmp:
        await asyncio.to_thread(_lay_out, tmp, manifest, paths, data)
        await sandbox.acopy_in(tmp, '.')


def _lay_out(root: str, manifest: Manifest, paths: list[str], data: dict[str, bytes]) -> None:
    for d in sorted(manifest.dirs):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for p in paths:
        sha, mode = manifest.files[p]
        target = os.path.join(root, p)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, 'wb') as fh:
            fh.write(data[sha])
        os.chmod(target, mode & 0o7777)
    for d in sorted(manifest.dirs, key=len, reverse=True):  # deepest first: a read-only parent is set last
        os.chmod(os.path.join(root, d), manifest.dirs[d] & 0o7777 | 0o700)


class WorkspaceTracker:
    """One run's workspace bookkeeping while a process drives it: the latest snapshot and the lock that orders them.

    Snapshots and the ledger rows that carry them are written under `lock`, so the latest completed call's
    snapshot also holds every call that completed before it.
    """

    def __init__(self, latest: str | None = None) -> None:
        self.lock = asyncio.Lock()
        self.latest = latest
        #: What the model is told at its next turn (the run continued in a new sandbox), when set.
        self.notice: str | None = None


async def snapshot_then(
    sandbox: Sandbox | None, blobs: WorkspaceBlobs, write: Callable[[str | None], Awaitable[None]]
) -> None:
    """Snapshot the run's workspace and hand the snapshot's id to `write` (the ledger row that completes a call).

    Under the run's tracker lock, so that snapshots and their ledger rows are ordered. No sandbox, or no run in
    progress: `write(None)`. A snapshot that fails (sandbox gone, store full) never fails the call: `write` gets
    an `unavailable:` marker with the reason, and a resume that needs it says so.
    """
    tracker = RUN_WORKSPACE.get()
    if sandbox is None or tracker is None:
        await write(None)
        return
    async with tracker.lock:
        try:
            sha = await capture(sandbox, blobs, previous=tracker.latest)
        except Exception as exc:  # the call's result still counts; the snapshot is marked as missing
            sha = f'{UNAVAILABLE}{type(exc).__name__}: {exc}'[:500]
        await write(sha)
        tracker.latest = sha


#: The tracker of the run in progress (set by `Agent` around each run; `None` outside one).
RUN_WORKSPACE: ContextVar[WorkspaceTracker | None] = ContextVar('agentcore_run_workspace', default=None)


def resume_notice(restored: Restored) -> str:
    """What the model is told when its run continues in a sandbox whose files were restored."""
    text = (f'This run was resumed in a new sandbox. The workspace files were restored as the completed steps left '
            f'them ({restored.files} file(s)); running processes, variables of the Python session and anything '
            'installed outside the workspace (pip packages, files in /tmp) are gone: recreate them if you need them.')
    if restored.skipped:
        names = ', '.join(sorted(restored.skipped)[:5])
        text += f' Not restored: {names}' + (' ...' if len(restored.skipped) > 5 else '') + '.'
    return text


async def restore_for_resume(
    sandbox: Sandbox | None, blobs: WorkspaceBlobs, run_id: str, values: Mapping[str, Any]
) -> WorkspaceRestored | None:
    """Put a resuming run's workspace back as its completed steps left it, before it continues.

    The snapshot is that of the run's last completed call (its ledger row), else the checkpoint's (`values`, as
    after a fork). When files had to be copied in, the run's tracker tells the model at its next turn. `None`:
    nothing to restore (no snapshot yet, or no sandbox). An event with `error` set: it could not be restored.
    """
    from ._events import WorkspaceRestored
    from .sandbox import SandboxError

    tracker = RUN_WORKSPACE.get()
    target = await blobs.alatest_call_snapshot(run_id) or values.get('workspace')
    if tracker is not None:
        tracker.latest = target
    if target is None or sandbox is None:
        return None
    try:
        done = await restore(sandbox, blobs, target)
    except (WorkspaceLostError, SandboxError) as exc:
        return WorkspaceRestored(run_id=run_id, snapshot=target, error=str(exc))
    if done.changed and tracker is not None:
        tracker.notice = resume_notice(done)
    return WorkspaceRestored(run_id=run_id, snapshot=target, files=done.files, changed=done.changed,
                             skipped=sorted(done.skipped))

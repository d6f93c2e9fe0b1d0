"""Workspace files in a real sandbox: round trips, escapes refused, safe copy-out and copy-in, digests."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from agentcore.sandbox import (
    DockerSandbox,
    SandboxFileError,
    SandboxFileNotFoundError,
    UnsafeArchiveError,
    WorkspacePathError,
    safe_extract_tar,
)

pytestmark = pytest.mark.docker


def test_write_read_list_round_trip(sb: DockerSandbox) -> None:
    sb.write_file('src/app.py', 'print("hi")\n')
    sb.write_file('/workspace/bin/run.sh', b'#!/bin/sh\necho ran\n', mode=0o755)
    blob = os.urandom(200_000)
    sb.write_file('data.bin', blob)
    assert sb.read_file('src/app.py') == b'print("hi")\n' and sb.read_file('data.bin') == blob
    assert sb.exec('./bin/run.sh').stdout == 'ran\n'
    listing = {f.path: f for f in sb.list_files(recursive=True)}
    assert set(listing) == {'bin', 'bin/run.sh', 'data.bin', 'src', 'src/app.py'}
    assert listing['bin/run.sh'].mode == 0o755 and listing['src'].kind == 'dir' and listing['data.bin'].size == 200_000
    assert [f.path for f in sb.list_files('src')] == ['src/app.py']
    with pytest.raises(SandboxFileNotFoundError):
        sb.read_file('missing.txt')
    with pytest.raises(SandboxFileError):
        sb.read_file('src')


@pytest.mark.parametrize('path', ['../etc/passwd', 'a/../../etc/passwd', '/etc/passwd', '/tmp/x', '..'])
def test_dotdot_and_absolute_paths_are_refused(sb: DockerSandbox, path: str) -> None:
    for operation in (lambda: sb.read_file(path), lambda: sb.write_file(path, 'x'), lambda: sb.list_files(path)):
        with pytest.raises(WorkspacePathError):
            operation()


def test_symlinks_leading_outside_are_refused(sb: DockerSandbox) -> None:
    sb.exec('ln -s /etc etc_link; ln -s /etc/passwd passwd_link; ln -s /tmp tmp_link; mkdir d; ln -s ../.. d/up')
    for path in ('etc_link/passwd', 'passwd_link', 'd/up/etc/hostname'):
        with pytest.raises(WorkspacePathError, match='symlink'):
            sb.read_file(path)
    with pytest.raises(WorkspacePathError):
        sb.write_file('tmp_link/planted', 'x')
    assert sb.exec('ls /tmp').stdout == ''
    sb.write_file('real.txt', 'inside')
    sb.exec('ln -s real.txt inner_link')
    assert sb.read_file('inner_link') == b'inside'  # a symlink that stays inside is fine


def test_fifo_and_oversized_files_do_not_hang_or_exhaust(sb: DockerSandbox) -> None:
    sb.exec('mkfifo pipe')
    with pytest.raises(SandboxFileError, match='not a regular file'):
        sb.read_file('pipe')
    sb.exec('head -c 2000000 /dev/zero > big')
    small = sb.config.with_(max_file_bytes=1_000_000)
    with DockerSandbox(small) as other:
        other.exec('head -c 2000000 /dev/zero > big')
        with pytest.raises(SandboxFileError, match='larger than'):
            other.read_file('big')
        with pytest.raises(SandboxFileError, match='max_file_bytes'):
            other.write_file('huge', b'x' * 1_000_001)


def test_copy_out_writes_only_inside_destination(sb: DockerSandbox, tmp_path: Path) -> None:
    sb.write_file('proj/a.txt', 'A')
    sb.write_file('proj/sub/b.txt', 'B')
    sb.exec('cd proj && ln -s /etc/passwd passwd && ln -s .. up && mkfifo fifo && ln sub/b.txt hard')
    dest = tmp_path / 'out'
    written = sb.copy_out('proj', dest)
    assert sorted(written) == ['a.txt', 'hard', 'sub/b.txt']
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob('*')) == [
        'out', 'out/a.txt', 'out/hard', 'out/sub', 'out/sub/b.txt']  # fmt: skip
    assert not any(p.is_symlink() for p in dest.rglob('*')) and (dest / 'hard').read_text() == 'B'
    assert sb.copy_out('proj/a.txt', tmp_path / 'single') == ['a.txt']


def test_hostile_tar_made_inside_the_sandbox_is_refused_on_copy_out(sb: DockerSandbox, tmp_path: Path) -> None:
    maker = (
        'import io, tarfile, sys\n'
        'kind = sys.argv[1]\n'
        'buf = io.BytesIO()\n'
        'with tarfile.open(fileobj=buf, mode="w") as tar:\n'
        '    info = tarfile.TarInfo({"dotdot": "../../escaped.txt", "abs": "/tmp/escaped.txt"}.get(kind, "x"))\n'
        '    if kind in ("sym", "hard"):\n'
        '        info.type = tarfile.SYMTYPE if kind == "sym" else tarfile.LNKTYPE\n'
        '        info.linkname = "/etc/passwd"\n'
        '    elif kind == "dev":\n'
        '        info.type = tarfile.CHRTYPE\n'
        '    data = b"" if info.type != tarfile.REGTYPE else b"pwned"\n'
        '    info.size = len(data)\n'
        '    tar.addfile(info, io.BytesIO(data))\n'
        'open(kind + ".tar", "wb").write(buf.getvalue())\n'
    )
    dest = tmp_path / 'dest'
    for kind in ('dotdot', 'abs', 'sym', 'hard', 'dev'):
        assert sb.exec(['python3', '-c', maker, kind]).exit_code == 0
        with pytest.raises(UnsafeArchiveError):
            safe_extract_tar(io.BytesIO(sb.read_file(f'{kind}.tar')), dest)
    assert list(tmp_path.rglob('*')) == [] and not Path('/tmp/escaped.txt').exists()


def test_copy_in_and_workspace_digest_track_changes(sb: DockerSandbox, tmp_path: Path) -> None:
    src = tmp_path / 'src'
    (src / 'pkg').mkdir(parents=True)
    (src / 'pkg' / 'mod.py').write_text('x = 1\n')
    (src / 'README').write_text('hello\n')
    (src / 'secret_link').symlink_to('/etc/shadow')
    assert sorted(sb.copy_in(src, 'repo')) == ['README', 'pkg/mod.py']
    before = sb.workspace_digest()
    assert set(before) == {'repo/README', 'repo/pkg/mod.py'} and all(v.startswith('sha256:') for v in before.values())
    sb.exec('cd repo && echo "x = 2" > pkg/mod.py && rm README && echo new > added.txt && ln -s pkg lnk')
    after = sb.workspace_digest()
    assert set(after) - set(before) == {'repo/added.txt', 'repo/lnk'} and after['repo/lnk'].startswith('symlink:')
    assert set(before) - set(after) == {'repo/README'}
    assert before['repo/pkg/mod.py'] != after['repo/pkg/mod.py']
    with pytest.raises(WorkspacePathError):
        sb.copy_in(src, '../outside')

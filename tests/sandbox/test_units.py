"""Unit tests that need no Docker engine: paths, config, archive safety, error translation, the executor bundle."""

from __future__ import annotations

import io
import json
import struct
import sys
import tarfile
from pathlib import Path

import pytest

from agentcore.sandbox import (
    ExecResult,
    Limit,
    SandboxConfig,
    SandboxConfigError,
    UnsafeArchiveError,
    WorkspacePathError,
    safe_extract_tar,
)
from agentcore.sandbox._boot import BOOTSTRAP, bundle
from agentcore.sandbox._docker_files import pack_host_path
from agentcore.sandbox._engine import translate
from agentcore.sandbox._paths import normalize


@pytest.mark.parametrize(
    ('path', 'expected'),
    [('a/b.txt', 'a/b.txt'), ('./a//b/', 'a/b'), ('.', '.'), ('', '.'), ('/workspace', '.'),
     ('/workspace/x/y', 'x/y'), ('dir/./f', 'dir/f')],
)  # fmt: skip
def test_normalize_accepts_workspace_paths(path: str, expected: str) -> None:
    assert normalize(path, '/workspace') == expected


@pytest.mark.parametrize('path', ['../x', 'a/../../x', 'a/..', '/etc/passwd', '/workspace2/x', '/', 'a\0b', '..'])
def test_normalize_refuses_escapes(path: str) -> None:
    with pytest.raises(WorkspacePathError) as info:
        normalize(path, '/workspace')
    assert isinstance(info.value, ValueError) and info.value.hint


def test_config_defaults_are_hardened() -> None:
    cfg = SandboxConfig()
    assert (cfg.network_mode, cfg.read_only_root, cfg.no_new_privileges, cfg.cap_add) == ('none', True, True, ())
    assert cfg.uid == 1000 and cfg.init and not cfg.allow_root and cfg.output_limit_bytes == 1 << 20


@pytest.mark.parametrize(
    'changes',
    [{'memory_mb': 10}, {'pids_limit': 0}, {'user': 'agent'}, {'user': '0:0'}, {'workdir': 'rel'},
     {'workdir': '/a/../b'}, {'env': {'A=B': 'x'}}, {'labels': {'agentcore.sandbox.owner': 'me'}},
     {'default_timeout_s': 10, 'max_timeout_s': 5}, {'cpus': True}],
)  # fmt: skip
def test_config_rejects_bad_values_with_one_line(changes: dict[str, object]) -> None:
    with pytest.raises(SandboxConfigError) as info:
        SandboxConfig(**changes)  # type: ignore[arg-type]
    assert '\n' not in str(info.value) and 'SandboxConfig' in str(info.value)


def test_config_root_needs_explicit_allow_and_with_checks_names() -> None:
    assert SandboxConfig(user='0:0', allow_root=True).uid == 0
    with pytest.raises(SandboxConfigError, match='memroy_mb'):
        SandboxConfig().with_(memroy_mb=5)


def _tar(*members: tuple[tarfile.TarInfo, bytes | None]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w') as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    buf.seek(0)
    return buf


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = '') -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


@pytest.mark.parametrize(
    ('member', 'reason'),
    [(_member('/etc/evil'), 'absolute'), (_member('../evil'), "'..'"), (_member('a/../../evil'), "'..'"),
     (_member('link', tarfile.SYMTYPE, '/etc/passwd'), 'symlink'),
     (_member('hl', tarfile.LNKTYPE, '/etc/passwd'), 'hardlink'),
     (_member('dev', tarfile.CHRTYPE), 'device'), (_member('blk', tarfile.BLKTYPE), 'device'),
     (_member('fifo', tarfile.FIFOTYPE), 'FIFO'), (_member('a\\..\\evil'), 'backslash')],
)  # fmt: skip
def test_hostile_tar_is_refused_and_nothing_written(tmp_path: Path, member: tarfile.TarInfo, reason: str) -> None:
    dest = tmp_path / 'dest'
    data = None if member.type in (tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.BLKTYPE,
                                   tarfile.FIFOTYPE) else b'pwned'  # fmt: skip
    archive = _tar((_member('ok.txt'), b'fine'), (member, data))
    with pytest.raises(UnsafeArchiveError, match=reason):
        safe_extract_tar(archive, dest)
    assert not dest.exists() and not (tmp_path / 'evil').exists()


def test_existing_symlink_in_destination_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / 'outside'
    outside.mkdir()
    dest = tmp_path / 'dest'
    dest.mkdir()
    (dest / 'sub').symlink_to(outside)
    (dest / 'file.txt').symlink_to(outside / 'target.txt')
    with pytest.raises(UnsafeArchiveError, match='not a directory'):
        safe_extract_tar(_tar((_member('sub/x.txt'), b'x')), dest)
    assert safe_extract_tar(_tar((_member('file.txt'), b'new')), dest) == ['file.txt']
    assert not (outside / 'target.txt').exists() and not (dest / 'file.txt').is_symlink()
    assert list(outside.iterdir()) == []


def test_safe_extract_limits_and_modes(tmp_path: Path) -> None:
    with pytest.raises(UnsafeArchiveError, match='more than 3 bytes'):
        safe_extract_tar(_tar((_member('a'), b'abcd')), tmp_path / 'x', max_bytes=3)
    exe = _member('bin/run.sh')
    exe.mode = 0o4755
    assert safe_extract_tar(_tar((exe, b'#!/bin/sh\n')), tmp_path / 'y') == ['bin/run.sh']
    assert (tmp_path / 'y' / 'bin' / 'run.sh').stat().st_mode & 0o7777 == 0o755
    with pytest.raises(UnsafeArchiveError, match='corrupt'):
        safe_extract_tar(io.BytesIO(b'not a tar' * 100), tmp_path / 'z')


def test_pack_host_path_skips_symlinks(tmp_path: Path) -> None:
    (tmp_path / 'src' / 'd').mkdir(parents=True)
    (tmp_path / 'src' / 'd' / 'f.txt').write_text('hi')
    (tmp_path / 'src' / 'escape').symlink_to('/etc/passwd')
    with tarfile.open(fileobj=io.BytesIO(pack_host_path(tmp_path / 'src', 1 << 20))) as tar:
        assert sorted(tar.getnames()) == ['d', 'd/f.txt']


def test_translate_engine_errors_to_typed_errors_with_hints() -> None:
    import docker.errors
    import requests

    message = "Error while fetching server API version: ('Connection aborted.', FileNotFoundError(2, 'No such file'))"
    down = translate(docker.errors.DockerException(message))
    assert type(down).__name__ == 'EngineUnavailableError' and 'systemctl start docker' in (down.hint or '')
    denied = translate(requests.exceptions.ConnectionError('Permission denied'))
    assert type(denied).__name__ == 'EnginePermissionError' and 'usermod -aG docker' in (denied.hint or '')


def test_exec_result_helpers() -> None:
    result = ExecResult(exit_code=0, stdout='a', stderr='b')
    assert result.ok and result.output == 'a\nb'
    assert not ExecResult(exit_code=0, stdout='', stderr='', limit=Limit.OUTPUT).ok


def test_executor_bundle_is_stdlib_only_and_compiles() -> None:
    blob = bundle(b'k' * 32)
    (size,) = struct.unpack('>I', blob[:4])
    parsed = json.loads(blob[4 : 4 + size])
    modules = parsed['modules']
    assert bytes.fromhex(parsed['key']) == b'k' * 32
    allowed = {'agentcore', '__future__'}
    for name, source in modules:
        compile(source, name, 'exec')
        for line in source.splitlines():
            words = line.split()
            if line.startswith(('import ', 'from ')) and len(words) > 1:
                top = words[1].split('.')[0]
                assert top in allowed or top in sys.stdlib_module_names, f'{name} imports {top}'
    assert modules[-1][0] == 'agentcore.sandbox._executor' and len(BOOTSTRAP) < 1000

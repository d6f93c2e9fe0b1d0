"""`FakeSandbox` against the `Sandbox` protocol: the same checks run on it and on a real `DockerSandbox`.

The Docker half is marked `docker` (it needs the engine and the `agentcore-sandbox` image); the fake half needs
nothing. Commands differ (the fake only plays scripted results), so the shared checks script the fake to answer the
few commands they run as the real shell does.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore.sandbox import (
    ExecResult,
    Sandbox,
    SandboxClosedError,
    SandboxFileError,
    SandboxFileNotFoundError,
    WorkspacePathError,
)
from agentcore.testing import FakeSandbox

SCRIPTED = {
    'echo hi': 'hi\n',
    'echo out; echo err >&2; exit 3': ExecResult(exit_code=3, stdout='out\n', stderr='err\n'),
    'pwd': '/workspace\n',
    'pwd; cat ../app.py': ExecResult(exit_code=0, stdout='/workspace/src\nprint(1)\n', stderr=''),
}


def _make(kind: str) -> Any:
    if kind == 'fake':
        return FakeSandbox(results=SCRIPTED)
    from agentcore.sandbox import DockerSandbox

    return DockerSandbox()


@pytest.fixture(scope='module', params=['fake', pytest.param('docker', marks=pytest.mark.docker)])
def kind_and_box(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
    box = _make(request.param)
    try:
        yield request.param, box
    finally:
        box.close()


@pytest.fixture
def box(kind_and_box: tuple[str, Any]) -> Any:
    kind_and_box[1].reset()
    return kind_and_box[1]


@pytest.fixture
def own_box(kind_and_box: tuple[str, Any]) -> Iterator[Any]:
    """A sandbox of its own, for tests that close it."""
    box = _make(kind_and_box[0])
    try:
        yield box
    finally:
        box.close()


def _sha(data: bytes) -> str:
    return 'sha256:' + hashlib.sha256(data).hexdigest()


def test_it_is_a_sandbox(box: Any) -> None:
    assert isinstance(box, Sandbox)


def test_write_read_round_trip(box: Any) -> None:
    box.write_file('src/app.py', 'print("hi")\n')
    box.write_file('/workspace/bin/run.sh', b'#!/bin/sh\necho ran\n', mode=0o755)
    box.write_file('./data.bin', bytes(range(256)) * 10)
    assert box.read_file('src/app.py') == b'print("hi")\n'
    assert box.read_file('/workspace/bin/run.sh') == b'#!/bin/sh\necho ran\n'
    assert box.read_file('data.bin') == bytes(range(256)) * 10
    box.write_file('src/app.py', 'replaced')
    assert box.read_file('src//app.py') == b'replaced'


def test_listing(box: Any) -> None:
    box.write_file('src/app.py', 'print("hi")\n')
    box.write_file('src/pkg/mod.py', '')
    box.write_file('run.sh', '#!/bin/sh\n', mode=0o755)
    top = box.list_files()
    assert [(f.path, f.kind) for f in top] == [('run.sh', 'file'), ('src', 'dir')]
    deep = {f.path: f for f in box.list_files('.', recursive=True)}
    assert list(deep) == ['run.sh', 'src', 'src/app.py', 'src/pkg', 'src/pkg/mod.py']
    assert (deep['run.sh'].mode, deep['src/app.py'].mode, deep['src/app.py'].size) == (0o755, 0o644, 12)
    assert deep['src/pkg'].kind == 'dir' and deep['src/pkg'].mode == 0o755
    assert [f.path for f in box.list_files('src')] == ['src/app.py', 'src/pkg']
    [single] = box.list_files('src/app.py')
    assert (single.path, single.kind, single.size) == ('src/app.py', 'file', 12)


@pytest.mark.parametrize('path', ['../etc/passwd', 'a/../../etc/passwd', '/etc/passwd', '/tmp/x', '..'])
def test_paths_leaving_the_workspace_are_refused(box: Any, path: str, tmp_path: Path) -> None:
    for operation in (lambda: box.read_file(path), lambda: box.write_file(path, 'x'), lambda: box.list_files(path),
                      lambda: box.copy_out(path, tmp_path), lambda: box.copy_in(tmp_path, path),
                      lambda: box.exec('true', cwd=path)):  # fmt: skip
        with pytest.raises(WorkspacePathError) as info:
            operation()
        assert isinstance(info.value, ValueError) and info.value.hint
    assert list(tmp_path.iterdir()) == []


def test_missing_paths(box: Any, tmp_path: Path) -> None:
    for operation in (lambda: box.read_file('missing.txt'), lambda: box.list_files('missing'),
                      lambda: box.copy_out('missing', tmp_path), lambda: box.exec('true', cwd='missing')):  # fmt: skip
        with pytest.raises(SandboxFileNotFoundError) as info:
            operation()
        assert isinstance(info.value, FileNotFoundError)
    with pytest.raises(FileNotFoundError):
        box.copy_in(tmp_path / 'nope')


def test_directories_are_not_files(box: Any) -> None:
    box.write_file('src/app.py', 'x')
    with pytest.raises(SandboxFileError, match='not a regular file'):
        box.read_file('src')
    with pytest.raises(SandboxFileError):
        box.write_file('src', 'x')
    with pytest.raises(WorkspacePathError):
        box.write_file('.', 'x')


def test_workspace_digest_tracks_files(box: Any) -> None:
    assert box.workspace_digest() == {}
    box.write_file('a.txt', 'A')
    box.write_file('pkg/b.txt', b'B')
    assert box.workspace_digest() == {'a.txt': _sha(b'A'), 'pkg/b.txt': _sha(b'B')}
    box.write_file('a.txt', 'changed')
    assert box.workspace_digest()['a.txt'] == _sha(b'changed')


def test_copy_in_and_copy_out(box: Any, tmp_path: Path) -> None:
    src = tmp_path / 'src'
    (src / 'pkg').mkdir(parents=True)
    (src / 'pkg' / 'mod.py').write_text('x = 1\n')
    (src / 'README').write_text('hello\n')
    (src / 'secret_link').symlink_to('/etc/shadow')
    assert sorted(box.copy_in(src, 'repo')) == ['README', 'pkg/mod.py']
    assert box.read_file('repo/pkg/mod.py') == b'x = 1\n'
    assert box.copy_in(src / 'README') == ['README']
    assert set(box.workspace_digest()) == {'README', 'repo/README', 'repo/pkg/mod.py'}
    out = tmp_path / 'out'
    assert sorted(box.copy_out('repo', out)) == ['README', 'pkg/mod.py']
    assert (out / 'pkg' / 'mod.py').read_text() == 'x = 1\n' and (out / 'README').read_text() == 'hello\n'
    assert box.copy_out('repo/pkg/mod.py', tmp_path / 'single') == ['mod.py']
    assert (tmp_path / 'single' / 'mod.py').read_text() == 'x = 1\n'


def test_reset_empties_the_workspace(box: Any) -> None:
    box.write_file('a/b.txt', 'x')
    box.reset()
    assert box.list_files() == [] and box.workspace_digest() == {}


def test_exec_results_and_streaming(box: Any) -> None:
    assert box.exec('echo hi').stdout == 'hi\n'
    seen: list[tuple[str, str]] = []
    result = box.exec(['/bin/sh', '-c', 'echo out; echo err >&2; exit 3'], on_output=lambda s, t: seen.append((s, t)))
    assert (result.exit_code, result.stdout, result.stderr, result.ok) == (3, 'out\n', 'err\n', False)
    assert ''.join(t for s, t in seen if s == 'stdout') == 'out\n' and ''.join(t for s, t in seen if s == 'stderr') == 'err\n'
    assert box.exec('pwd').stdout == '/workspace\n'
    box.write_file('app.py', 'print(1)\n')
    box.write_file('src/keep', '')
    assert box.exec('pwd; cat ../app.py', cwd='src').stdout == '/workspace/src\nprint(1)\n'


def test_exec_arguments_are_checked(box: Any) -> None:
    for bad in ([], ['echo', 'a\0b'], [1, 2]):
        with pytest.raises(ValueError, match='cmd'):
            box.exec(bad)
    with pytest.raises(ValueError, match='timeout_s'):
        box.exec('true', timeout_s=0)
    with pytest.raises(ValueError, match='env'):
        box.exec('true', env={'A=B': 'x'})


async def test_async_forms(box: Any, tmp_path: Path) -> None:
    await box.awrite_file('notes/a.txt', 'A')
    assert await box.aread_file('notes/a.txt') == b'A'
    assert [f.path for f in await box.alist_files('notes')] == ['notes/a.txt']
    assert await box.aworkspace_digest() == {'notes/a.txt': _sha(b'A')}
    assert (await box.aexec('echo hi')).stdout == 'hi\n'
    seen: list[str] = []
    await box.aexec('echo hi', on_output=lambda s, t: seen.append(t))
    assert ''.join(seen) == 'hi\n'
    assert await box.acopy_out('notes', tmp_path / 'out') == ['a.txt']
    assert await box.acopy_in(tmp_path / 'out', 'back') == ['a.txt']
    with pytest.raises(SandboxFileNotFoundError):
        await box.aread_file('nope')
    await box.areset()
    assert await box.aworkspace_digest() == {}


async def test_close_is_idempotent_and_final(own_box: Any, tmp_path: Path) -> None:
    own_box.write_file('a.txt', 'x')
    async with own_box:
        pass
    own_box.close()
    for operation in (lambda: own_box.exec('true'), lambda: own_box.read_file('a.txt'),
                      lambda: own_box.write_file('a.txt', 'y'), lambda: own_box.list_files(), own_box.workspace_digest,
                      lambda: own_box.copy_out('.', tmp_path), lambda: own_box.copy_in(tmp_path), own_box.reset):  # fmt: skip
        with pytest.raises(SandboxClosedError):
            operation()
    with pytest.raises(SandboxClosedError):
        await own_box.aexec('true')


def test_with_block_closes(own_box: Any) -> None:
    with own_box as inside:
        assert inside is own_box
    with pytest.raises(SandboxClosedError):
        own_box.read_file('x')


def test_parallel_async_calls(box: Any) -> None:
    async def many() -> list[bytes]:
        await asyncio.gather(*(box.awrite_file(f'f{i}.txt', str(i)) for i in range(20)))
        return list(await asyncio.gather(*(box.aread_file(f'f{i}.txt') for i in range(20))))

    assert asyncio.run(many()) == [str(i).encode() for i in range(20)]

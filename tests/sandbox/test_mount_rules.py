"""Real Docker: a policy's `sandbox.writable` is enforced by the kernel, so shell, Python subprocesses, symlinks and
the file tools cannot write outside the listed folders; the host still fills and restores read-only folders."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore.policy import Policy, PolicyFileError
from agentcore.sandbox import DockerSandbox, SandboxConfig, SandboxConfigError, SandboxFileError

from .conftest import small_config

pytestmark = pytest.mark.docker


def _seed(tmp: Path) -> Path:
    (tmp / 'src').mkdir(parents=True)
    (tmp / 'src' / 'app.py').write_text('print(1)\n')
    (tmp / 'out').mkdir()
    (tmp / 'out' / 'old.txt').write_text('old\n')
    (tmp / 'README').write_text('read me\n')
    return tmp


@pytest.fixture(scope='module')
def box(image: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerSandbox]:
    policy = Policy.from_dict({'sandbox': {'writable': ['out/']}})
    sandbox = DockerSandbox(small_config(writable_paths=policy.writable_paths))
    sandbox.copy_in(_seed(tmp_path_factory.mktemp('seed')), '.')
    yield sandbox
    sandbox.close()


def _run(box: DockerSandbox, command: str) -> Any:
    return box.exec(command)


def test_shell_writes_only_inside_the_writable_folder(box: DockerSandbox) -> None:
    denied = _run(box, 'echo x > a.txt')
    assert denied.exit_code != 0 and 'Permission denied' in denied.stderr
    ok = _run(box, 'echo x > out/a.txt && cat out/a.txt')
    assert ok.exit_code == 0 and ok.stdout == 'x\n'
    assert _run(box, 'echo y >> src/app.py').exit_code != 0
    assert _run(box, 'rm -rf src; rm -f README; mv out out2; chmod 777 .').exit_code != 0
    assert box.read_file('src/app.py') == b'print(1)\n' and box.read_file('README') == b'read me\n'


def test_a_symlink_in_the_writable_folder_does_not_make_its_target_writable(box: DockerSandbox) -> None:
    result = _run(box, 'ln -sfn .. out/up && echo x > out/up/a.txt')
    assert result.exit_code != 0 and 'Permission denied' in result.stderr
    assert _run(box, 'ln -sfn ../src out/s && echo x > out/s/app.py').exit_code != 0
    with pytest.raises(SandboxFileError, match='Permission denied') as info:
        box.write_file('out/up/b.txt', 'x')  # the executor follows the same kernel rule
    assert 'writable' in (info.value.hint or '')
    assert 'a.txt' not in {f.path for f in box.list_files('.')}


def test_python_and_its_subprocesses_cannot_get_around_it(box: DockerSandbox) -> None:
    sub = _run(box, """python3 -c "import subprocess; raise SystemExit(subprocess.run(['sh','-c','echo x > a.txt']).returncode)" """)
    assert sub.exit_code != 0 and 'Permission denied' in sub.stderr
    rmtree = _run(box, """python3 -c "import shutil; shutil.rmtree('src')" """)
    assert rmtree.exit_code != 0 and 'PermissionError' in rmtree.stderr
    assert box.read_file('src/app.py') == b'print(1)\n'


def test_write_file_outside_the_writable_folders_is_a_clear_error(box: DockerSandbox) -> None:
    with pytest.raises(SandboxFileError, match=r'Permission denied: a\.txt') as info:
        box.write_file('a.txt', 'x')
    assert 'writable' in (info.value.hint or '')
    box.write_file('out/new.txt', 'fine')
    assert box.read_file('out/new.txt') == b'fine'


def test_the_write_file_tool_reports_the_rule(box: DockerSandbox) -> None:
    from agentcore.tools import ToolContext, ToolError, builtin_tools

    tool = next(t for t in builtin_tools() if t.name == 'write_file')
    with pytest.raises(ToolError, match=r'Permission denied: a\.txt') as info:
        asyncio.run(tool.run({'path': 'a.txt', 'content': 'x'}, ToolContext(run_id='r', call_id='c', sandbox=box)))
    assert 'writable' in (info.value.hint or '')


def test_reset_and_restore_keep_read_only_folders_read_only(image: str, tmp_path: Path) -> None:
    from agentcore._workspace import capture, restore
    from agentcore.runstore import RunStore

    store = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')
    config = small_config(writable_paths=('out',))
    first = DockerSandbox(config)
    try:
        first.copy_in(_seed(tmp_path / 'seed'), '.')
        assert first.exec('echo new > out/made.txt').exit_code == 0
        snapshot = asyncio.run(capture(first, store.blobs))
    finally:
        first.close()
    second = DockerSandbox(config)
    try:
        done = asyncio.run(restore(second, store.blobs, snapshot))
        assert done.changed
        assert second.read_file('src/app.py') == b'print(1)\n' and second.read_file('out/made.txt') == b'new\n'
        assert second.exec('echo x > src/app.py').exit_code != 0  # restored read-only files stay read-only
        assert second.exec('echo x >> out/made.txt').exit_code == 0
        second.reset()  # the host wrote read-only files: reset replaces the container, so the workspace is empty
        assert {f.path for f in second.list_files('.', recursive=True)} == {'out'}
    finally:
        second.close()


@pytest.mark.parametrize(('value', 'expected'), [
    (['/etc'], "field sandbox.writable[0]: '/etc' is not a workspace-relative folder"),
    (['out', '../x'], "field sandbox.writable[1]: '../x' is not a workspace-relative folder"),
    (['.'], "field sandbox.writable[0]: '.' is not a workspace-relative folder"),
    ([1], 'field sandbox.writable[0]: wrong type'),
])  # fmt: skip
def test_the_policy_section_is_validated_in_one_line(value: Any, expected: str) -> None:
    with pytest.raises(PolicyFileError) as info:
        Policy.from_dict({'sandbox': {'writable': value}}, source='p.yaml')
    assert expected in str(info.value) and '\n' not in str(info.value)
    with pytest.raises(PolicyFileError, match="unknown field 'write'"):
        Policy.from_dict({'sandbox': {'write': ['out']}}, source='p.yaml')


def test_config_and_policy_agree_and_mismatches_are_named() -> None:
    policy = Policy.from_dict({'sandbox': {'writable': ['src/', 'out', 'out/sub']}})
    assert policy.writable_paths == ('out', 'src')
    with pytest.raises(SandboxConfigError, match='cannot be enforced'):
        SandboxConfig(writable_paths=('out',), cap_add=('DAC_OVERRIDE',))

    class Box:
        def __init__(self, config: SandboxConfig) -> None:
            self.config = config

    assert policy.sandbox_gap(Box(SandboxConfig(writable_paths=('out',)))) is None
    assert 'whole workspace' in (policy.sandbox_gap(Box(SandboxConfig())) or '')
    assert "['tmp']" in (policy.sandbox_gap(Box(SandboxConfig(writable_paths=('out', 'tmp')))) or '')


def test_the_cli_sandbox_follows_the_policy(image: str, tmp_path: Path) -> None:
    from agentcore.cli._build import _sandbox_if_needed
    from agentcore.tools import builtin_tools

    path = tmp_path / 'p.yaml'
    path.write_text('version: 1\nsandbox:\n  writable: [out]\n')
    sandbox = _sandbox_if_needed(builtin_tools(), str(path))
    assert sandbox is not None
    try:
        assert sandbox.config.writable_paths == ('out',)
        assert sandbox.exec('echo x > a.txt').exit_code != 0 and sandbox.exec('echo x > out/a').exit_code == 0
    finally:
        sandbox.close()

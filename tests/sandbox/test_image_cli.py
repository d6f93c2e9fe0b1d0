"""The image build, `agentcore sandbox doctor/build/prune/exec`, and one-line errors instead of tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentcore.sandbox import DockerSandbox, SandboxConfig, build_image
from agentcore.sandbox._image import BASE_REPO, IMAGE_VERSION, cache_dir, image_version

ROOT = Path(__file__).resolve().parents[2]


def agentcore(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI entry point in a subprocess."""
    import os

    command = [sys.executable, '-c', 'from agentcore.cli import main; main()', *args]
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=full_env, timeout=300)


def test_engine_down_is_one_line_with_the_fix() -> None:
    down = {'DOCKER_HOST': 'unix:///nonexistent/docker.sock'}
    doctor = agentcore('sandbox', 'doctor', '--json', env=down)
    engine = json.loads(doctor.stdout)['checks'][0]
    assert doctor.returncode == 1 and (engine['name'], engine['ok']) == ('engine', False)
    assert engine['fix'].startswith('start the Docker engine')
    prune = agentcore('sandbox', 'prune', env=down)
    assert prune.returncode == 1 and 'Traceback' not in prune.stderr
    assert prune.stderr.startswith('agentcore: error: the Docker engine is not reachable')
    assert prune.stderr.count('\n') == 1 and '(fix: start the Docker engine' in prune.stderr


@pytest.mark.docker
def test_missing_image_cli_error_and_doctor(image: str) -> None:
    run = agentcore('sandbox', 'exec', '--image', 'agentcore-sandbox:no-such-tag', 'true')
    assert run.returncode == 1 and 'Traceback' not in run.stderr and run.stderr.count('\n') == 1
    assert "sandbox image 'agentcore-sandbox:no-such-tag' is not present" in run.stderr
    assert '(fix: agentcore sandbox build)' in run.stderr
    doctor = agentcore('sandbox', 'doctor', '--image', 'agentcore-sandbox:no-such-tag', '--json')
    checks = {c['name']: c for c in json.loads(doctor.stdout)['checks']}
    assert doctor.returncode == 1 and not checks['image']['ok'] and checks['image']['fix'] == 'agentcore sandbox build'


@pytest.mark.docker
def test_doctor_all_ok_and_exec_passes_the_exit_status(image: str) -> None:
    doctor = agentcore('sandbox', 'doctor', '--json')
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    checks = {c['name']: c['ok'] for c in json.loads(doctor.stdout)['checks']}
    assert all(checks[name] for name in ('engine', 'limits', 'image', 'sandbox')), checks
    run = agentcore('sandbox', 'exec', '--', 'sh', '-c', 'echo from-sandbox; id -u; exit 7')
    assert (run.returncode, run.stdout) == (7, 'from-sandbox\n1000\n')


@pytest.mark.docker
def test_build_is_a_no_op_when_current(image: str, engine: Any) -> None:
    result = build_image(image, client=engine)
    assert result.method == 'existing' and result.seconds < 5 and image_version(engine, image) == IMAGE_VERSION
    cli = agentcore('sandbox', 'build', '-q')
    assert cli.returncode == 0 and 'is up to date' in cli.stdout


@pytest.mark.docker
@pytest.mark.slow
def test_offline_build_from_debian_packages(engine: Any) -> None:
    """The offline path end to end: rootfs tarball (cached, or debootstrapped) -> docker import -> Dockerfile."""
    tag = 'agentcore-sandbox:test-offline-build'
    for old in engine.api.images(name=BASE_REPO):
        for repo_tag in old.get('RepoTags') or []:
            engine.api.remove_image(repo_tag)  # force the import step; layers stay shared with the real image
    lines: list[str] = []
    try:
        result = build_image(tag, method='debootstrap', force=True, client=engine, log=lines.append)
        assert result.method == 'debootstrap' and result.base.startswith(BASE_REPO)
        assert any(line.startswith('importing rootfs-') for line in lines)
        assert list(cache_dir().glob('rootfs-bookworm-*.tar'))
        with DockerSandbox(SandboxConfig(image=tag)) as sb:
            probe = sb.exec(['python3', '-c', 'import venv, ensurepip, sqlite3, json, os; print(os.getuid())'])
            assert probe.stdout == '1000\n'
            assert sb.exec('ls --version | head -1').stdout.startswith('ls (GNU coreutils)')
    finally:
        engine.api.remove_image(tag)

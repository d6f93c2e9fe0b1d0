from __future__ import annotations

import pytest

from .conftest import Cli


@pytest.mark.docker
def test_sandbox_doctor_build_and_prune(cli: Cli) -> None:
    r = cli('sandbox', 'doctor', '--no-smoke')
    assert r.code == 0, r.out
    assert [line.split()[:2] for line in r.out.splitlines() if not line.startswith(' ')][:3] == [
        ['ok', 'engine'], ['ok', 'limits'], ['ok', 'image']]
    r = cli('sandbox', 'build', '--quiet')  # .ci/setup built it: nothing to do
    assert r.code == 0 and r.out.startswith('agentcore-sandbox:latest is up to date')
    r = cli('sandbox', 'prune', '--dry-run')
    assert r.code == 0 and r.out.startswith('would remove ')


@pytest.mark.docker
def test_sandbox_doctor_reports_a_missing_image_with_its_fix(cli: Cli) -> None:
    r = cli('sandbox', 'doctor', '--no-smoke', '--image', 'agentcore-no-such-image:0')
    assert r.code == 1
    assert any(line.startswith('FAIL  image') for line in r.out.splitlines()) and 'fix: ' in r.out


def test_sandbox_bad_input(cli: Cli) -> None:
    r = cli('sandbox', 'build', '--method', 'nope')
    assert r.code == 2 and "unknown method 'nope'; use auto, dockerfile or debootstrap" in r.error_line
    r = cli('sandbox', 'prune', '--everything')
    assert r.code == 2 and '--everything' in r.error_line
    r = cli('sandbox', 'exec', 'true', '--timeout', 'soon')
    assert r.code == 2 and '--timeout' in r.error_line

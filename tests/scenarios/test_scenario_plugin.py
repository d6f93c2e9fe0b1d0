from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.scenarios._helpers import ROOT, SHIPPED


def pytest_run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTEST_')}
    return subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-p', 'no:randomly', *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_pytest_collects_and_replays_the_scenarios_folder() -> None:
    proc = pytest_run('scenarios/', '--collect-only')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    collected = [line for line in proc.stdout.splitlines() if '.yaml::' in line]
    assert sorted(Path(line.split('::')[0]).name for line in collected) == sorted(
        p.name for p in SHIPPED.glob('*.yaml')
    )
    assert not any('scripts/' in line for line in collected)  # model scripts and policies are not scenarios
    proc = pytest_run('scenarios/')
    assert proc.returncode == 0, proc.stdout
    assert f'{len(collected)} passed' in proc.stdout


def test_failing_scenario_file_reports_the_divergence(tmp_path: Path) -> None:
    source = (SHIPPED / 'malformed-turn.yaml').read_text()
    bad = tmp_path / 'malformed-turn.yaml'
    bad.write_text(source.replace('equals: 6 times 7 is 42.', 'equals: 6 times 7 is 41.'))
    proc = pytest_run('-c', str(ROOT / 'pyproject.toml'), '--rootdir', str(ROOT), str(bad))
    assert proc.returncode == 1, proc.stdout
    assert f'FAIL {bad}' in proc.stdout and "output.equals: expected '6 times 7 is 41.'" in proc.stdout
    assert '1 failed' in proc.stdout

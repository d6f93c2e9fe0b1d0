"""`agentcore record` against a real server, then the server stopped, then `agentcore replay [--verify]` offline.

The test starts its own server (`.ci/services/llm.sh` on a free port), so that stopping it leaves the shared one
running; it is configured through `agentcore.toml` only.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from .conftest import MAX_TOKENS, MODEL, SCRIPT, SEED, Agentcore, free_port, port_open, settings_env, wait_until

pytestmark = [pytest.mark.llm, pytest.mark.docker, pytest.mark.slow]

TASK = 'Use the python tool to print the numbers 1 to 3.'


def _gone(pid: int) -> bool:
    try:
        state = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state in ('Z', 'X')  # exited; a zombie only waits for its parent (init) to reap it


@pytest.fixture
def own_server(llm_url: str, tmp_path: Path) -> Iterator[tuple[int, int]]:
    """A second server (port, pid) started by the service script, stopped at the end whatever happens."""
    port = free_port()
    run_dir = tmp_path / 'llm-server'
    done = subprocess.run(['bash', str(SCRIPT)], env={**os.environ, 'AGENTCORE_LLM_PORT': str(port),
                                                      'AGENTCORE_LLM_RUN_DIR': str(run_dir)},
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f'http://127.0.0.1:{port}', done.stdout
    pid = int((run_dir / 'server.pid').read_text())
    try:
        yield port, pid
    finally:
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_record_then_replay_offline_after_the_server_stopped(
        own_server: tuple[int, int], allow_model_requests: None, agentcore: Agentcore, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    port, pid = own_server
    for var in (*settings_env('').keys(), 'AGENTCORE_TOOL_CHOICE', 'AGENTCORE_API_KEY'):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / 'agentcore.toml').write_text(
        f'api_base = "http://127.0.0.1:{port}/v1"\napi_key = "sk-local"\ntool_choice = "python"\ntemperature = 0\n'
        f'seed = {SEED}\nmax_tokens = {MAX_TOKENS}\nmodel_retries = 0\n', encoding='utf-8')

    r = agentcore('record', 'gemma-loop', TASK, '--model', MODEL, '--tools', 'python,write_file', '--max-steps', '3',
                  '--out', 'gemma-loop.yaml', '--json')
    assert r.code == 0, r.err
    (run,) = r.json()['runs']
    assert run['status'] == 'stopped_by_budget' and run['steps'] == 3 and run['tool_calls'] >= 2, run
    scenario = yaml.safe_load((tmp_path / 'gemma-loop.yaml').read_text(encoding='utf-8'))
    assert scenario['config']['model'] == MODEL
    turns = scenario['runs'][0]['turns']
    assert sum(1 for t in turns if t['response']['tool_calls']) >= 2, turns

    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: _gone(pid) and not port_open(port), timeout=30, what=f'the server on port {port} to stop')
    assert not port_open(port)

    # Offline: the configured server is gone, and a model request would raise in the replaying process.
    offline = {'AGENTCORE_ALLOW_MODEL_REQUESTS': '0'}
    r = agentcore('replay', 'gemma-loop.yaml', '--json', env=offline)
    assert r.code == 0, r.out + r.err
    (result,) = r.json()['results']
    assert result['status'] == 'passed' and result['divergences'] == [], result
    r = agentcore('replay', 'gemma-loop.yaml', '--verify', '--json', env=offline)
    assert r.code == 0, r.out + r.err
    (result,) = r.json()['results']
    assert result['status'] == 'passed' and result['divergences'] == [], result

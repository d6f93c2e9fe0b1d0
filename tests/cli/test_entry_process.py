"""The `agentcore` process itself: litellm imported ahead only when a model will need it, and a quick exit that loses
nothing (output flushed, stores written, exit code kept)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

_PREFETCH = """
import sys
from agentcore.cli import _app
_app._prefetch_model_client(sys.argv[1:])
import agentcore._litellm as lit
print('PREFETCH', lit._prefetch is not None)
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(('AGENTCORE_', 'OPENAI_'))}
    return {**env, 'AGENTCORE_HOME': str(tmp_path / 'home'), 'LITELLM_LOCAL_MODEL_COST_MAP': 'True', 'NO_COLOR': '1'}


def _prefetched(tmp_path: Path, *argv: str, **env: str) -> bool:
    if env.get('AGENTCORE_CONFIG', '').startswith('TOML:'):
        config = tmp_path / 'agentcore.toml'
        config.write_text(env['AGENTCORE_CONFIG'].removeprefix('TOML:') + '\n', encoding='utf-8')
        env = {**env, 'AGENTCORE_CONFIG': str(config)}
    done = subprocess.run([sys.executable, '-c', _PREFETCH, *argv], env={**_env(tmp_path), **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.strip().endswith('True')


@pytest.mark.parametrize(('argv', 'env', 'expected'), [
    (['run', 'hi', '--model', 'openai/local'], {}, True),
    (['chat', '-m', 'anthropic/claude-sonnet-4-5'], {}, True),
    (['run', 'hi', '--model=ollama/llama3'], {}, True),
    (['run', 'hi'], {'AGENTCORE_MODEL': 'openai/local'}, True),
    (['run', 'hi', '--model', 'scripted:turns.yaml'], {}, False),
    (['run', 'hi'], {}, False),  # no model anywhere: the run fails on that, not on litellm
    (['run', 'hi'], {'AGENTCORE_CONFIG': 'TOML:model = "openai/local"'}, True),
    (['run', 'hi'], {'AGENTCORE_CONFIG': 'TOML:model = "scripted:turns.yaml"'}, False),
    (['run', 'hi'], {'AGENTCORE_CONFIG': 'TOML:model = ['}, False),  # invalid: reported by the settings later
    (['run', '--help', '--model', 'openai/local'], {}, False),
    (['replay', '--model', 'openai/local'], {}, False),
    (['runs', 'list'], {'AGENTCORE_MODEL': 'openai/local'}, False),
])
def test_litellm_is_imported_ahead_only_for_a_litellm_model(tmp_path: Path, argv: list[str], env: dict[str, str],
                                                            expected: bool) -> None:
    assert _prefetched(tmp_path, *argv, **env) is expected


def test_the_quick_exit_keeps_output_stores_and_exit_codes(tmp_path: Path) -> None:
    script = tmp_path / 'turns.yaml'
    script.write_text('turns:\n  - content: All done.\n', encoding='utf-8')
    env = _env(tmp_path)

    def agentcore(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, '-m', 'agentcore', *args], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=240, stdin=subprocess.DEVNULL)

    run = agentcore('run', 'Finish.', '--model', f'scripted:{script}', '--no-memory', '--json')
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)  # the whole JSON document reached the pipe
    assert result['status'] == 'completed' and result['output'] == 'All done.'
    shown = agentcore('runs', 'show', result['run_id'], '--json')  # the run store was written before the exit
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)['run']['status'] == 'completed'
    bad = agentcore('run', 'Finish.', '--model', f'scripted:{script}', '--max-steps', '0')
    assert bad.returncode == 2 and bad.stderr.startswith('agentcore: error: '), bad.stderr

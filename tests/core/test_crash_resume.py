"""A run SIGKILLed mid-way in a real subprocess resumes by run id, and no completed step runs again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name('_crashy_agent.py')


def _crash_at_step_3(log: Path, env: dict[str, str]) -> None:
    proc = subprocess.Popen([sys.executable, str(SCRIPT), 'run', 'crash-1'], env=env, stdout=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if log.exists() and log.read_text().split() == ['1', '2', '3']:
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail(f'the agent never reached step 3: {log.read_text() if log.exists() else "no log"}')
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def _resume(env: dict[str, str], mode: str = 'resume') -> list[str]:
    env['CRASHY_HANG'] = '0'
    out = subprocess.run([sys.executable, str(SCRIPT), mode, 'crash-1'], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1].split('|')


@pytest.mark.slow
def test_sigkilled_run_resumes_without_rerunning_completed_steps(tmp_path: Path, agentcore_home: Path) -> None:
    log = tmp_path / 'calls.log'
    env = {**os.environ, 'CRASHY_LOG': str(log), 'AGENTCORE_HOME': str(agentcore_home), 'CRASHY_HANG': '1',
           'CRASHY_EFFECTS': 'none'}
    _crash_at_step_3(log, env)
    status, output, steps, model_requests = _resume(env)
    assert (status, output, steps) == ('completed', 'all recorded', '4')
    # Steps 1 and 2 completed before the crash and were not run again; step 3 had not finished, so it ran again.
    assert log.read_text().split() == ['1', '2', '3', '3']
    # Only the model turn after step 3 was asked again.
    assert model_requests == '1'


@pytest.mark.slow
def test_interrupted_external_call_is_surfaced_not_retried_blindly(tmp_path: Path, agentcore_home: Path) -> None:
    log = tmp_path / 'calls.log'
    env = {**os.environ, 'CRASHY_LOG': str(log), 'AGENTCORE_HOME': str(agentcore_home), 'CRASHY_HANG': '1',
           'CRASHY_EFFECTS': 'external'}
    _crash_at_step_3(log, env)
    status, output, steps, _ = _resume(env)
    # Call 3 has external effects and may or may not have happened: the run asks instead of retrying it.
    assert (status, steps) == ('awaiting_approval', '3')
    assert log.read_text().split() == ['1', '2', '3']
    status, output, steps, _ = _resume(env, 'reject')
    assert (status, output) == ('completed', 'all recorded')
    # Rejected: not run again. Completed calls 1 and 2 never ran twice.
    assert log.read_text().split() == ['1', '2', '3']


def test_policy_file_decides_what_happens_to_interrupted_external_calls() -> None:
    from agentcore import Agent
    from agentcore.policy import Policy
    from agentcore.testing import ScriptedModel

    skip = Policy.from_dict({'version': 1, 'interrupted_external': 'skip'})
    assert Agent(model=ScriptedModel([]), policy=skip, checkpointer='memory')._rt.on_interrupted_external == 'skip'
    explicit = Agent(model=ScriptedModel([]), policy=skip, checkpointer='memory', on_interrupted_external='retry')
    assert explicit._rt.on_interrupted_external == 'retry'
    assert Agent(model=ScriptedModel([]), checkpointer='memory')._rt.on_interrupted_external == 'ask'

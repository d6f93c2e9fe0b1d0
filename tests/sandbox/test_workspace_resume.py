"""Real Docker, real processes: a run paused for approval by `agentcore run` and approved by `agentcore resume` in
another process continues in a new container holding the files its completed steps wrote (modes and empty
directories included); a fork at a step gets that step's files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.docker

POLICY = """version: 1
default: allow
rules:
  - tool: read_file
    action: ask
    reason: reading needs a human
"""


def _shell(command: str) -> dict[str, Any]:
    return {'tool_calls': [{'name': 'shell', 'arguments': {'command': command}}]}


TURNS = [
    _shell('mkdir -p out/empty && echo one > out/a.sh && chmod 755 out/a.sh && echo two > out/b.txt'),
    _shell('echo three >> out/b.txt'),
    {'tool_calls': [{'name': 'read_file', 'arguments': {'path': 'out/b.txt'}}]},  # asks: the run pauses here
    _shell('ls -l out/a.sh && ls -d out/empty && cat out/b.txt'),
    {'content': 'done'},
]


def _agentcore(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, 'NO_COLOR': '1', 'COLUMNS': '200'}
    return subprocess.run([sys.executable, '-m', 'agentcore', *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=240)


def _calls(tmp_path: Path, run_id: str) -> list[dict[str, Any]]:
    shown = _agentcore(tmp_path, 'runs', 'show', run_id, '--json')
    assert shown.returncode == 0, shown.stderr
    return list(json.loads(shown.stdout)['tool_calls'])


def test_approve_in_another_process_sees_the_files_of_earlier_steps(tmp_path: Path) -> None:
    (tmp_path / 'policy.yaml').write_text(POLICY, encoding='utf-8')
    (tmp_path / 'm.yaml').write_text(yaml.safe_dump({'turns': TURNS}), encoding='utf-8')
    paused = _agentcore(tmp_path, 'run', 'write then read', '--model', f'scripted:{tmp_path / "m.yaml"}',
                        '--tools', 'shell', '--tools', 'read_file', '--policy', 'policy.yaml', '--no-memory', '--json')
    assert paused.returncode == 0, paused.stderr
    run = json.loads(paused.stdout)
    assert run['status'] == 'awaiting_approval', run

    done = _agentcore(tmp_path, 'resume', run['run_id'], '--approve', '--json')
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result['status'], result['output']) == ('completed', 'done'), result
    read, listed = (c['content'] for c in _calls(tmp_path, run['run_id'])[-2:])
    assert 'two\nthree' in read  # both earlier steps' writes, in a container that did not exist when they ran
    assert '-rwxr-xr-x' in listed and 'out/empty' in listed  # modes and empty directories came back too

    # Fork at step 1: the first step's files only, in yet another process and container.
    fork = _agentcore(tmp_path, 'runs', 'fork', run['run_id'], '--at', '1', '--json')
    assert fork.returncode == 0, fork.stderr
    forked = json.loads(fork.stdout)
    assert forked['run_id'] != run['run_id'] and forked['status'] == 'awaiting_approval', forked
    again = _agentcore(tmp_path, 'resume', forked['run_id'], '--approve', '--json')
    assert again.returncode == 0 and json.loads(again.stdout)['status'] == 'completed', again.stderr
    calls = _calls(tmp_path, forked['run_id'])
    assert [json.loads(c['arguments_json']) for c in calls] == [t['tool_calls'][0]['arguments'] for t in TURNS[1:4]]
    assert 'two\nthree\n' in calls[-1]['content'] and 'three\nthree' not in calls[-1]['content']

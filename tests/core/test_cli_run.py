"""`agentcore run --model scripted:...` and `agentcore runs list|show`, in a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
name: demo
turns:
  - tool_calls:
      - name: add
        arguments: {a: 20, b: 22}
  - content: The answer is 42.
"""

TOOLS_MODULE = '''
from agentcore.tools import tool


@tool(side_effects='none')
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: first addend.
        b: second addend.
    """
    return a + b
'''


def _agentcore(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, 'AGENTCORE_HOME': str(home), 'PYTHONPATH': str(cwd)}
    return subprocess.run([sys.executable, '-m', 'agentcore', *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / 'script.yaml').write_text(SCRIPT)
    (tmp_path / 'mytools.py').write_text(TOOLS_MODULE)
    return tmp_path


def test_run_with_scripted_model_then_list_and_show(workdir: Path, agentcore_home: Path) -> None:
    out = _agentcore('run', 'what is 20 + 22?', '--model', 'scripted:script.yaml', '--tools', 'mytools:add',
                     '--json', cwd=workdir, home=agentcore_home)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert (result['status'], result['output'], result['steps']) == ('completed', 'The answer is 42.', 2)

    listed = _agentcore('runs', 'list', '--json', cwd=workdir, home=agentcore_home)
    assert listed.returncode == 0, listed.stderr
    assert [r['run_id'] for r in json.loads(listed.stdout)] == [result['run_id']]

    shown = _agentcore('runs', 'show', result['run_id'], '--json', cwd=workdir, home=agentcore_home)
    detail = json.loads(shown.stdout)
    assert detail['run']['status'] == 'completed'
    assert [c['tool'] for c in detail['tool_calls']] == ['add']
    assert detail['tool_calls'][0]['content'].count('42') == 1

    human = _agentcore('runs', 'show', result['run_id'], cwd=workdir, home=agentcore_home)
    assert 'tool_call_started' in human.stdout and 'The answer is 42.' in human.stdout


def test_run_without_model_is_one_line_error(workdir: Path, agentcore_home: Path) -> None:
    out = _agentcore('run', 'anything', cwd=workdir, home=agentcore_home)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and 'no model configured' in lines[0] and 'AGENTCORE_MODEL' in lines[0]
    assert 'Traceback' not in out.stderr


@pytest.mark.parametrize(
    ('content', 'expected'),
    [
        ('turns: [{tool_calls: [{name: add, arguments: {a: 1}, bogus: 1}]}]', 'turns.0.tool_calls.0.bogus'),
        ('turns: [\n  - {content: "x"\n', 'not valid YAML'),
    ],
)
def test_bad_script_file_is_one_line_error(workdir: Path, agentcore_home: Path, content: str, expected: str) -> None:
    (workdir / 'bad.yaml').write_text(content)
    out = _agentcore('run', 'x', '--model', 'scripted:bad.yaml', cwd=workdir, home=agentcore_home)
    assert out.returncode == 2
    assert 'bad.yaml' in out.stderr and expected in out.stderr and 'Traceback' not in out.stderr


def test_missing_script_file_and_unknown_tool_and_unknown_run(workdir: Path, agentcore_home: Path) -> None:
    out = _agentcore('run', 'x', '--model', 'scripted:nope.yaml', cwd=workdir, home=agentcore_home)
    assert out.returncode == 2 and 'nope.yaml' in out.stderr and 'cannot read' in out.stderr
    out = _agentcore('run', 'x', '--model', 'scripted:script.yaml', '--tools', 'frobnicate', cwd=workdir,
                     home=agentcore_home)
    assert out.returncode == 2 and 'frobnicate' in out.stderr and 'unknown tool' in out.stderr
    out = _agentcore('runs', 'show', 'no-such-run', cwd=workdir, home=agentcore_home)
    assert out.returncode == 2 and "no run 'no-such-run'" in out.stderr


def test_scripted_model_json_file(tmp_path: Path) -> None:
    from agentcore.testing import ScriptedModel

    path = tmp_path / 's.json'
    path.write_text(json.dumps({'turns': [{'content': 'hi'}]}))
    model = ScriptedModel.from_file(path)
    assert model.name == 'scripted:s.json' and model.turns[0].content == 'hi'


def test_cli_runs_remember_and_recall_with_the_local_store(workdir: Path, agentcore_home: Path) -> None:
    first = _agentcore('run', 'what is 20 + 22?', '--model', 'scripted:script.yaml', '--tools', 'mytools:add',
                       '--json', cwd=workdir, home=agentcore_home)
    assert first.returncode == 0, first.stderr
    (workdir / 'again.yaml').write_text('turns: [{content: "42 again"}]\n')
    second = _agentcore('run', 'what is 20 + 22 again?', '--model', 'scripted:again.yaml', '--json', cwd=workdir,
                        home=agentcore_home)
    run_id = json.loads(second.stdout)['run_id']
    shown = json.loads(_agentcore('runs', 'show', run_id, '--json', cwd=workdir, home=agentcore_home).stdout)
    recalled = [e for e in shown['events'] if e['type'] == 'memory_recalled']
    assert recalled and recalled[0]['backend'] == 'local'
    assert recalled[0]['episodes'][0]['run_id'] == json.loads(first.stdout)['run_id']
    listed = _agentcore('memory', 'list', '--json', cwd=workdir, home=agentcore_home)
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 2


def test_a_corrupt_checkpoint_file_is_one_line_naming_the_file(workdir: Path, agentcore_home: Path) -> None:
    agentcore_home.mkdir(parents=True, exist_ok=True)
    broken = agentcore_home / 'checkpoints.sqlite'
    broken.write_bytes(b'not sqlite at all ' * 200)
    out = _agentcore('run', 'hi', '--model', 'scripted:script.yaml', '--tools', 'mytools:add', cwd=workdir,
                     home=agentcore_home)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and 'Traceback' not in out.stderr, out.stderr
    assert str(broken) in lines[0] and 'not a database' in lines[0]
    assert broken.read_bytes() == b'not sqlite at all ' * 200  # the file is reported, never overwritten

"""The audit trail of a real run, verified through `agentcore runs audit --verify`, and tampering detected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from agentcore import Agent
from agentcore.testing import ScriptedModel
from agentcore.tools import tool


@tool(side_effects='none')
def lookup(key: str) -> str:
    """Look a key up.

    Args:
        key: the key.
    """
    return f'value of {key}; token sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD'


def _audit(run_id: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, 'AGENTCORE_HOME': str(home)}
    return subprocess.run([sys.executable, '-m', 'agentcore', 'runs', 'audit', run_id, '--verify', '--json'],
                          env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def run_id(agentcore_home: Path) -> str:
    turns = [{'tool_calls': [{'name': 'lookup', 'arguments': {'key': 'a'}}, {'name': 'lookup', 'arguments': {'key': 'b'}}]},
             'the values are known']
    result = Agent(model=ScriptedModel(turns), tools=[lookup], checkpointer='memory').run('look up a and b')
    assert result.status == 'completed'
    return result.run_id


def _db(home: Path) -> object:
    return create_engine(f'sqlite:///{home / "runs.sqlite"}')


def test_intact_trail_verifies_and_holds_no_secrets(run_id: str, agentcore_home: Path) -> None:
    out = _audit(run_id, agentcore_home)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    kinds = [r['kind'] for r in report['records']]
    assert kinds.count('policy_decision') == 2 and kinds.count('tool_execution') == 2
    assert report['verify']['ok'] is True
    assert 'sk-proj-' not in out.stdout


@pytest.mark.parametrize(
    ('tamper', 'expected'),
    [
        ("UPDATE audit_log SET payload = replace(payload, 'lookup', 'LOOKUP') WHERE seq = 1", 'edited'),
        ('DELETE FROM audit_log WHERE seq = 1', 'deleted'),
        ('UPDATE audit_log SET seq = CASE seq WHEN 1 THEN 2 WHEN 2 THEN 1 END WHERE seq IN (1, 2)', 'reordered'),
        ('DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)', 'removed'),
    ],
    ids=['edited', 'deleted', 'reordered', 'truncated'],
)
def test_tampering_is_reported_with_first_broken_link(run_id: str, agentcore_home: Path, tamper: str,
                                                      expected: str) -> None:
    engine = _db(agentcore_home)
    with engine.begin() as conn:  # type: ignore[attr-defined]
        if 'CASE' in tamper:  # the unique (run_id, seq) index needs a two-step swap
            conn.execute(text('UPDATE audit_log SET seq = -1 WHERE seq = 1'))
            conn.execute(text('UPDATE audit_log SET seq = 1 WHERE seq = 2'))
            conn.execute(text('UPDATE audit_log SET seq = 2 WHERE seq = -1'))
        else:
            conn.execute(text(tamper))
    out = _audit(run_id, agentcore_home)
    assert out.returncode == 1
    report = json.loads(out.stdout)['verify']
    assert report['ok'] is False and report['first_broken'] is not None
    assert expected in report['reason']

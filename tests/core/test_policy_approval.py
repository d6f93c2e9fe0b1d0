"""Policy decisions and human approval through the graph: approve, edit, reject, abort; nothing runs twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agentcore import Agent
from agentcore.policy import Abort, Approve, Edit, Reject, args_hash, load_policy
from agentcore.testing import ScriptedModel
from agentcore.tools import tool

POLICY = """
version: 1
default: allow
rules:
  - tool: transfer
    action: ask
    when:
      amount: {min: 0, max: 1000}
  - tool: delete_everything
    action: deny
    reason: never
"""

executed: list[dict[str, Any]] = []


@tool
def transfer(account: str, amount: int) -> str:
    """Transfer money.

    Args:
        account: target account.
        amount: how much.
    """
    executed.append({'account': account, 'amount': amount})
    return f'sent {amount} to {account}'


@tool
def delete_everything() -> str:
    """Delete everything."""
    executed.append({'deleted': True})
    return 'deleted'


@pytest.fixture(autouse=True)
def _clear() -> None:
    executed.clear()


def _agent(tmp_path: Path, turns: list[Any]) -> tuple[Agent, ScriptedModel]:
    path = tmp_path / 'policy.yaml'
    path.write_text(POLICY)
    model = ScriptedModel(turns)
    return Agent(model=model, tools=[transfer, delete_everything], policy=load_policy(path),
                 checkpointer=tmp_path / 'ckpt.sqlite'), model


TRANSFER = {'tool_calls': [{'name': 'transfer', 'arguments': {'account': 'alice', 'amount': 50}}]}


def test_denied_tool_never_runs_and_model_is_told(tmp_path: Path) -> None:
    agent, model = _agent(tmp_path, [{'tool_calls': [{'name': 'delete_everything', 'arguments': {}}]}, 'ok'])
    result = agent.run('clean up')
    assert result.status == 'completed' and executed == []
    msg = model.requests[1].messages[-1].content
    assert 'denied by policy' in msg and 'never' in msg
    decisions = agent.store.policy_decisions(result.run_id)
    assert [(d.tool, d.action) for d in decisions] == [('delete_everything', 'deny')]


def test_ask_pauses_then_approve_runs_once(tmp_path: Path) -> None:
    agent, model = _agent(tmp_path, [TRANSFER, 'done'])
    paused = agent.run('pay alice')
    assert paused.status == 'awaiting_approval' and executed == []
    pending = paused.pending_approval
    assert pending is not None and pending['tool'] == 'transfer'
    assert pending['args_hash'] == args_hash('transfer', {'account': 'alice', 'amount': 50})
    result = agent.resume(paused.run_id, Approve())
    assert (result.status, result.output) == ('completed', 'done')
    assert executed == [{'account': 'alice', 'amount': 50}]
    # Resuming a finished run runs nothing again.
    assert agent.resume(paused.run_id).status == 'completed' and len(executed) == 1


def test_edit_is_rechecked_by_policy(tmp_path: Path) -> None:
    agent, model = _agent(tmp_path, [TRANSFER, 'done'])
    paused = agent.run('pay alice')
    result = agent.resume(paused.run_id, Edit(arguments={'account': 'alice', 'amount': 20}))
    assert result.status == 'completed' and executed == [{'account': 'alice', 'amount': 20}]

    executed.clear()
    agent, model = _agent(tmp_path, [TRANSFER, 'done'])
    paused = agent.run('pay alice')
    result = agent.resume(paused.run_id, Edit(arguments={'account': 'alice', 'amount': 5000}))
    assert result.status == 'completed' and executed == []  # the edit breaks `amount <= 1000`: denied
    assert 'denied by policy' in model.requests[-1].messages[-1].content


def test_reject_tells_the_model_why(tmp_path: Path) -> None:
    agent, model = _agent(tmp_path, [TRANSFER, 'fine, I will not'])
    paused = agent.run('pay alice')
    result = agent.resume(paused.run_id, Reject(reason='alice is not a customer'))
    assert (result.status, result.output) == ('completed', 'fine, I will not') and executed == []
    assert 'alice is not a customer' in model.requests[-1].messages[-1].content


def test_abort_stops_the_run(tmp_path: Path) -> None:
    agent, _ = _agent(tmp_path, [TRANSFER, 'never'])
    paused = agent.run('pay alice')
    result = agent.resume(paused.run_id, Abort(reason='stop'))
    assert result.status == 'denied' and executed == []
    assert result.stop_reason is not None and 'stop' in result.stop_reason


def test_approval_for_other_arguments_does_not_carry_over(tmp_path: Path) -> None:
    agent, model = _agent(tmp_path, [TRANSFER, 'done'])
    paused = agent.run('pay alice')
    stale = {'kind': 'approve', 'args_hash': args_hash('transfer', {'account': 'mallory', 'amount': 50})}
    result = agent.resume(paused.run_id, stale)
    assert result.status == 'completed' and executed == []
    assert 'different call' in model.requests[-1].messages[-1].content


def test_resume_without_decision_is_a_clear_error(tmp_path: Path) -> None:
    agent, _ = _agent(tmp_path, [TRANSFER, 'done'])
    paused = agent.run('pay alice')
    with pytest.raises(ValueError, match='waiting for approval'):
        agent.resume(paused.run_id)


def test_approver_decides_without_pausing(tmp_path: Path) -> None:
    class Always:
        async def decide(self, request: Any) -> Any:
            assert request.tool_name == 'transfer'
            return Approve()

    path = tmp_path / 'policy.yaml'
    path.write_text(POLICY)
    agent = Agent(model=ScriptedModel([TRANSFER, 'done']), tools=[transfer], policy=load_policy(path),
                  approver=Always(), checkpointer='memory')
    result = agent.run('pay alice')
    assert result.status == 'completed' and executed == [{'account': 'alice', 'amount': 50}]

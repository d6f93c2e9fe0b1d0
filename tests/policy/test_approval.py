from __future__ import annotations

import io
import json

import pytest

from agentcore.policy import (
    Abort,
    ApprovalError,
    ApprovalRequest,
    Approve,
    Approver,
    CLIApprover,
    Edit,
    Policy,
    Reject,
    ScriptedApprover,
    args_hash,
    check_edit,
    decision_to_dict,
    parse_decision,
    validate_decision,
)


def _request(arguments: dict[str, object] | None = None) -> ApprovalRequest:
    policy = Policy.from_dict({'rules': [{'tool': 'shell', 'action': 'ask', 'when': {'timeout': {'max': 60}}}]})
    args = arguments if arguments is not None else {'command': 'rm -rf build', 'timeout': 30}
    return ApprovalRequest.for_call('call_1', 'shell', args, policy.evaluate('shell', args))


@pytest.mark.parametrize(
    'decision',
    [
        Approve(),
        Approve(call_id='c1', args_hash='ab' * 32),
        Edit(arguments={'command': 'ls', 'n': [1, 2]}),
        Reject(reason='too risky'),
        Abort(),
    ],
)
def test_decisions_round_trip_through_plain_dicts(decision: Approve | Edit | Reject | Abort) -> None:
    data = decision_to_dict(decision)
    assert json.loads(json.dumps(data)) == data
    assert data['kind'] == decision.kind
    assert parse_decision(data) == decision
    assert parse_decision(json.loads(json.dumps(data))) == decision


def test_parse_decision_rejects_garbage() -> None:
    with pytest.raises(ApprovalError, match='invalid approval decision'):
        parse_decision({'kind': 'maybe'})
    with pytest.raises(ApprovalError):
        parse_decision({'kind': 'edit'})
    with pytest.raises(ApprovalError):
        parse_decision({'kind': 'approve', 'extra': 1})


def test_request_is_bound_to_exact_call() -> None:
    req = _request()
    assert req.args_hash == args_hash('shell', {'command': 'rm -rf build', 'timeout': 30})
    assert req.rule == 'rules[0] (shell: ask)'
    assert req.matches('shell', {'timeout': 30, 'command': 'rm -rf build'})
    assert not req.matches('shell', {'command': 'rm -rf /', 'timeout': 30})
    assert not req.matches('bash', {'command': 'rm -rf build', 'timeout': 30})
    assert ApprovalRequest.model_validate(req.model_dump(mode='json')) == req


def test_validate_decision() -> None:
    req = _request()
    assert validate_decision(req, {'kind': 'approve'}) == Approve()
    tampered = req.model_copy(update={'arguments': {'command': 'rm -rf /', 'timeout': 30}})
    with pytest.raises(ApprovalError, match='does not match its arguments'):
        validate_decision(tampered, Approve())
    bound = Approve(call_id='call_1', args_hash=req.args_hash)
    assert validate_decision(req, decision_to_dict(bound)) == bound
    with pytest.raises(ApprovalError, match='another call'):
        validate_decision(req, {'kind': 'approve', 'args_hash': args_hash('shell', {'command': 'rm -rf /'})})
    with pytest.raises(ApprovalError, match='another call'):
        validate_decision(req, Reject(call_id='call_2'))
    with pytest.raises(ApprovalError, match='edited arguments'):
        validate_decision(req, Edit(arguments={'x': float('inf')}))


def test_check_edit_rechecks_policy() -> None:
    policy = Policy.from_dict({'rules': [{'tool': 'shell', 'action': 'ask', 'when': {'timeout': {'max': 60}}}]})
    req = _request()
    ok = check_edit(policy, req, Edit(arguments={'command': 'ls', 'timeout': 10}))
    assert ok.action == 'allow'
    bad = check_edit(policy, req, Edit(arguments={'command': 'ls', 'timeout': 999}))
    assert bad.action == 'deny'
    assert "max constraint on argument 'timeout'" in bad.reason


async def _cli(script: str) -> tuple[Approve | Edit | Reject | Abort, str]:
    out = io.StringIO()
    approver = CLIApprover(input=io.StringIO(script), output=out)
    assert isinstance(approver, Approver)
    decision = await approver.decide(_request())
    return decision, out.getvalue()


async def test_cli_approver_approve_shows_request() -> None:
    decision, shown = await _cli('a\n')
    assert decision == Approve()
    assert 'shell' in shown and 'rm -rf build' in shown and 'rules[0] (shell: ask)' in shown


async def test_cli_approver_reject_with_reason_and_default() -> None:
    assert (await _cli('r\nnot now\n'))[0] == Reject(reason='not now')
    assert (await _cli('no\n\n'))[0] == Reject()


async def test_cli_approver_edit_retries_bad_json() -> None:
    decision, shown = await _cli('e\n{bad json\ne\n[1]\nedit\n{"command": "ls", "timeout": 5}\n')
    assert decision == Edit(arguments={'command': 'ls', 'timeout': 5})
    assert 'not JSON' in shown and 'must be a JSON object' in shown


async def test_cli_approver_abort_eof_and_nonsense() -> None:
    assert (await _cli('q\n'))[0] == Abort()
    eof = (await _cli(''))[0]
    assert isinstance(eof, Abort) and 'end of input' in eof.reason
    nonsense, shown = await _cli('what\nhuh\n?\n')
    assert isinstance(nonsense, Reject) and 'no usable answer' in nonsense.reason
    assert "unknown answer 'what'" in shown


async def test_scripted_approver() -> None:
    approver = ScriptedApprover([{'kind': 'approve'}, Reject(reason='no')])
    assert await approver.decide(_request()) == Approve()
    assert await approver.decide(_request()) == Reject(reason='no')
    with pytest.raises(ApprovalError, match='no decision left'):
        await approver.decide(_request())
    assert len(approver.requests) == 3

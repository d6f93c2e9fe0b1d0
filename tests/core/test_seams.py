"""The library's contract with its users: one exception root, what `policy=None` means, typed decisions."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agentcore import Agent, AgentcoreError
from agentcore.policy import Abort, ApprovalError, Approve, Edit, Policy, Reject
from agentcore.runstore import RunStore
from agentcore.testing import ScriptedCall, ScriptedModel, ScriptedTurn
from agentcore.tools import ToolContext, ToolError
from tests._tools import add
from tests.test_public_api import PUBLIC_API

ROOT = Path(__file__).resolve().parents[2]


def _public_errors() -> list[tuple[str, type[BaseException]]]:
    found = []
    for module in PUBLIC_API:
        mod = importlib.import_module(module)
        for name in mod.__all__:
            value = getattr(mod, name)
            if inspect.isclass(value) and issubclass(value, BaseException):
                found.append((f'{module}.{name}', value))
    return found


def test_every_public_error_derives_from_the_one_root() -> None:
    errors = _public_errors()
    assert len(errors) > 30  # every package's errors are in the list, not just a few
    strays = [name for name, cls in errors if not issubclass(cls, AgentcoreError)]
    assert strays == []


def test_the_root_keeps_hint_and_standard_bases() -> None:
    from agentcore import ConfigError
    from agentcore.runstore import RunNotFoundError
    from agentcore.sandbox import SandboxFileNotFoundError

    err = ConfigError('bad', hint='fix it')
    assert isinstance(err, AgentcoreError) and isinstance(err, ValueError) and err.hint == 'fix it'
    missing = RunNotFoundError('r1')
    assert isinstance(missing, LookupError) and missing.hint == 'list runs with `agentcore runs list`'
    assert issubclass(SandboxFileNotFoundError, FileNotFoundError)
    assert AgentcoreError('plain').hint is None


def test_sandbox_errors_inside_the_container_share_the_root() -> None:
    """The executor's error module is shipped into the container together with the root it derives from."""
    import json
    import struct

    from agentcore.sandbox._boot import bundle

    blob = bundle(b'k' * 32)
    (size,) = struct.unpack('>I', blob[:4])
    names = [name for name, _ in json.loads(blob[4: 4 + size])['modules']]
    assert names.index('agentcore._errors') < names.index('agentcore.sandbox._errors')


def _agent(turns: list[ScriptedTurn], **kwargs: object) -> Agent:
    return Agent(model=ScriptedModel(turns), tools=[add], store=RunStore('sqlite://'), checkpointer=InMemorySaver(),
                 **kwargs)  # type: ignore[arg-type]


def test_policy_none_is_the_default_policy_and_allow_all_is_explicit() -> None:
    default = _agent([]).policy
    explicit = Policy.allow_all()
    assert default.source == '<default>' and explicit.source == '<allow_all>'
    expected = {('read_file', 'none'): 'allow', ('write_file', 'sandbox'): 'allow', ('post', 'external'): 'ask',
                ('mcp__x__y', 'none'): 'deny'}
    for (tool, side_effects), action in expected.items():
        assert default.evaluate(tool, {}, side_effects=side_effects).action == action
        assert explicit.evaluate(tool, {}, side_effects=side_effects).action == 'allow'
    assert default.evaluate('memory_save', {}, side_effects='external', untrusted=['tool:x#1']).action == 'ask'
    for host in ('example.org', 'pypi.org', '127.0.0.1'):
        assert default.allows_domain(host) is explicit.allows_domain(host) is False
    assert default.budget is explicit.budget is None


async def test_http_fetch_without_a_policy_reaches_no_host() -> None:
    from agentcore.tools import HttpFetchTool

    ctx = ToolContext(run_id='r', call_id='c', policy=_agent([]).policy)
    with pytest.raises(ToolError, match='not allowed by the policy'):
        await HttpFetchTool().run({'url': 'http://127.0.0.1:9/x'}, ctx)


def _asking_agent() -> Agent:
    policy = Policy.from_dict({'rules': [{'tool': 'add', 'action': 'ask'}]})
    turns = [ScriptedTurn(tool_calls=[ScriptedCall(name='add', arguments={'a': 2, 'b': 3})]), ScriptedTurn(content='done')]
    return _agent(turns, policy=policy)


@pytest.mark.parametrize(('decision', 'status', 'tool_result'), [
    (Approve(), 'completed', '\n5\n'),
    (Edit(arguments={'a': 10, 'b': 1}), 'completed', '\n11\n'),
    (Reject(reason='not now'), 'completed', 'the approver rejected this call: not now'),
    (Abort(reason='stop'), 'denied', None),
])
async def test_resume_takes_the_typed_decision_union(
    decision: Approve | Edit | Reject | Abort, status: str, tool_result: str | None
) -> None:
    agent = _asking_agent()
    paused = await agent.arun('add', run_id='r1')
    assert paused.status == 'awaiting_approval' and paused.pending_approval is not None
    done = await agent.aresume('r1', decision)
    assert done.status == status
    results = [e for e in agent.store.events('r1') if e['type'] == 'tool_call_finished']
    assert len(results) == (1 if tool_result else 0)
    assert all(tool_result is not None and tool_result in e['content'] for e in results)
    resolved = [e for e in agent.store.events('r1') if e['type'] == 'approval_resolved']
    assert [e['decision'] for e in resolved] == [decision.kind]


async def test_resume_refuses_what_is_not_a_decision() -> None:
    agent = _asking_agent()
    await agent.arun('add', run_id='r1')
    with pytest.raises(ApprovalError, match='invalid approval decision'):
        await agent.aresume('r1', {'kind': 'maybe'})  # type: ignore[arg-type]


def test_no_seam_of_the_agent_or_its_run_context_is_typed_any() -> None:
    for path in ('agentcore/_agent.py', 'agentcore/_runtime.py'):
        text = (ROOT / path).read_text(encoding='utf-8')
        assert re.findall(r'^.*: Any\b.*$', text, flags=re.M) == [], path
    params = inspect.signature(Agent.__init__).parameters
    for name in ('sandbox', 'memory', 'policy', 'guardrails', 'approver', 'store', 'checkpointer', 'tools'):
        assert 'Any |' not in str(params[name].annotation) and str(params[name].annotation) != 'Any', name

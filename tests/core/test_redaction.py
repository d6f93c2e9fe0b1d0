"""Secrets and PII never reach the answer, the run store or the audit log."""

from __future__ import annotations

import json

from sqlalchemy import text

from agentcore import Agent
from agentcore.testing import ScriptedModel
from agentcore.tools import tool

KEY = 'sk-proj-Abcdefghijklmnopqrstuvwxyz0123456789XYZ'
EMAIL = 'jane.doe@example.com'


@tool(side_effects='none')
def fetch_config(name: str) -> str:
    """Read a configuration entry.

    Args:
        name: entry name.
    """
    return f'{name}: api_key={KEY} owner={EMAIL}'


@tool
def notify(address: str, body: str) -> str:
    """Send a notification.

    Args:
        address: recipient.
        body: message.
    """
    return 'sent'


def test_secrets_are_redacted_everywhere_they_are_kept() -> None:
    turns = [
        {'tool_calls': [{'name': 'fetch_config', 'arguments': {'name': 'openai'}}]},
        {'tool_calls': [{'name': 'notify', 'arguments': {'address': EMAIL, 'body': f'the key is {KEY}'}}]},
        f'Done. The key is {KEY}, owner {EMAIL}.',
    ]
    model = ScriptedModel(turns)
    agent = Agent(model=model, tools=[fetch_config, notify], checkpointer='memory')
    result = agent.run(f'find the key and mail it to {EMAIL}')
    assert result.status == 'completed'

    # The answer.
    assert result.output is not None and KEY not in result.output and EMAIL not in result.output
    assert '[REDACTED:' in result.output
    # What the model saw of the tool output.
    assert KEY not in model.requests[1].messages[-1].content

    # Everything in the run store and the audit log, read back raw from the database.
    dump: list[str] = []
    with agent.store.engine.connect() as conn:
        for table in ('runs', 'steps', 'tool_calls', 'policy_decisions', 'usage', 'audit_log'):
            rows = conn.execute(text(f'SELECT * FROM {table}')).fetchall()
            assert rows or table == 'policy_decisions', table
            dump.extend(json.dumps([str(v) for v in row]) for row in rows)
    stored = '\n'.join(dump)
    assert KEY not in stored
    assert EMAIL not in stored
    assert '[REDACTED:' in stored

"""Turning a finished run into an episode for episodic memory."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ._state import AgentState
from ._toolrun import DENIED, REJECTED


def episode_from_run(state: AgentState, *, redact: Callable[[Any], Any] = lambda v: v) -> Any:
    """A `agentcore.memory.Episode` summarising the run: the task, the tools it called, the outcome and the answer.

    Only calls that ran are listed (a denied or rejected call's arguments are never remembered); every text field
    passes through `redact` first, so secrets and PII never reach the memory store.
    """
    from agentcore.memory import Episode

    messages = state.get('messages', [])
    refused = {m.get('tool_call_id') for m in messages
               if m.get('role') == 'tool' and str(m.get('content', '')).startswith((DENIED, REJECTED))}
    calls: list[str] = []
    errors: list[str] = []
    for m in messages:
        for c in m.get('tool_calls') or []:
            if c.get('id') not in refused:
                calls.append(f'{c["name"]}({_short(c.get("arguments", ""))})')
        if m.get('role') == 'tool' and _is_error(str(m.get('content', ''))):
            errors.append(str(m.get('name')))
    status = state.get('status') or 'completed'
    outcome = 'completed' if status == 'running' else status
    output = (state.get('output') or state.get('stop_reason') or '')[:2000]
    lessons = f'tools that failed: {", ".join(sorted(set(errors)))}' if errors else ''
    return Episode(
        run_id=state['run_id'],
        namespace=state.get('namespace', 'default'),
        task=redact(state['task']),
        plan_summary=redact(output),
        steps_digest=redact('; '.join(calls)[:4000]),
        outcome=outcome,
        lessons=redact(lessons),
        tags=sorted({c.split('(')[0] for c in calls}),
    )


def _is_error(content: str) -> bool:
    # Tool output arrives wrapped in <untrusted-data ...> tags; errors start the wrapped text.
    body = content.split('>', 1)[1].lstrip() if content.startswith('<untrusted-data') else content
    return body.startswith('error:')


def _short(arguments: str, limit: int = 80) -> str:
    try:
        text = json.dumps(json.loads(arguments), sort_keys=True)
    except (json.JSONDecodeError, TypeError):
        text = str(arguments)
    return text if len(text) <= limit else text[: limit - 3] + '...'

"""A subprocess for the exactly-once and stuck-run tests: `python _effects_agent.py MODE RUN_ID`.

MODE: `run`, `resume`, or an approval decision kind (`approve`, `reject`) to resume with. The scripted model calls
`send` (external, idempotent: it honours its idempotency key, as a server would), then `charge` (external, not
idempotent), then answers. Each call appends `<tool> <n> <key>` to $EFFECTS_LOG, the host file the tests read.

$EFFECTS_HANG names a tool (`send` or `charge`) that, on its first attempt, writes its effect, prints a line and
hangs, after touching $EFFECTS_LOG.marker: the moment the tests SIGKILL the process. $EFFECTS_HANG=`create` makes the
process hang right after the run is created, before its first node runs.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from agentcore import Agent
from agentcore.policy import Policy
from agentcore.testing import ScriptedModel
from agentcore.tools import ToolContext, tool

LOG = Path(os.environ['EFFECTS_LOG'])
MARKER = LOG.with_name(LOG.name + '.marker')
HANG = os.environ.get('EFFECTS_HANG', '')


def _effect(name: str, n: int, ctx: ToolContext, *, dedupe: bool) -> str:
    lines = LOG.read_text().splitlines() if LOG.exists() else []
    if dedupe and any(line.endswith(f' {ctx.idempotency_key}') for line in lines):
        return f'{name} {n}: already applied'
    with LOG.open('a') as f:
        f.write(f'{name} {n} {ctx.idempotency_key}\n')
    if HANG == name and not MARKER.exists():
        if ctx.on_output is not None:
            ctx.on_output('stdout', f'{name} {n} applied, waiting for the receipt\n')
        MARKER.write_text('hung')
        time.sleep(600)
    return f'{name} {n}: done'


@tool(side_effects='external', idempotent=True)
def send(n: int, ctx: ToolContext) -> str:
    """Send message n (the receiver deduplicates by idempotency key).

    Args:
        n: the message number.
    """
    return _effect('send', n, ctx, dedupe=True)


@tool(side_effects='external')
def charge(n: int, ctx: ToolContext) -> str:
    """Charge n euros (not idempotent).

    Args:
        n: the amount.
    """
    return _effect('charge', n, ctx, dedupe=False)


def _agent() -> tuple[Agent, ScriptedModel]:
    model = ScriptedModel([
        {'tool_calls': [{'id': 'call-send', 'name': 'send', 'arguments': {'n': 1}}]},
        {'tool_calls': [{'id': 'call-charge', 'name': 'charge', 'arguments': {'n': 5}}]},
        'sent and charged',
    ])
    return Agent(model=model, tools=[send, charge], policy=Policy.allow_all()), model


def main() -> None:
    mode, run_id = sys.argv[1], sys.argv[2]
    agent, model = _agent()
    if mode == 'run' and HANG == 'create':
        async def create_then_hang() -> None:
            events = agent.astream('send and charge', run_id=run_id)
            await events.__anext__()  # RunStarted: the run exists, no node has run
            MARKER.write_text('hung')
            time.sleep(600)  # noqa: ASYNC251 - a process frozen as a whole, for the kill

        asyncio.run(create_then_hang())
        return
    if mode == 'run':
        result = agent.run('send and charge', run_id=run_id)
    elif mode == 'resume':
        result = agent.resume(run_id)
    else:
        result = agent.resume(run_id, {'kind': mode})
    pending = result.pending_approval or {}
    print(f'{result.status}|{result.output}|{pending.get("reason", "")}|{pending.get("output_seen", "")!r}',
          flush=True)


if __name__ == '__main__':
    main()

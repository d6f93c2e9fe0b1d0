"""`python -m tests.postgres._worker STORE_URL CHECKPOINT_URL RUNS`: RUNS concurrent runs, started on `go` on stdin.

Prints `ready` once everything is imported, waits for a line on stdin (so that all workers hit the empty database
at the same moment), then prints one JSON line: the run ids and statuses.
"""

from __future__ import annotations

import asyncio
import json
import sys

from agentcore import Agent, Budget
from agentcore.testing import ScriptedModel
from tests._tools import add


def _script() -> ScriptedModel:
    return ScriptedModel([{'tool_calls': [{'name': 'add', 'arguments': {'a': 2, 'b': 3}}]}, 'five'])


async def main(store_url: str, checkpoint_url: str, runs: int) -> list[tuple[str, str]]:
    def agent() -> Agent:
        return Agent(model=_script(), tools=[add], store=store_url, checkpointer=checkpoint_url,
                     budget=Budget(max_steps=10))

    agents = await asyncio.gather(*(asyncio.to_thread(agent) for _ in range(runs)))  # run stores made at once too
    results = await asyncio.gather(*(a.arun('2 + 3?') for a in agents))
    return [(r.run_id, r.status) for r in results]


if __name__ == '__main__':
    store_url, checkpoint_url, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print('ready', flush=True)
    sys.stdin.readline()
    print(json.dumps(asyncio.run(main(store_url, checkpoint_url, runs))), flush=True)

"""Per-step framework overhead: agentcore vs a bare LangGraph loop doing the same work, side by side in one run.

One step = one scripted model turn that calls a no-op tool, then the tool call. Both loops use the same checkpointer
(SQLite, `durability="sync"`, in a temporary directory), so the ratio isolates what agentcore adds: policy check,
guardrails, the effect ledger, events and the run store.

Usage: python bench/step_overhead.py [--steps N] [--repeats R]
Prints one JSON object as its last line: agentcore_ms_per_step, bare_langgraph_ms_per_step, ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import operator
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, TypedDict

os.environ.setdefault('LANGGRAPH_STRICT_MSGPACK', 'true')
os.environ.setdefault('LITELLM_LOCAL_MODEL_COST_MAP', 'True')

from agentcore import Agent, Budget, Message, ModelRequest, ModelResponse, ToolCall
from agentcore.testing import ScriptedModel
from tools import tool


@tool(side_effects='none')
def noop() -> str:
    """Do nothing."""
    return 'ok'


def _turns(steps: int) -> list[Any]:
    return [{'tool_calls': [{'name': 'noop', 'arguments': {}}]}] * steps + ['done']


async def agentcore_run(steps: int, home: Path) -> float:
    agent = Agent(
        model=ScriptedModel(_turns(steps)),
        tools=[noop],
        budget=Budget(max_steps=steps + 5),
        store=f'sqlite:///{home / "runs.sqlite"}',
        checkpointer=home / 'ckpt.sqlite',
    )
    t0 = time.perf_counter()
    result = await agent.arun('loop')
    elapsed = time.perf_counter() - t0
    assert result.status == 'completed' and result.tool_calls == steps, result
    return elapsed


class _State(TypedDict):
    messages: Annotated[list[dict[str, Any]], operator.add]
    steps: int


async def bare_run(steps: int, home: Path) -> float:
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
    from langgraph.graph import END, START, StateGraph

    model = ScriptedModel(_turns(steps))

    async def call_model(state: _State) -> dict[str, Any]:
        req = ModelRequest(messages=[Message.model_validate(m) for m in state['messages']])
        resp: ModelResponse = await model.complete(req)
        return {'messages': [resp.message.model_dump()], 'steps': state['steps'] + 1}

    async def run_tools(state: _State) -> dict[str, Any]:
        calls = [ToolCall.model_validate(c) for c in state['messages'][-1]['tool_calls']]
        out = [
            Message(role='tool', content=str(await noop.run({}, None)), tool_call_id=c.id).model_dump()  # type: ignore[arg-type]
            for c in calls
        ]
        return {'messages': out}

    def route(state: _State) -> str:
        return 'run_tools' if state['messages'][-1].get('tool_calls') else END

    g: Any = StateGraph(_State)
    g.add_node('call_model', call_model)
    g.add_node('run_tools', run_tools)
    g.add_edge(START, 'call_model')
    g.add_conditional_edges('call_model', route, ['run_tools', END])
    g.add_edge('run_tools', 'call_model')
    async with AsyncSqliteSaver.from_conn_string(str(home / 'bare.sqlite')) as saver:
        graph = g.compile(checkpointer=saver)
        t0 = time.perf_counter()
        await graph.ainvoke(
            {'messages': [Message(role='user', content='loop').model_dump()], 'steps': 0},
            {'configurable': {'thread_id': 'bare'}, 'recursion_limit': 100_000},
            durability='sync',
        )
        return time.perf_counter() - t0


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=50)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    ours: list[float] = []
    bare: list[float] = []
    for i in range(args.repeats + 1):  # the first round warms imports and caches, and is not counted
        with tempfile.TemporaryDirectory() as d:
            a = await agentcore_run(args.steps, Path(d))
        with tempfile.TemporaryDirectory() as d:
            b = await bare_run(args.steps, Path(d))
        if i:
            ours.append(a / args.steps * 1000)
            bare.append(b / args.steps * 1000)
    a_ms, b_ms = statistics.median(ours), statistics.median(bare)
    print(
        json.dumps(
            {
                'agentcore_ms_per_step': round(a_ms, 3),
                'bare_langgraph_ms_per_step': round(b_ms, 3),
                'ratio': round(a_ms / b_ms, 3),
                'steps': args.steps,
                'repeats': args.repeats,
                'targets': {'ratio_max': 1.5, 'ms_per_step_max': 2.0},
            }
        )
    )


if __name__ == '__main__':
    asyncio.run(main())

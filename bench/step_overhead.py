"""Per-step framework overhead: agentcore vs a bare LangGraph loop doing the same work, side by side in one run.

One step = one scripted model turn that calls a no-op tool, a policy check of the call, then the call. The baseline
is a bare LangGraph graph doing that same work with the same shape (call_model -> policy_check -> run_tools, one
super-step each) and the same checkpointer (SQLite, `durability="sync"`, in a temporary directory), so `ratio`
isolates what agentcore adds per step: guardrails and redaction, the effect ledger, typed events, the run store and
the audit chain. The baseline builds the model's typed request from the whole conversation every turn, the plain way;
agentcore validates only the messages added since the last turn, so `bare_incremental_ms_per_step` (the baseline
doing that too) and `ratio_vs_bare_incremental` are printed as well: the stricter comparison.
`minimal_loop_ms_per_step` is a two-node loop without the policy step, for reference. The
agentcore side runs through `Agent.arun`; `agentcore_streaming_ms_per_step` is the same run through `Agent.astream`,
every event handed to the caller as it happens.

Each side runs a short and a long run (a fifth of `--steps`, and `--steps`), interleaved, `--repeats` times; a step
costs the difference of the median times divided by the difference in steps. Per-run costs (opening the run store
and the checkpointer, compiling the graph, the final run record) cancel out of that, and are reported on their own
as `*_ms_per_run`.

Usage: python bench/step_overhead.py [--steps N] [--repeats R]
Prints one JSON object as its last line: agentcore_ms_per_step, bare_langgraph_ms_per_step, ratio, ... and `met`
(both targets: ratio <= 1.5 and <= 2 ms per step).
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
from agentcore.tools import tool


@tool(side_effects='none')
def noop() -> str:
    """Do nothing."""
    return 'ok'


def _turns(steps: int) -> list[Any]:
    return [{'tool_calls': [{'name': 'noop', 'arguments': {}}]}] * steps + ['done']


async def agentcore_run(steps: int, home: Path, *, streaming: bool = False) -> float:
    agent = Agent(
        model=ScriptedModel(_turns(steps)),
        tools=[noop],
        budget=Budget(max_steps=steps + 5),
        store=f'sqlite:///{home / "runs.sqlite"}',
        checkpointer=home / 'ckpt.sqlite',
    )
    t0 = time.perf_counter()
    if streaming:  # every event handed to the caller as it happens
        events = [event async for event in agent.astream('loop')]
        result = agent._results.pop(events[-1].run_id)
    else:
        result = await agent.arun('loop')
    elapsed = time.perf_counter() - t0
    assert result.status == 'completed' and result.tool_calls == steps, result
    return elapsed


class _State(TypedDict):
    messages: Annotated[list[dict[str, Any]], operator.add]
    steps: int


def _allow_all(name: str, arguments: dict[str, Any]) -> bool:
    return True


async def bare_run(steps: int, home: Path, *, with_policy_node: bool = True, incremental: bool = False) -> float:
    from langgraph.graph import END, START, StateGraph

    from agentcore._checkpoint import open_checkpointer

    model = ScriptedModel(_turns(steps))

    typed: list[Message] = []

    async def call_model(state: _State) -> dict[str, Any]:
        if incremental:  # only the messages added since the last turn are validated (as agentcore does)
            typed.extend(Message.model_validate(m) for m in state['messages'][len(typed):])
            req = ModelRequest(messages=list(typed))
        else:
            req = ModelRequest(messages=[Message.model_validate(m) for m in state['messages']])
        resp: ModelResponse = await model.complete(req)
        return {'messages': [resp.message.model_dump()], 'steps': state['steps'] + 1}

    async def policy_check(state: _State) -> dict[str, Any]:
        calls = state['messages'][-1]['tool_calls']
        assert all(_allow_all(c['name'], json.loads(c['arguments'])) for c in calls)
        return {}

    async def run_tools(state: _State) -> dict[str, Any]:
        calls = [ToolCall.model_validate(c) for c in state['messages'][-1]['tool_calls']]
        out = [Message(role='tool', content=str(await noop.run({}, None)), tool_call_id=c.id).model_dump()  # type: ignore[arg-type]
               for c in calls]
        return {'messages': out}

    after_model = 'policy_check' if with_policy_node else 'run_tools'

    def route(state: _State) -> str:
        return after_model if state['messages'][-1].get('tool_calls') else END

    g: Any = StateGraph(_State)
    g.add_node('call_model', call_model)
    g.add_node('run_tools', run_tools)
    g.add_edge(START, 'call_model')
    g.add_conditional_edges('call_model', route, [after_model, END])
    if with_policy_node:
        g.add_node('policy_check', policy_check)
        g.add_edge('policy_check', 'run_tools')
    g.add_edge('run_tools', 'call_model')
    # The very same checkpointer agentcore uses (SQLite in WAL mode), so only the framework's own work differs. Timed
    # like an agentcore run: opening the checkpointer and compiling the graph are part of it.
    t0 = time.perf_counter()
    async with open_checkpointer(home / 'bare.sqlite') as saver:
        graph = g.compile(checkpointer=saver)
        await graph.ainvoke({'messages': [Message(role='user', content='loop').model_dump()], 'steps': 0},
                            {'configurable': {'thread_id': 'bare'}, 'recursion_limit': 100_000}, durability='sync')
        return time.perf_counter() - t0


async def agentcore_streaming_run(steps: int, home: Path) -> float:
    return await agentcore_run(steps, home, streaming=True)


async def bare_incremental_run(steps: int, home: Path) -> float:
    return await bare_run(steps, home, incremental=True)


async def minimal_run(steps: int, home: Path) -> float:
    return await bare_run(steps, home, with_policy_node=False)


def _slope(short: float, long: float, short_steps: int, long_steps: int) -> float:
    """Milliseconds per step between two runs of different length: what each step costs, without per-run costs."""
    return (long - short) / (long_steps - short_steps) * 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=50, help='steps of the long run (the short run has a fifth)')
    parser.add_argument('--repeats', type=int, default=7)
    args = parser.parse_args()
    long_steps, short_steps = args.steps, max(1, args.steps // 5)
    sides = {'agentcore': agentcore_run, 'streaming': agentcore_streaming_run, 'bare': bare_run,
             'bare_incremental': bare_incremental_run, 'minimal': minimal_run}
    times: dict[tuple[str, int], list[float]] = {(side, n): [] for side in sides for n in (short_steps, long_steps)}
    for i in range(args.repeats + 1):  # the first round warms imports and caches, and is not counted
        for side, run in sides.items():  # interleaved, so machine noise hits every side alike
            for n in (short_steps, long_steps):
                with tempfile.TemporaryDirectory() as d:
                    elapsed = await run(n, Path(d))
                if i:
                    times[(side, n)].append(elapsed)
    med = {key: statistics.median(values) for key, values in times.items()}
    per_step = {side: _slope(med[(side, short_steps)], med[(side, long_steps)], short_steps, long_steps)
                for side in sides}
    per_run = {side: med[(side, short_steps)] * 1000 - per_step[side] * short_steps for side in sides}
    ours, bare, minimal = per_step['agentcore'], per_step['bare'], per_step['minimal']
    print(json.dumps({
        'agentcore_ms_per_step': round(ours, 3), 'bare_langgraph_ms_per_step': round(bare, 3),
        'ratio': round(ours / bare, 3), 'minimal_loop_ms_per_step': round(minimal, 3),
        'ratio_vs_minimal_loop': round(ours / minimal, 3),
        'agentcore_streaming_ms_per_step': round(per_step['streaming'], 3),
        'bare_incremental_ms_per_step': round(per_step['bare_incremental'], 3),
        'ratio_vs_bare_incremental': round(ours / per_step['bare_incremental'], 3),
        'agentcore_ms_per_run': round(per_run['agentcore'], 3), 'bare_langgraph_ms_per_run': round(per_run['bare'], 3),
        'steps': [short_steps, long_steps], 'repeats': args.repeats,
        'targets': {'ratio_max': 1.5, 'ms_per_step_max': 2.0},
        'met': ours / bare <= 1.5 and ours <= 2.0,
    }))


if __name__ == '__main__':
    asyncio.run(main())

"""The agent graph, in one place.

    input_guard -> recall_memory -> call_model -> policy_check -> approval (interrupt) -> run_tools
                                        ^   |                                               |
                                        |   +--> output_guard -> remember -> finish          |
                                        +---------------------------------------------------+

`call_model` loops to itself after a malformed turn; `policy_check` skips `approval` when nothing needs asking;
`approval` repeats while calls are still waiting for a decision; any node may route to `finish` (budget, abort,
failure).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from ._nodes import Nodes
from ._runtime import RunContext
from ._state import AgentState

#: The nodes, in the order a run meets them.
NODES = (
    'input_guard',
    'recall_memory',
    'call_model',
    'policy_check',
    'approval',
    'run_tools',
    'output_guard',
    'remember',
    'finish',
)


def _flushing(node: Callable[[AgentState], Awaitable[dict[str, Any]]], rt: RunContext) -> Any:
    """Write the run store's buffered rows once per node (one transaction, not one per event)."""

    @functools.wraps(node)
    async def run(state: AgentState) -> dict[str, Any]:
        try:
            return await node(state)
        finally:
            try:
                rt.store.flush()
            except Exception:
                if rt.audit is not None:  # the chained rows were not written: re-read the heads next time
                    rt.audit.forget()
                raise

    return run


def build_graph(rt: RunContext, checkpointer: Any | None = None) -> Any:
    """Compile the agent graph for `rt`, checkpointed by `checkpointer` (a LangGraph saver) when given."""
    from langgraph.graph import END, START, StateGraph

    n = Nodes(rt)
    g: Any = StateGraph(AgentState)
    for name in NODES:
        g.add_node(name, _flushing(getattr(n, name), rt))

    g.add_edge(START, 'input_guard')
    g.add_conditional_edges('input_guard', n.route, ['recall_memory', 'finish'])
    g.add_edge('recall_memory', 'call_model')
    g.add_conditional_edges('call_model', n.route, ['policy_check', 'call_model', 'output_guard', 'finish'])
    g.add_conditional_edges('policy_check', n.route, ['approval', 'run_tools', 'finish'])
    g.add_conditional_edges('approval', n.route, ['approval', 'run_tools', 'finish'])
    g.add_conditional_edges('run_tools', n.route, ['call_model', 'finish'])
    g.add_edge('output_guard', 'remember')
    g.add_edge('remember', 'finish')
    g.add_edge('finish', END)
    return g.compile(checkpointer=checkpointer)

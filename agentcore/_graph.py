"""The agent graph, in one place.

    input_guard -> recall_memory -> call_model -> policy_check -> approval (interrupt) -> run_tools
                                        ^   |                                               |
                                        |   +--> output_guard -> remember -> finish          |
                                        +---------------------------------------------------+

The edges are `EDGES` below. `call_model` loops to itself after a malformed turn; `policy_check` skips `approval`
when nothing needs asking; `approval` repeats while calls are still waiting for a decision; any node may route to
`finish` (budget, abort, failure).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ._nodes import Nodes
from ._output_type import DEFAULT_OUTPUT_RETRIES, OutputSpec
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


#: Where each node may go next: the graph's edges. A node with one way out is wired with a plain edge; a node with
#: several names its choice in its update's `route` key, which becomes a `Command(goto=...)`: no branch function
#: has to read the whole state back after every node.
EDGES: dict[str, tuple[str, ...]] = {
    'input_guard': ('recall_memory', 'finish'),
    'recall_memory': ('call_model',),
    'call_model': ('policy_check', 'call_model', 'output_guard', 'finish'),
    'policy_check': ('approval', 'run_tools', 'finish'),
    'approval': ('approval', 'run_tools', 'finish'),
    'run_tools': ('call_model', 'finish'),
    'output_guard': ('remember',),
    'remember': ('finish',),
    'finish': (),
}


def _node(
    node: Callable[[AgentState], Awaitable[dict[str, Any]]], rt: RunContext, destinations: tuple[str, ...]
) -> Any:
    """Wrap a node for the graph: flush the run store after it, and turn its `route` into a `Command`.

    The run store's buffered rows are written once per node (one transaction, not one per event). Only nodes with
    several ways out return a `Command`.

    Raises:
        RuntimeError: a node chose a destination it is not wired to (a bug in the node).
    """
    from langgraph.types import Command

    async def run(state: AgentState) -> Any:
        try:
            update = await node(state)
        finally:
            try:
                await rt.store.aflush()
            except Exception:
                if rt.audit is not None:  # the chained rows were not written: re-read the heads next time
                    rt.audit.forget()
                raise
        route = update.pop('route', None)
        if len(destinations) < 2:
            return update
        route = route or 'finish'
        if route not in destinations:
            raise RuntimeError(f'node {node.__name__!r} routed to {route!r}, which is not one of {destinations}')
        return Command(update=update, goto=route)

    # Named like the node, but without `functools.wraps`: its `__wrapped__` would make LangGraph disassemble the
    # whole node method, looking for subgraphs, every time an agent compiles its graph.
    run.__name__ = run.__qualname__ = node.__name__
    run.__doc__ = node.__doc__
    return run


def build_graph(
    rt: RunContext, checkpointer: Any | None = None, *, output: OutputSpec | None = None,
    output_retries: int = DEFAULT_OUTPUT_RETRIES,
) -> Any:
    """Compile the agent graph for `rt`, checkpointed by `checkpointer` (a LangGraph saver) when given.

    `output`: the structured output the runs end with (`Agent(output_type=...)`), offered as a final-answer tool.
    """
    from langgraph.graph import END, START, StateGraph

    n = Nodes(rt, output, output_retries)
    g: Any = StateGraph(AgentState)
    for name in NODES:
        ways = EDGES[name]
        g.add_node(name, _node(getattr(n, name), rt, ways), destinations=ways if len(ways) > 1 else None)
        if len(ways) == 1:
            g.add_edge(name, ways[0])
    g.add_edge(START, 'input_guard')
    g.add_edge('finish', END)
    return g.compile(checkpointer=checkpointer)

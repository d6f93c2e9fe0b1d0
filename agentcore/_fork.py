"""Forking a run: a new run from one step's checkpoint of another, with that step's workspace."""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

from ._errors import AgentcoreError

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.graph.state import CompiledStateGraph


class ForkError(AgentcoreError, ValueError):
    """A run cannot be forked at that step (it never reached it, or has no checkpoints)."""

    usage_error = True


async def fork_checkpoint(
    graph: CompiledStateGraph[Any, Any, Any, Any], saver: BaseCheckpointSaver[Any], run_id: str, at_step: int,
    new_run_id: str,
) -> dict[str, Any]:
    """Copy the checkpoint of `run_id` taken before model turn `at_step + 1` into a new thread `new_run_id`.

    Step N's checkpoint is the one after the tools of model turn N ran (step 0: before the first model turn),
    the point where the run would ask the model again. The copy carries the state (messages, counters, the
    workspace snapshot of that step) with its own run id and a fresh start time; LangGraph continues it from
    there. Returns the copied state's values.

    Raises:
        ForkError: the run has no such checkpoint.
    """
    config: Any = {'configurable': {'thread_id': run_id}}
    reached: list[int] = []
    chosen = None
    async for snap in graph.aget_state_history(config):  # newest first
        steps = int(snap.values.get('steps') or 0)
        reached.append(steps)
        if steps == at_step and tuple(snap.next) == ('call_model',):
            chosen = snap
            break
    if chosen is None:
        if not reached:
            raise ForkError(f'run {run_id!r} has no checkpoints to fork from',
                            hint='only runs checkpointed to a file or database can be forked')
        raise ForkError(f'run {run_id!r} has no checkpoint before model turn {at_step + 1}: it reached steps '
                        f'0..{max(reached)}', hint=f'pick --at between 0 and {max(reached)}')
    found = await saver.aget_tuple(chosen.config)
    if found is None:  # listed a moment ago: only a concurrent delete gets here
        raise ForkError(f'run {run_id!r}: the checkpoint of step {at_step} is gone')
    checkpoint = copy.deepcopy(found.checkpoint)
    values = checkpoint['channel_values']
    values.update(run_id=new_run_id, started_at=time.time(), status='running')
    metadata: Any = {**copy.deepcopy(found.metadata), 'source': 'fork', 'forked_from': run_id,
                     'forked_at_step': at_step}
    target: Any = {'configurable': {'thread_id': new_run_id, 'checkpoint_ns': ''}}
    await saver.aput(target, checkpoint, metadata, dict(checkpoint['channel_versions']))
    return dict(values)

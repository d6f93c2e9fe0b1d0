"""From a stored run's events to the steps the replay stepper shows: one step per model turn, with its tool results."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._format import describe
from ._replay import ReplayStep, ReplayTrace

#: Events that say nothing about a step once it is over (streamed text and output, the next turn's start).
_SKIPPED = {'model_token_delta', 'tool_output_delta', 'model_turn_started', 'run_started'}


def _title(step: int, turn: dict[str, Any]) -> str:
    names = ', '.join(str(c.get('name')) for c in turn.get('tool_calls') or [])
    return f'step {step}: calls {names}' if names else f'step {step}: answer'


def steps_of_events(events: Iterable[dict[str, Any]]) -> list[ReplayStep]:
    """One `ReplayStep` per model turn in `events` (a run store's stored events), in step order.

    A step's `recorded` text is the turn (its text, tool calls, tokens) and what followed it before the next
    turn, as the timeline shows them: policy decisions, approvals, tool results (clipped as there), guardrail
    flags, the run's end. Its `fork_step` is the turn's step number: forking there keeps that step's tool results
    and files. A turn stored twice (re-run after a crash) keeps its last copy; events before the first turn are
    left out.
    """
    turns: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    current: list[dict[str, Any]] | None = None
    for event in events:
        kind = event.get('type')
        if kind == 'model_turn_finished':
            current = [event]
            turns[int(event.get('step') or 0)] = (event, current)
        elif current is not None and kind not in _SKIPPED:
            current.append(event)
    return [ReplayStep(title=_title(step, turn), fork_step=step,
                       recorded='\n'.join(line.text for ev in evs for line in describe(ev)))
            for step, (turn, evs) in sorted(turns.items())]


def trace_from_run(store: Any, run_id: str) -> ReplayTrace:
    """The stepper's view of stored run `run_id` in `store` (a `RunStore`): one step per model turn.

    Raises:
        RunNotFoundError: no such run in the store.
    """
    record = store.get_run(run_id)
    task = ' '.join((record.task or '').split())
    name = f'run {run_id} ({task[:40]}{"…" if len(task) > 40 else ""})'
    return ReplayTrace(name=name, steps=steps_of_events(store.events(run_id)), verdict=str(record.status))

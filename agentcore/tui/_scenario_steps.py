"""From a scenario (`agentcore.scenarios`) and its replay result to the steps the replay stepper shows.

Each run of a scenario becomes: the task, the memory recall, each model turn followed by its tool calls, the memory
save, the outcome and the expectations. A divergence of the replay is attached to the step whose path in the
scenario file (`runs[0].turns[2].calls[0]`) is the longest prefix of the divergence's `field`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._format import args_text
from ._replay import ReplayStep, ReplayTrace, StepDivergence


def _is_prefix(prefix: str, field: str) -> bool:
    return field == prefix or field.startswith((prefix + '.', prefix + '['))


def _steps_of_run(r: int, run: Any) -> list[tuple[str, str, Any]]:
    """`(field, title, recorded data)` for each step of run `r` (0-based)."""
    base = f'runs[{r}]'
    steps: list[tuple[str, str, Any]] = [(base, f'run {r + 1}: {run.task}', {'run_id': run.run_id, 'task': run.task})]
    if run.recall is not None:
        steps.append((f'{base}.recall', f'run {r + 1}: memory recall', run.recall.model_dump(mode='json')))
    for t, turn in enumerate(run.turns):
        data = turn.model_dump(mode='json', exclude={'calls'}, exclude_none=True)
        names = ', '.join(c.name for c in turn.response.tool_calls) if turn.response is not None else ''
        what = f'calls {names}' if names else ('answer' if turn.response is not None else 'model error')
        steps.append((f'{base}.turns[{t}]', f'turn {t + 1}: {what}', data))
        for c, call in enumerate(turn.calls):
            steps.append((f'{base}.turns[{t}].calls[{c}]', f'  {call.name}({args_text(call.arguments, 60)})',
                          call.model_dump(mode='json', exclude_none=True)))
    if run.saved is not None:
        steps.append((f'{base}.saved', f'run {r + 1}: memory save', run.saved.model_dump(mode='json')))
    steps.append((f'{base}.result', f'run {r + 1}: outcome {run.result.status}', run.result.model_dump(mode='json')))
    steps.append((f'{base}.expect', f'run {r + 1}: expectations',
                  run.expect.model_dump(mode='json', exclude_defaults=True)))
    return steps


def trace_from_scenario(scenario: Any, result: Any | None = None) -> ReplayTrace:
    """The stepper's view of `scenario` (a `Scenario`), with the divergences of `result` (a `ScenarioResult`)."""
    raw = [step for r, run in enumerate(scenario.runs) for step in _steps_of_run(r, run)]
    attached: dict[int, list[StepDivergence]] = {}
    for d in getattr(result, 'divergences', None) or []:
        candidates = [i for i, (field, _, _) in enumerate(raw) if d.field and _is_prefix(field, d.field)]
        if candidates:
            index = max(candidates, key=lambda i: len(raw[i][0]))
        else:  # no field: the run's first step
            index = next((i for i, (field, _, _) in enumerate(raw) if field == f'runs[{d.run - 1}]'), 0)
        attached.setdefault(index, []).append(StepDivergence(kind=d.kind, message=d.headline(), diff=d.diff))
    steps = [ReplayStep(title=title, recorded=data, divergences=tuple(attached.get(i, ())))
             for i, (_, title, data) in enumerate(raw)]
    verdict = status = ''
    if result is not None:
        status = str(result.status)
        verdict = status if result.error is None else f'{status}: {" ".join(str(result.error).split())}'
    return ReplayTrace(name=scenario.name, steps=steps, verdict=verdict, status=status)


async def aload_trace(path: str | Path, *, verify: bool = False) -> ReplayTrace:
    """Load the scenario at `path`, replay it and return the trace to step through.

    Raises:
        ScenarioError: the file is missing, not YAML, invalid, or its recorded requests were edited.
    """
    from agentcore.scenarios import areplay_scenario, load_scenario

    scenario = load_scenario(path)
    result = await areplay_scenario(scenario, path=path, verify=verify)
    return trace_from_scenario(scenario, result)


def load_trace(path: str | Path, *, verify: bool = False) -> ReplayTrace:
    """Sync form of `aload_trace`. Raises: as `aload_trace`; RuntimeError inside a running event loop."""
    import asyncio

    return asyncio.run(aload_trace(path, verify=verify))


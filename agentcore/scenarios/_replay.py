"""Replaying scenarios: from the recording (default) or with tools re-executed in fresh sandboxes (`verify`)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ._digest import json_diff
from ._effects import apply_effects, workspace_snapshot
from ._expect import unmet
from ._load import load_scenario, scenario_files
from ._replaying import CheckingMemory, ReplayApprover, ReplayMemory, ReplayModel, ReplayTool, VerifyingTool
from ._report import ReplayReport, RunSummary, ScenarioResult
from ._runner import (
    SandboxSource,
    default_instructions,
    drive,
    live_environment,
    make_agent,
    resolve_policy,
    resolve_tools,
)
from ._schema import KNOWLEDGE_TOOL, Scenario, ScenarioRun
from ._session import ReplaySession
from ._yamlio import ScenarioError

DEFAULT_FOLDER = 'scenarios'


async def areplay_scenario(
    scenario: Scenario,
    *,
    path: str | Path = '',
    verify: bool = False,
    sandboxes: SandboxSource | None = None,
    instructions: str | None = None,
) -> ScenarioResult:
    """Replay one scenario and compare it with its recording and expectations.

    Args:
        scenario: the loaded scenario.
        path: its file (for reports, and to resolve a policy given as a relative path).
        verify: re-execute the tools for real in a fresh sandbox (and a fresh local memory) and compare results
            and effects, instead of serving them from the recording.
        sandboxes: for `verify`, a `SandboxPool` or a factory `image -> Sandbox` (default: a new `DockerSandbox`).
        instructions: the prompt template to replay with; default: the scenario's, else agentcore's current one.

    Returns:
        The result: `passed`, `failed` (divergences, or an exception while running), or `error` (bad input).
    """
    t0 = time.perf_counter()
    file = str(path) or f'<{scenario.name}>'
    result = ScenarioResult(path=file, name=scenario.name, mode='verify' if verify else 'replay', status='passed')
    try:
        await _replay_runs(scenario, result, file=file, verify=verify, sandboxes=sandboxes, instructions=instructions)
    except ScenarioError as exc:
        result.status, result.error = 'error', str(exc)
    except Exception as exc:  # a broken sandbox or store fails this scenario, not the whole replay
        result.status, result.error = 'failed', f'{type(exc).__name__}: {" ".join(str(exc).split())}'
    if result.status == 'passed' and result.divergences:
        result.status = 'failed'
    result.duration_s = time.perf_counter() - t0
    return result


async def _replay_runs(
    scenario: Scenario,
    result: ScenarioResult,
    *,
    file: str,
    verify: bool,
    sandboxes: SandboxSource | None,
    instructions: str | None,
) -> None:
    config = scenario.config
    policy = resolve_policy(config.policy, file=file, base_dir=Path(file).parent)
    prompt = instructions or config.instructions or default_instructions()
    session = ReplaySession(scenario)
    if verify:  # a bad tool name is bad input, found before a sandbox starts
        resolve_tools([t for t in config.tools if t != KNOWLEDGE_TOOL], file=file)
    modelled = dict(config.sandbox.files) if config.sandbox is not None else {}
    async with live_environment(config if verify else _offline(config), sandboxes=sandboxes) as env:
        real_tools = resolve_tools(config.tools, file=file, knowledge=env.knowledge) if verify else []
        real = {t.name for t in real_tools}
        for index, run in enumerate(scenario.runs):
            session.begin(index)
            memory: Any | None = None
            if verify:
                tools: list[Any] = [VerifyingTool(t, session) for t in real_tools]
                # MCP tools (recorded with --mcp): an outside server's answers are served from the recording
                tools += [ReplayTool(s, session) for s in scenario.tools if s.source == 'mcp' and s.name not in real]
                memory = CheckingMemory(env.memory, session) if env.memory is not None else None
            else:
                tools = [ReplayTool(spec, session) for spec in scenario.tools]
                memory = ReplayMemory(session, config.memory.backend) if config.memory is not None else None
            approver = ReplayApprover(session) if any(c.approval for t in run.turns for c in t.calls) else None
            agent = make_agent(
                config,
                model=ReplayModel(session),
                tools=tools,
                policy=policy,
                instructions=prompt,
                sandbox=env.sandbox,
                memory=memory,
                approver=approver,
            )
            facts = await drive(agent, run.task, run.run_id)
            result.runs.append(facts.summary)
            _model_workspace(modelled, run)
            facts.files = set(await workspace_snapshot(env.sandbox) if env.sandbox is not None else modelled)
            if any(d.kind == 'model_request' and d.run == index + 1 for d in session.divergences):
                break  # what follows a diverged conversation only repeats the divergence
            _compare_outcome(session, run, facts.summary)
            for line in unmet(run.expect, facts):
                session.diverge('expectation', line, field=f'runs[{index}].expect')
    result.divergences = session.divergences


def _offline(config: Any) -> Any:
    return config.model_copy(update={'sandbox': None, 'memory': None, 'knowledge': None})


def _model_workspace(workspace: dict[str, str], run: ScenarioRun) -> None:
    for turn in run.turns:
        for call in turn.calls:
            if call.effects is not None:
                apply_effects(workspace, call.effects)


def _compare_outcome(session: ReplaySession, run: ScenarioRun, got: RunSummary) -> None:
    want = run.result.model_dump(mode='json')
    have = got.model_dump(mode='json', exclude={'run_id'})
    if want != have:
        changed = ', '.join(k for k in want if want[k] != have.get(k))
        session.diverge(
            'outcome',
            f'the run ended differently ({changed})',
            field=f'runs[{session.index}].result',
            diff=json_diff(want, have, 'recorded outcome', 'replayed outcome'),
        )


def replay_scenario(
    path: str | Path, *, verify: bool = False, sandboxes: SandboxSource | None = None, instructions: str | None = None
) -> ScenarioResult:
    """Load and replay one scenario file (sync form; see `areplay_scenario`). Bad input gives an `error` result.

    Raises:
        RuntimeError: called from inside a running event loop (use `areplay_paths`).
    """
    return asyncio.run(_replay_file(Path(path), verify=verify, sandboxes=sandboxes, instructions=instructions))


async def _replay_file(
    path: Path,
    *,
    verify: bool,
    sandboxes: SandboxSource | None,
    instructions: str | None,
    scenario: Scenario | None = None,
) -> ScenarioResult:
    try:
        loaded = scenario or load_scenario(path)
    except ScenarioError as exc:
        return ScenarioResult(path=str(path), status='error', error=str(exc))
    return await areplay_scenario(loaded, path=path, verify=verify, sandboxes=sandboxes, instructions=instructions)


async def areplay_paths(
    paths: Iterable[str | Path] = (DEFAULT_FOLDER,),
    *,
    verify: bool = False,
    jobs: int = 1,
    sandboxes: SandboxSource | None = None,
    instructions: str | None = None,
    on_result: Callable[[ScenarioResult], None] | None = None,
) -> ReplayReport:
    """Replay every scenario file under `paths` (files, or folders of `*.yaml`), `jobs` at a time.

    A bad file gives an `error` result and the others still run. Results come in file order.

    Raises:
        ScenarioError: a path does not exist.
        ValueError: `jobs` is below 1.
    """
    if jobs < 1:
        raise ValueError(f'jobs must be at least 1, got {jobs}')
    t0 = time.perf_counter()
    files = list(scenario_files(paths))
    gate = asyncio.Semaphore(jobs)

    async def one(p: Path) -> ScenarioResult:
        async with gate:
            r = await _replay_file(p, verify=verify, sandboxes=sandboxes, instructions=instructions)
        if on_result is not None:
            on_result(r)
        return r

    results = list(await asyncio.gather(*(one(p) for p in files)))
    return ReplayReport(results=results, duration_s=time.perf_counter() - t0)


def replay_paths(paths: Iterable[str | Path] = (DEFAULT_FOLDER,), **options: Any) -> ReplayReport:
    """Sync form of `areplay_paths`.

    Raises:
        ScenarioError: a path does not exist. RuntimeError: called from inside a running event loop.
    """
    return asyncio.run(areplay_paths(paths, **options))


def report_json(report: ReplayReport) -> str:
    """The report as indented JSON, with counts and the exit code."""
    data = {
        'summary': {**report.counts(), 'exit_code': report.exit_code, 'duration_s': report.duration_s},
        **report.model_dump(mode='json'),
    }
    return json.dumps(data, indent=2, sort_keys=True)

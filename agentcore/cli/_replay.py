"""`agentcore record` and `agentcore replay`: recorded scenarios as regression tests.

Heavy imports stay inside the command bodies; `agentcore replay` never imports litellm (model turns come from the
recording).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from ._errors import EXIT_USAGE
from ._mcp import MCPOption
from ._output import print_json


def register(app: typer.Typer) -> None:
    app.command('record', help='Run an agent live and record the run as a scenario file.')(record)
    app.command(
        'replay',
        help='Replay recorded scenarios and report what changed (exit 0 all passed, 1 some failed, 2 bad input).',
    )(replay)


def record(
    name: Annotated[str, typer.Argument(help='Scenario name; written to scenarios/NAME.yaml unless --out is given.')],
    tasks: Annotated[
        list[str], typer.Argument(help='The task; give several for several runs sharing sandbox and memory.')
    ],
    model: Annotated[
        list[str],
        typer.Option(
            '--model', '-m', help='litellm model id, or scripted:PATH; repeat it to give each task its own model.'
        ),
    ],
    tools: Annotated[
        list[str] | None,
        typer.Option(
            '--tools', '-t', help='Built-in tool names (python, shell, read_file...) or module:function; repeatable.'
        ),
    ] = None,
    mcp: MCPOption = None,
    policy: Annotated[
        Path | None, typer.Option('--policy', '-p', help='Policy file (YAML or TOML); stored inline.')
    ] = None,
    approve: Annotated[
        list[str] | None,
        typer.Option(
            '--approve',
            help='Decision for the next call the policy asks about, in order: approve, reject[:REASON], '
            'abort[:REASON] or edit:JSON; repeatable.',
        ),
    ] = None,
    max_steps: Annotated[int | None, typer.Option('--max-steps', min=1, help='Budget: model turns.')] = None,
    max_tool_calls: Annotated[int | None, typer.Option('--max-tool-calls', min=0, help='Budget: tool calls.')] = None,
    image: Annotated[
        str | None, typer.Option('--image', help='Sandbox image (default agentcore-sandbox:latest).')
    ] = None,
    files: Annotated[
        list[str] | None,
        typer.Option('--file', help='Seed the workspace: DEST=SRC copies the local text file SRC to DEST; repeatable.'),
    ] = None,
    memory: Annotated[bool, typer.Option('--memory', help='Give the runs a fresh local episodic memory.')] = False,
    memory_seed: Annotated[
        Path | None, typer.Option('--memory-seed', help='YAML list of episodes saved in it first.')
    ] = None,
    instructions: Annotated[
        str | None, typer.Option('--instructions', help='A custom prompt (default: the template).')
    ] = None,
    description: Annotated[str, typer.Option('--description', help='Free text stored with the scenario.')] = '',
    out: Annotated[Path | None, typer.Option('--out', '-o', help='Where to write the scenario.')] = None,
    no_redact: Annotated[bool, typer.Option('--no-redact', help='Keep secrets found in the recording.')] = False,
    as_json: Annotated[
        bool, typer.Option('--json', help='Print the scenario file, its runs and their statuses as JSON.')
    ] = False,
    output_schema: Annotated[
        Path | None,
        typer.Option('--output-schema', dir_okay=False,
                     help='A JSON Schema file: the runs end with structured output matching it (stored inline).'),
    ] = None,
    knowledge: Annotated[
        Path | None,
        typer.Option('--knowledge', file_okay=False,
                     help='A folder of documents (Markdown, HTML, text) the runs search with search_knowledge; '
                     'stored inline, cited by their paths in it.'),
    ] = None,
) -> None:
    from agentcore import load_settings
    from agentcore._budget import Budget
    from agentcore.scenarios import ScenarioError, knowledge_files, record as record_scenario, save_scenario

    from . import _mcp

    budget = None
    if max_steps is not None or max_tool_calls is not None:
        budget = Budget(
            **{k: v for k, v in (('max_steps', max_steps), ('max_tool_calls', max_tool_calls)) if v is not None}
        )
    tool_names = [s.strip() for item in tools or [] for s in item.split(',') if s.strip()]
    target = out or Path('scenarios') / f'{name}.yaml'
    if target.is_dir():  # checked before the (possibly paid) live runs, not after
        raise typer.BadParameter(f'{target} is a folder; give the scenario file to write', param_hint='--out')
    mcp_names = _mcp.mcp_names(mcp)
    servers = _mcp.mcp_servers(mcp_names, load_settings()) if mcp_names else {}
    from ._run import read_schema

    schema = read_schema(output_schema) if output_schema is not None else None
    try:
        documents = knowledge_files(knowledge) if knowledge is not None else None
        scenario = record_scenario(
            name,
            tasks,
            model=model if len(model) > 1 else model[0],
            tools=tool_names,
            mcp=servers,
            policy=policy if policy is not None or not servers else dict(_mcp.NO_POLICY_WITH_MCP),
            approvals=[_decision(a) for a in approve or []],
            budget=budget,
            sandbox_image=image,
            workspace_files=_seed_files(files or []),
            memory=memory,
            memory_seed=_episodes(memory_seed),
            instructions=instructions,
            description=description,
            redact=not no_redact,
            output_schema=schema,
            knowledge_files=documents,
        )
    except ScenarioError as exc:
        _fail(exc)
    _mcp.warn_denied_servers(_mcp.scenario_policy(scenario), scenario.tools)
    try:
        path = save_scenario(scenario, target)
    except OSError as exc:
        why = f'{exc.strerror}: {exc.filename}' if exc.strerror and exc.filename else str(exc)
        raise typer.BadParameter(f'cannot write {target} ({why})', param_hint='--out') from None
    if as_json:
        runs = [{'run_id': run.run_id, 'task': run.task, **run.result.model_dump(mode='json')} for run in scenario.runs]
        print_json({'scenario': scenario.name, 'path': str(path), 'runs': runs})
        return
    for run in scenario.runs:
        r = run.result
        typer.echo(f'[{run.run_id}] {r.status} · {r.steps} steps · {r.tool_calls} tool calls', err=True)
    typer.echo(f'recorded {len(scenario.runs)} run{"s" * (len(scenario.runs) != 1)} to {path}')


def _decision(text: str) -> dict[str, Any]:
    kind, _, rest = text.partition(':')
    kind = kind.strip().lower()
    if kind == 'approve' and not rest:
        return {'kind': 'approve'}
    if kind in ('reject', 'abort'):
        return {'kind': kind, **({'reason': rest} if rest else {})}
    if kind == 'edit':
        try:
            arguments = json.loads(rest)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f'--approve {text}: edit needs a JSON object ({exc.msg})') from None
        if not isinstance(arguments, dict):
            raise typer.BadParameter(f'--approve {text}: edit needs a JSON object of arguments')
        return {'kind': 'edit', 'arguments': arguments}
    raise typer.BadParameter(f'--approve {text}: expected approve, reject[:REASON], abort[:REASON] or edit:JSON')


def _seed_files(specs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in specs:
        dest, sep, src = spec.partition('=')
        if not sep or not dest or not src:
            raise typer.BadParameter(f'--file {spec}: expected DEST=SRC')
        try:
            out[dest] = Path(src).read_text(encoding='utf-8')
        except (OSError, UnicodeDecodeError) as exc:
            raise typer.BadParameter(f'--file {spec}: cannot read {src} as text ({exc})') from None
    return out


def _episodes(path: Path | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding='utf-8'))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise typer.BadParameter(f'--memory-seed {path}: {" ".join(str(exc).split())}') from None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise typer.BadParameter(f'--memory-seed {path}: expected a YAML list of episodes (mappings)')
    return data


def replay(
    paths: Annotated[list[Path] | None, typer.Argument(help='Scenario files or folders (default: scenarios/).')] = None,
    verify: Annotated[
        bool, typer.Option('--verify', help='Re-execute tools in fresh sandboxes and compare effects.')
    ] = False,
    as_json: Annotated[bool, typer.Option('--json', help='Print the report as JSON.')] = False,
    junit: Annotated[Path | None, typer.Option('--junit', help='Also write a JUnit XML report to this file.')] = None,
    jobs: Annotated[int, typer.Option('--jobs', '-j', min=1, help='Scenarios replayed at once.')] = 1,
    pool: Annotated[
        int,
        typer.Option('--pool', min=0, help='With --verify: take sandboxes (default image) from a pool of N warm ones.'),
    ] = 0,
    tui: Annotated[bool, typer.Option('--tui', help='Step through one scenario in a terminal UI.')] = False,
) -> None:
    from agentcore.scenarios import ScenarioError, replay_paths, report_json, scenario_files

    targets = list(paths or [Path('scenarios')])
    if tui:
        if len(targets) != 1 or not targets[0].is_file():
            raise typer.BadParameter('--tui takes exactly one scenario file', param_hint='--tui')
        from agentcore.tui import run_replay_tui

        try:
            code = run_replay_tui(targets[0], verify=verify)
        except ScenarioError as exc:
            _fail(exc)
        raise typer.Exit(code)
    try:
        total = len(list(scenario_files(targets)))
    except ScenarioError as exc:
        _fail(exc)
    sandboxes = _pool(pool) if verify and pool else None
    try:
        with _progress(total, enabled=not as_json) as advance:
            report = replay_paths(targets, verify=verify, jobs=jobs, sandboxes=sandboxes, on_result=advance)
    finally:
        if sandboxes is not None:
            sandboxes.close()
    if junit is not None:
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.write_text(report.to_junit(), encoding='utf-8')
    if as_json:
        typer.echo(report_json(report))
    else:
        for result in report.results:
            typer.echo(result.describe())
        typer.echo(report.summary() if report.results else 'no scenario files found')
    raise typer.Exit(report.exit_code)


def _pool(size: int) -> Any:
    from agentcore.sandbox import SandboxPool

    return SandboxPool(size=size)


@contextmanager
def _progress(total: int, *, enabled: bool) -> Iterator[Callable[[Any], None]]:
    """A rich progress bar on stderr when it is a terminal; yields a callback advancing it by one scenario."""
    if not (enabled and sys.stderr.isatty()):
        yield lambda _result: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn('replaying'),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn('{task.description}'),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task('', total=total)
        yield lambda result: progress.update(task, advance=1, description=result.name or result.path)


def _fail(exc: BaseException) -> NoReturn:
    hint = getattr(exc, 'hint', None)
    typer.echo(f'agentcore: error: {exc}' + (f' (fix: {hint})' if hint else ''), err=True)
    raise typer.Exit(EXIT_USAGE)

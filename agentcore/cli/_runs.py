"""`agentcore runs list|show|audit|fork`."""

from __future__ import annotations

import json
from typing import Any

import typer

from ._output import echo_text, print_json

app = typer.Typer(no_args_is_help=True)


def _store() -> Any:
    from agentcore import load_settings
    from agentcore.runstore import RunStore

    settings = load_settings()
    if settings.run_store_url.startswith('sqlite:///'):
        settings.home.mkdir(parents=True, exist_ok=True)
    return RunStore(settings.run_store_url)


@app.command('list')
def list_runs(
    limit: int = typer.Option(20, '--limit', '-n', min=1, help='How many runs, newest first.'),
    as_json: bool = typer.Option(False, '--json', help='Print JSON.'),
) -> None:
    """List recent runs (`interrupted`: its process ended before it finished; `agentcore resume RUN_ID` goes on)."""
    from agentcore._cost import usd_text
    from agentcore._sanitize import strip_control

    store = _store()
    store.reconcile_interrupted()  # runs whose process died show as `interrupted`, with how to resume them
    rows = [_with_cost(r) for r in store.list_runs(limit)]
    for r in rows:
        r.pop('config_json', None)
    if as_json:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table('run id', 'status', 'steps', 'tokens', 'cost $', 'created', 'task')
    for r in rows:
        table.add_row(r['run_id'], r['status'], str(r['steps']), str(r['input_tokens'] + r['output_tokens']),
                      usd_text(r['cost_usd']).lstrip('$'), r['created_at'][:19], strip_control(r['task'] or '')[:60])
    Console().print(table)


@app.command('show')
def show_run(
    run_id: str = typer.Argument(..., help='The run id.'),
    as_json: bool = typer.Option(False, '--json', help='Print JSON.'),
) -> None:
    """Show a run: its result, events, tool calls, policy decisions and usage."""
    from agentcore._cost import usd_text

    store = _store()
    record = _with_cost(store.get_run(run_id))
    record['config'] = json.loads(record.pop('config_json') or '{}')
    detail = {
        'run': record,
        'events': store.events(run_id),
        'tool_calls': [r.model_dump() for r in store.tool_calls(run_id)],
        'policy_decisions': [r.model_dump() for r in store.policy_decisions(run_id)],
        'usage': [_with_cost(r) for r in store.usage(run_id)],
    }
    if as_json:
        print_json(detail)
        return
    typer.echo(f'run {run_id}: {record["status"]}  steps={record["steps"]} tool_calls={record["tool_calls"]} '
               f'tokens={record["input_tokens"] + record["output_tokens"]} cost={usd_text(record["cost_usd"])}')
    echo_text(f'task: {record["task"]}')
    for ev in detail['events']:
        echo_text(f'  {ev["type"]:<22} {_summary(ev)}')
    if record['output']:
        echo_text(f'output: {record["output"]}')
    if record['stop_reason']:
        echo_text(f'stop reason: {record["stop_reason"]}')


def _with_cost(record: Any) -> dict[str, Any]:
    """A run or usage record as JSON-ready data: `cost_usd` null and `cost_known` false when the cost is unknown."""
    data: dict[str, Any] = record.model_dump()
    data['cost_usd'], data['cost_known'] = record.cost, record.cost is not None
    return data


def _summary(ev: dict[str, Any]) -> str:
    kind = ev['type']
    if kind == 'tool_call_started':
        return f'{ev["tool"]}({json.dumps(ev["arguments"], sort_keys=True)[:80]})'
    if kind == 'tool_call_finished':
        return f'{ev["tool"]} -> {" ".join(ev["content"].split())[:80]}'
    if kind == 'model_turn_finished':
        names = ', '.join(c['name'] for c in ev.get('tool_calls', []))
        return f'step {ev["step"]}: ' + (f'calls {names}' if names else ' '.join(ev['content'].split())[:80])
    if kind == 'policy_decision':
        return f'{ev["tool"]}: {ev["action"]} ({ev["rule"]})'
    if kind == 'run_finished':
        return f'{ev["status"]} {ev.get("stop_reason") or ""}'
    return ''


@app.command('audit')
def audit_run(
    run_id: str = typer.Argument(..., help='The run id.'),
    verify: bool = typer.Option(False, '--verify', help='Check the hash chain; exit 1 at the first broken link.'),
    as_json: bool = typer.Option(False, '--json', help='Print JSON.'),
) -> None:
    """Show a run's tamper-evident audit log."""
    from agentcore.audit import AuditLog

    store = _store()
    run = store.get_run(run_id)
    log = AuditLog(store.engine)
    records = [r.model_dump() for r in log.records(run_id)]
    report = None
    if verify:
        report = log.verify(run_id, expected_head=run.audit_head, expected_records=run.audit_records)
    if as_json:
        print_json({'records': records, 'verify': None if report is None else report.model_dump()})
    else:
        for r in records:
            typer.echo(f'{r["seq"]:>4} {r["ts"][:19]} {r["kind"]:<16} {r["payload"][:90]}')
        if report is not None:
            typer.echo(f'audit log of {run_id}: ' + ('intact' if report.ok else
                       f'BROKEN at record {report.first_broken}: {report.reason}') + f' ({report.records} records)')
    if report is not None and not report.ok:
        raise typer.Exit(1)


def _register_fork() -> None:
    from ._fork import fork_run

    app.command('fork')(fork_run)


_register_fork()

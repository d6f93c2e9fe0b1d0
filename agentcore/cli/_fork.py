"""`agentcore runs fork`: a new run from one step of another, with that step's files, continued at once."""

from __future__ import annotations

import typer


def fork_run(
    run_id: str = typer.Argument(..., help='The run to fork.'),
    at: int = typer.Option(..., '--at', min=0, help='The step to fork from (0: before the first model turn).'),
    as_json: bool = typer.Option(False, '--json', help='Print the result as JSON.'),
) -> None:
    """Fork RUN_ID at step --at (its conversation and workspace as that step left them) and continue the new run."""
    from ._build import agent_for_run, exit_code, print_result

    agent = agent_for_run(run_id)
    new_id = agent.fork(run_id, at_step=at)
    if not as_json:
        typer.echo(f'forked {run_id} at step {at}: new run {new_id}', err=True)
    result = agent.resume(new_id)
    print_result(result, as_json=as_json)
    raise typer.Exit(exit_code(result))

"""`agentcore run` and `agentcore resume`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from ._mcp import MCPOption
from ._model_opts import ExtraBody, MaxTokens, Seed, Temperature, ToolChoice, model_settings

if TYPE_CHECKING:
    from agentcore.policy import ApprovalDecision


def register(app: typer.Typer) -> None:
    app.command('run', help='Run an agent on TASK and print its answer.')(run)
    app.command('resume', help='Continue a paused or interrupted run.')(resume)


def run(
    task: str = typer.Argument(..., help='What the agent should do.'),
    model: str | None = typer.Option(None, '--model', '-m', help='litellm model id, or scripted:PATH.'),
    tools: list[str] | None = typer.Option(
        None, '--tools', '-t', help='Built-in tool names (python, shell, read_file...) or module:function; repeatable.'
    ),
    mcp: MCPOption = None,
    policy: str | None = typer.Option(None, '--policy', '-p', help='Policy file (YAML or TOML).'),
    max_steps: int | None = typer.Option(None, '--max-steps', min=1, help='Budget: model turns.'),
    memory: bool = typer.Option(
        True, '--memory/--no-memory', help='Recall and remember episodes (Weaviate if configured, else local).'
    ),
    as_json: bool = typer.Option(False, '--json', help='Print the result as JSON.'),
    tool_choice: ToolChoice = None,
    temperature: Temperature = None,
    seed: Seed = None,
    max_tokens: MaxTokens = None,
    extra_body: ExtraBody = None,
    output_schema: Path | None = typer.Option(
        None, '--output-schema', help='A JSON Schema file: the answer must match it, and is printed as JSON.',
        dir_okay=False,
    ),
    knowledge: list[str] | None = typer.Option(
        None, '--knowledge', help='A file or folder of documents the agent searches with search_knowledge '
        '(ingested for this run); repeatable.',
    ),
) -> None:
    from ._build import build_agent, exit_code

    options = model_settings(tool_choice=tool_choice, temperature=temperature, seed=seed, max_tokens=max_tokens,
                             extra_body=extra_body)
    schema = read_schema(output_schema) if output_schema is not None else None
    agent = build_agent(model=model, tools=tools or [], policy=policy, max_steps=max_steps, memory=memory,
                        model_settings=options, mcp=mcp, output_schema=schema, knowledge=knowledge)
    from ._progress import RunProgress

    with RunProgress(agent.model.name, enabled=False if as_json else None) as progress:
        result = agent.run(task, on_event=progress.on_event if progress.enabled else None)
    _print(result, as_json=as_json, structured=schema is not None)
    raise typer.Exit(exit_code(result))


def read_schema(path: Path) -> dict[str, Any]:
    """The JSON Schema in `path`.

    Raises:
        typer.BadParameter: the file cannot be read, is not JSON, or is not a valid JSON Schema (one line naming
            the file and the problem).
    """
    from agentcore._output_type import OutputSchema, OutputSchemaError

    try:
        data = json.loads(path.read_text(encoding='utf-8'))
    except OSError as exc:
        raise typer.BadParameter(f'--output-schema {path}: cannot read ({exc.strerror or exc})') from None
    except UnicodeDecodeError:
        raise typer.BadParameter(f'--output-schema {path}: not UTF-8 text') from None
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f'--output-schema {path}: not valid JSON ({exc.msg} at line {exc.lineno}, '
                                 f'column {exc.colno})') from None
    if not isinstance(data, dict):
        raise typer.BadParameter(f'--output-schema {path}: a JSON Schema must be an object, '
                                 f'got {type(data).__name__}')
    try:
        OutputSchema(data)
    except OutputSchemaError as exc:
        raise typer.BadParameter(f'--output-schema {path}: {exc}') from None
    return data


def _print(result: Any, *, as_json: bool, structured: bool) -> None:
    """Print the result; a completed run with structured output prints that output as JSON on stdout."""
    from ._build import print_result
    from ._output import print_json

    if structured and not as_json and result.status == 'completed':
        print_json(result.output)
        if result.stop_reason:
            typer.echo(f'agentcore: warning: {result.stop_reason}', err=True)
        return
    print_result(result, as_json=as_json)


def resume(
    run_id: str = typer.Argument(..., help='The run to continue.'),
    approve: bool = typer.Option(False, '--approve', help='Approve the call the run waits for.'),
    reject: str | None = typer.Option(None, '--reject', help='Reject the waiting call, with this reason.'),
    edit: str | None = typer.Option(None, '--edit', help='Approve with these arguments instead (a JSON object).'),
    abort: bool = typer.Option(False, '--abort', help='Abort the run.'),
    as_json: bool = typer.Option(False, '--json', help='Print the result as JSON.'),
) -> None:
    from ._build import agent_for_run, exit_code

    decision = _decision(approve=approve, reject=reject, edit=edit, abort=abort)
    agent = agent_for_run(run_id)
    result = agent.resume(run_id, decision)
    _print(result, as_json=as_json, structured='output_schema' in agent.run_metadata.get('cli', {}))
    if not as_json:
        _print_interrupted(result.pending_approval)
    raise typer.Exit(exit_code(result))


def _print_interrupted(pending: dict[str, Any] | None) -> None:
    """Say that the call the run waits for may already have taken effect, with what is known of it."""
    if not pending or not pending.get('may_have_taken_effect'):
        return
    from agentcore.policy import ApprovalRequest
    from agentcore.policy._cli_approver import interrupted_text

    from ._output import echo_text

    request = ApprovalRequest.model_validate({**pending, 'tool_name': pending.get('tool', '')})
    echo_text(interrupted_text(request).rstrip('\n'))


def _decision(*, approve: bool, reject: str | None, edit: str | None, abort: bool) -> ApprovalDecision | None:
    """The one decision the `resume` flags ask for (`None` without one).

    Raises:
        typer.BadParameter: more than one flag, or `--edit` is not a JSON object.
    """
    from agentcore.policy import Abort, Approve, Edit, Reject

    chosen = [name for name, on in (('--approve', approve), ('--reject', reject is not None),
                                    ('--edit', edit is not None), ('--abort', abort)) if on]
    if len(chosen) > 1:
        raise typer.BadParameter(f'choose one of {", ".join(chosen)}')
    if approve:
        return Approve()
    if reject is not None:
        return Reject(reason=reject)
    if abort:
        return Abort(reason='aborted from the command line')
    if edit is not None:
        try:
            arguments = json.loads(edit)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f'--edit: not valid JSON ({exc.msg} at position {exc.pos})') from None
        if not isinstance(arguments, dict):
            raise typer.BadParameter('--edit: expected a JSON object of arguments')
        return Edit(arguments=arguments)
    return None




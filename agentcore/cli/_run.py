"""`agentcore run` and `agentcore resume`."""

from __future__ import annotations

import json
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
) -> None:
    from ._build import build_agent, exit_code, print_result

    options = model_settings(tool_choice=tool_choice, temperature=temperature, seed=seed, max_tokens=max_tokens,
                             extra_body=extra_body)
    agent = build_agent(model=model, tools=tools or [], policy=policy, max_steps=max_steps, memory=memory,
                        model_settings=options, mcp=mcp)
    from ._progress import RunProgress

    with RunProgress(agent.model.name, enabled=False if as_json else None) as progress:
        result = agent.run(task, on_event=progress.on_event if progress.enabled else None)
    print_result(result, as_json=as_json)
    raise typer.Exit(exit_code(result))


def resume(
    run_id: str = typer.Argument(..., help='The run to continue.'),
    approve: bool = typer.Option(False, '--approve', help='Approve the call the run waits for.'),
    reject: str | None = typer.Option(None, '--reject', help='Reject the waiting call, with this reason.'),
    edit: str | None = typer.Option(None, '--edit', help='Approve with these arguments instead (a JSON object).'),
    abort: bool = typer.Option(False, '--abort', help='Abort the run.'),
    as_json: bool = typer.Option(False, '--json', help='Print the result as JSON.'),
) -> None:
    from ._build import agent_for_run, exit_code, print_result

    decision = _decision(approve=approve, reject=reject, edit=edit, abort=abort)
    agent = agent_for_run(run_id)
    result = agent.resume(run_id, decision)
    print_result(result, as_json=as_json)
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




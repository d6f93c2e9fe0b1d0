"""`agentcore chat`: the terminal UI (Textual loads only when the command runs)."""

from __future__ import annotations

from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    app.command('chat', help='Chat with an agent in a terminal UI: live timeline, approvals, run history.')(chat)


def chat(
    model: Annotated[str | None, typer.Option('--model', '-m', help='litellm model id, or scripted:PATH.')] = None,
    tools: Annotated[list[str] | None, typer.Option(
        '--tools', '-t', help='Built-in tool names (python, shell, read_file...) or module:function; repeatable.'
    )] = None,
    policy: Annotated[str | None, typer.Option('--policy', '-p', help='Policy file (YAML or TOML).')] = None,
    max_steps: Annotated[int | None, typer.Option('--max-steps', min=1, help='Budget: model turns per run.')] = None,
) -> None:
    from agentcore.tui import run_chat

    factory = agent_factory(model=model, tools=tools or [], policy=policy, max_steps=max_steps)
    run_chat(factory)


def agent_factory(*, model: str | None, tools: list[str], policy: str | None, max_steps: int | None) -> Any:
    """A factory `approver -> Agent` from the command-line options; checks the tools and settings right away.

    Raises:
        typer.BadParameter: an unknown tool name or unimportable `module:function`.
        ConfigError: invalid settings.
    """
    from agentcore import load_settings

    from ._build import resolve_tools

    settings = load_settings()
    tool_objs = resolve_tools(tools)

    def build(approver: Any) -> Any:
        from agentcore import Agent, Budget

        from ._build import _sandbox_if_needed

        agent = Agent(model=model, tools=tool_objs, sandbox=_sandbox_if_needed(tool_objs),
                      policy=policy or settings.policy, budget=Budget(max_steps=max_steps) if max_steps else None,
                      approver=approver, settings=settings)
        agent.run_metadata['cli'] = {'model': model, 'tools': tools, 'policy': policy, 'max_steps': max_steps}
        return agent

    return build

"""`agentcore chat`: the terminal UI (Textual loads only when the command runs)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ._mcp import MCPOption
from ._model_opts import ExtraBody, MaxTokens, Seed, Temperature, ToolChoice, as_settings, model_settings


def register(app: typer.Typer) -> None:
    app.command('chat', help='Chat with an agent in a terminal UI: live timeline, approvals, run history.')(chat)


def chat(
    model: Annotated[str | None, typer.Option('--model', '-m', help='litellm model id, or scripted:PATH.')] = None,
    tools: Annotated[list[str] | None, typer.Option(
        '--tools', '-t', help='Built-in tool names (python, shell, read_file...) or module:function; repeatable.'
    )] = None,
    mcp: MCPOption = None,
    policy: Annotated[str | None, typer.Option('--policy', '-p', help='Policy file (YAML or TOML).')] = None,
    max_steps: Annotated[int | None, typer.Option('--max-steps', min=1, help='Budget: model turns per run.')] = None,
    tool_choice: ToolChoice = None,
    temperature: Temperature = None,
    seed: Seed = None,
    max_tokens: MaxTokens = None,
    extra_body: ExtraBody = None,
) -> None:
    from agentcore.tui import run_chat

    options = model_settings(tool_choice=tool_choice, temperature=temperature, seed=seed, max_tokens=max_tokens,
                             extra_body=extra_body)
    factory = agent_factory(model=model, tools=tools or [], policy=policy, max_steps=max_steps,
                            model_settings=options, mcp=mcp)
    run_chat(factory)


def agent_factory(
    *, model: str | None, tools: list[str], policy: str | None, max_steps: int | None,
    model_settings: dict[str, Any] | None = None, mcp: list[str] | None = None,
) -> Any:
    """A factory `approver -> Agent` from the command-line options; checks the tools and settings right away.

    The tools of the `--mcp` servers are listed once, here; each run opens its own sessions to the servers.

    Raises:
        typer.BadParameter: an unknown tool name or unimportable `module:function`, or an unknown `--mcp` server.
        ConfigError: invalid settings.
        MCPError: an MCP server cannot be started or listed.
    """
    from agentcore import load_settings

    from . import _mcp
    from ._build import resolve_tools

    settings = load_settings()
    mcp_names = _mcp.mcp_names(mcp)
    mcp_tools = _mcp.mcp_tools(mcp_names, settings)
    tool_objs = [*resolve_tools(tools), *mcp_tools]
    run_policy = _mcp.policy_for(policy or settings.policy, mcp_tools)
    if mcp_tools:
        from agentcore._wiring import resolve_policy

        _mcp.warn_denied_servers(resolve_policy(run_policy), tool_objs)

    def build(approver: Any) -> Any:
        from agentcore import Agent, Budget

        from ._build import _sandbox_if_needed

        agent = Agent(model=model, tools=tool_objs, sandbox=_sandbox_if_needed(tool_objs),
                      policy=run_policy, budget=Budget(max_steps=max_steps) if max_steps else None,
                      approver=approver, settings=settings, model_settings=as_settings(model_settings))
        agent.run_metadata['cli'] = {'model': model, 'tools': tools, 'policy': policy, 'max_steps': max_steps,
                                     **({'model_settings': model_settings} if model_settings else {}),
                                     **({'mcp': mcp_names} if mcp_names else {})}
        return agent

    return build

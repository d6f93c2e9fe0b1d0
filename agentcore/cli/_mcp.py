"""`--mcp NAME` on `run`, `chat` and `record`: tools of the MCP servers configured in `[mcp.servers.NAME]`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer

if TYPE_CHECKING:
    from agentcore import Settings
    from agentcore._mcp_settings import MCPServerConfig
    from agentcore.policy import Policy
    from agentcore.scenarios import Scenario
    from agentcore.tools import MCPTool, Tool

MCPOption = Annotated[list[str] | None, typer.Option(
    '--mcp', metavar='NAME',
    help='Tools of the MCP server [mcp.servers.NAME] of agentcore.toml; repeatable or comma-separated. Its tools, '
         'mcp__NAME__*, are denied unless a policy rule names them.')]

#: The policy of a run with MCP tools and no policy file: everything allowed but MCP tools (no rule names them).
NO_POLICY_WITH_MCP: dict[str, Any] = {'version': 1, 'default': 'allow'}


class _ToolLike(Protocol):
    """What the policy check needs of a tool: a `Tool`, or a recorded tool spec."""

    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def side_effects(self) -> str: ...


def mcp_names(specs: list[str] | None) -> list[str]:
    """The server names given with `--mcp` (repeated or comma-separated), in order, each once."""
    out: list[str] = []
    for name in (s.strip() for item in specs or [] for s in item.split(',')):
        if name and name not in out:
            out.append(name)
    return out


def mcp_servers(names: list[str], settings: Settings) -> dict[str, MCPServerConfig]:
    """The configured servers named by `--mcp`.

    Raises:
        typer.BadParameter: a name that no `[mcp.servers.NAME]` table configures (the line lists those that are).
        ConfigError: a stdio server's command is not found here, or its `cwd` is not a folder.
    """
    from agentcore._mcp_settings import check_server

    configured = settings.mcp.servers
    for name in names:
        if name not in configured:
            known = ', '.join(sorted(configured)) or 'none'
            raise typer.BadParameter(f'--mcp {name}: no MCP server {name!r} is configured (configured: {known}); '
                                     f'add a [mcp.servers.{name}] table to agentcore.toml')
    for name in names:
        check_server(name, configured[name])
    return {name: configured[name] for name in names}


def mcp_tools(names: list[str], settings: Settings) -> list[MCPTool]:
    """The tools of the servers named by `--mcp`, listed now (each server is started, listed and stopped).

    Raises:
        typer.BadParameter, ConfigError: see `mcp_servers`.
        MCPError: a server cannot be started, reached or listed.
    """
    if not names:
        return []
    import asyncio

    from agentcore.tools import load_mcp_tools

    return asyncio.run(load_mcp_tools(mcp_servers(names, settings)))


def policy_for(policy: Any, tools: list[MCPTool]) -> Any:
    """The run's policy: `policy` (a file or `None`); with MCP tools and no policy, one that denies them all."""
    if policy is not None or not tools:
        return policy
    from agentcore.policy import Policy

    return Policy.from_dict(NO_POLICY_WITH_MCP, source='<no policy file: MCP tools denied>')


def scenario_policy(scenario: Scenario) -> Policy:
    """The policy a recorded scenario's runs used (stored inline; `Policy.default_policy()` when it has none)."""
    from agentcore.policy import Policy

    data = scenario.config.policy
    return Policy.from_dict(data, source='<recorded policy>') if isinstance(data, dict) else Policy.default_policy()


def warn_denied_servers(policy: Policy, tools: Iterable[_ToolLike]) -> None:
    """One stderr line per MCP server none of whose tools the policy names (so every call to them is denied)."""
    from agentcore.tools import parse_mcp_tool_name

    named: dict[str, bool] = {}
    for t in tools:
        parsed = parse_mcp_tool_name(t.name) if t.source == 'mcp' else None
        if parsed is None:
            continue
        decision = policy.evaluate(t.name, {}, side_effects=t.side_effects, source='mcp')
        named[parsed[0]] = named.get(parsed[0], False) or not (decision.action == 'deny' and decision.rule == 'default')
    for server in (s for s, ok in named.items() if not ok):
        typer.echo(f'agentcore: warning: no policy rule names the tools of MCP server {server!r}, so each call to '
                   f'them is denied (fix: add a rule such as "- {{tool: \'mcp__{server}__*\', action: allow}}" to a '
                   'policy file and pass it with --policy)', err=True)


def check_resumable(run_id: str, used: list[str], tools: list[Tool]) -> None:
    """Check that the rebuilt agent of a run still has every MCP tool the run started with.

    Raises:
        ConfigError: a tool is missing (its server's configuration changed or it no longer offers the tool).
    """
    from agentcore import ConfigError
    from agentcore.tools import parse_mcp_tool_name

    have = {t.name for t in tools}
    missing = [name for name in used if parse_mcp_tool_name(name) is not None and name not in have]
    if missing:
        raise ConfigError(f'run {run_id} used MCP tools that its servers no longer offer: {", ".join(missing)}',
                          hint='restore the [mcp.servers.NAME] tables of agentcore.toml the run started with')

"""Building agents from command-line options (and again from a stored run, to resume it)."""

from __future__ import annotations

import importlib
import json
import os
from typing import TYPE_CHECKING, Any

import typer

from ._errors import EXIT_FAILURE, EXIT_USAGE
from ._output import echo_text, print_json

#: The knowledge tool's name in `--tools`.
_KNOWLEDGE_TOOL = 'search_knowledge'

if TYPE_CHECKING:
    from agentcore import RunResult
    from agentcore.sandbox import DockerSandbox
    from agentcore.tools import Tool


def resolve_tools(specs: list[str]) -> list[Tool]:
    """Tools from names of built-ins or `module:function` references (a `Tool`, a LangChain tool or a function).

    Raises:
        typer.BadParameter: an unknown name, a reference that cannot be imported, or one that is not a tool.
    """
    from agentcore.tools import as_tool, builtin_tools, host_tools

    available = {t.name: t for t in [*builtin_tools(), *host_tools()]}
    out: list[Tool] = []
    for spec in [s.strip() for item in specs for s in item.split(',') if s.strip()]:
        if ':' in spec:
            module_name, _, attr = spec.partition(':')
            try:
                out.append(as_tool(getattr(importlib.import_module(module_name), attr)))
            except (ImportError, AttributeError) as exc:
                raise typer.BadParameter(f'--tools {spec}: cannot import ({exc})') from None
            except TypeError as exc:
                raise typer.BadParameter(f'--tools {spec}: {exc}') from None
        elif spec in available:
            out.append(available[spec])
        else:
            raise typer.BadParameter(f'--tools {spec}: unknown tool; built-ins: {", ".join(sorted(available))}')
    return out


def build_agent(
    *, model: str | None, tools: list[str], policy: str | None, max_steps: int | None, memory: bool = True,
    model_settings: dict[str, Any] | None = None, mcp: list[str] | None = None, warn: bool = True,
    output_schema: dict[str, Any] | None = None, knowledge: list[str] | None = None,
) -> Any:
    """An `Agent` configured from CLI options and settings; records the options for `agentcore resume`.

    With `warn`, says on stderr which `--mcp` servers the policy denies every tool of. `output_schema`: a JSON
    Schema the answer must match (structured output, `agentcore run --output-schema`). `knowledge`: files and
    folders ingested into a fresh in-memory knowledge store that the `search_knowledge` tool searches (added to the
    tools); without it, a `search_knowledge` tool name searches the store of `agentcore knowledge`.

    Raises:
        OutputSchemaError: `output_schema` is not a valid JSON Schema.
        typer.BadParameter: a `knowledge` path cannot be ingested.
        MemoryUnavailableError: the knowledge store cannot be opened.
    """
    from agentcore import Agent, Budget, load_settings
    from agentcore._output_type import OutputSchema

    from . import _mcp
    from ._model_opts import as_settings

    settings = load_settings()
    mcp_names = _mcp.mcp_names(mcp)
    mcp_tools = _mcp.mcp_tools(mcp_names, settings)
    names = [s.strip() for item in tools for s in item.split(',') if s.strip()]
    tool_objs = [*resolve_tools([n for n in names if n != _KNOWLEDGE_TOOL]), *mcp_tools]
    if knowledge or _KNOWLEDGE_TOOL in names:
        from agentcore.knowledge import SearchKnowledgeTool

        tool_objs.append(SearchKnowledgeTool(_knowledge(knowledge or [], settings)))
    budget = Budget(max_steps=max_steps) if max_steps else None
    run_policy = _mcp.policy_for(policy or settings.policy, mcp_tools)
    sandbox = _sandbox_if_needed(tool_objs, run_policy)
    agent = Agent(model=model, tools=tool_objs, sandbox=sandbox, policy=run_policy, budget=budget,
                  approver=_terminal_approver(), memory=_memory(settings) if memory else None, settings=settings,
                  model_settings=as_settings(model_settings),
                  output_type=OutputSchema(output_schema) if output_schema is not None else None)
    agent.run_metadata['cli'] = {'model': model, 'tools': tools, 'policy': policy, 'max_steps': max_steps,
                                 'memory': memory, **({'model_settings': model_settings} if model_settings else {}),
                                 **({'mcp': mcp_names} if mcp_names else {}),
                                 **({'output_schema': output_schema} if output_schema is not None else {}),
                                 **({'knowledge': [os.path.abspath(p) for p in knowledge]} if knowledge else {})}
    if warn:
        _mcp.warn_denied_servers(agent.policy, agent.tools)
    return agent


def agent_for_run(run_id: str) -> Any:
    """Rebuild the agent a stored run was started with."""
    from agentcore import load_settings
    from agentcore.runstore import RunStore

    from ._mcp import check_resumable

    settings = load_settings()
    if settings.run_store_url.startswith('sqlite:///'):
        settings.home.mkdir(parents=True, exist_ok=True)
    store = RunStore(settings.run_store_url)
    record = store.get_run(run_id)
    config = json.loads(record.config_json)
    options = config.get('cli') or {}
    agent = build_agent(model=options.get('model') or record.model, tools=options.get('tools') or [],
                        policy=options.get('policy'), max_steps=options.get('max_steps'),
                        memory=options.get('memory', True), model_settings=options.get('model_settings'),
                        mcp=options.get('mcp'), warn=False, output_schema=options.get('output_schema'),
                        knowledge=options.get('knowledge'))
    check_resumable(run_id, config.get('tools') or [], agent.tools)
    return agent


def _knowledge(paths: list[str], settings: Any) -> Any:
    """The store `search_knowledge` searches: `paths` ingested into a fresh in-memory one, else the settings' store.

    Raises:
        typer.BadParameter: a path does not exist, or a file it names cannot be ingested.
        MemoryUnavailableError: the settings' store cannot be opened (Weaviate configured but unreachable...).
    """
    from agentcore.knowledge import DocumentError, LocalKnowledge, open_knowledge
    from agentcore.memory import embedder_from_spec

    if not paths:
        return open_knowledge()
    embedder = embedder_from_spec(settings.memory_embedder) if settings.memory_embedder else None
    store = LocalKnowledge(':memory:', embedder=embedder)
    for path in paths:
        try:
            store.add(path)
        except DocumentError as exc:
            store.close()
            raise typer.BadParameter(f'--knowledge {path}: {exc}') from None
    return store


def _memory(settings: Any) -> Any:
    """Episodic memory: Weaviate when `weaviate_url` is configured and reachable, else the local store."""
    from agentcore.memory import embedder_from_spec, open_memory

    embedder = embedder_from_spec(settings.memory_embedder) if settings.memory_embedder else None
    return open_memory(settings.weaviate_url, path=settings.home / 'memory' / 'episodes.sqlite3', embedder=embedder,
                       grpc_port=settings.weaviate_grpc_port, api_key=settings.weaviate_api_key)


def _sandbox_if_needed(tool_objs: list[Tool], policy: Any = None) -> DockerSandbox | None:
    """A sandbox when a tool needs one; a policy's `sandbox.writable` becomes `SandboxConfig.writable_paths`.

    Raises:
        PolicyFileError: `policy` is a path to an invalid policy file.
    """
    if not any(t.side_effects == 'sandbox' for t in tool_objs):
        return None
    from agentcore.policy import Policy, load_policy
    from agentcore.sandbox import DockerSandbox, SandboxConfig

    compiled = policy if isinstance(policy, Policy) or policy is None else load_policy(policy)
    writable = compiled.writable_paths if compiled is not None else None
    return DockerSandbox(SandboxConfig(writable_paths=writable) if writable is not None else None)


def _terminal_approver() -> Any:
    import sys

    if not sys.stdin.isatty():
        return None
    from agentcore.policy import CLIApprover

    return CLIApprover()


def exit_code(result: RunResult) -> int:
    """0 for a completed or paused run, 2 when a configuration mistake ended it (bad key, URL, model), else 1."""
    if result.error is not None and result.error.usage_error:
        return EXIT_USAGE
    return 0 if result.status in ('completed', 'awaiting_approval') else EXIT_FAILURE


def print_result(result: RunResult, *, as_json: bool) -> None:
    if as_json:
        print_json(result.model_dump(mode='json'))
        return
    if result.error is not None:
        hint = f' (fix: {result.error.hint})' if result.error.hint else ''
        echo_text(f'agentcore: error: {" ".join(result.error.message.split())}{hint}', err=True)
        if result.error.usage_error:
            return  # a configuration mistake: that one line is all there is to say
    elif result.status == 'completed':
        echo_text(result.output or '')
        if result.stop_reason:  # completed, but incomplete (cut off at max_tokens...)
            echo_text(f'agentcore: warning: {result.stop_reason}', err=True)
    elif result.status == 'awaiting_approval':
        call = result.pending_approval or {}
        echo_text(f'run {result.run_id} is waiting for approval of {call.get("tool")}({json.dumps(call.get("arguments"))})')
        typer.echo(f'  continue with: agentcore resume {result.run_id} --approve | --reject REASON | --edit JSON | --abort')
    else:
        echo_text(f'run {result.run_id} {result.status}: {result.stop_reason or ""}', err=True)
    from agentcore._cost import usd_text

    typer.echo(f'[{result.run_id}] {result.status} · {result.steps} steps · {result.usage.total_tokens} tokens · '
               f'{usd_text(result.cost_usd, unknown="cost unknown")}', err=True)

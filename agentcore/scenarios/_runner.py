"""Running a scenario's agent: the live environment (sandbox, memory), the policy, the tools and the event loop."""

from __future__ import annotations

import asyncio
import functools
import importlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from ._expect import RunFacts
from ._report import RunSummary
from ._schema import KNOWLEDGE_TOOL, ScenarioConfig
from ._yamlio import ScenarioError

if TYPE_CHECKING:
    from ..knowledge import KnowledgeStore
    from ..memory import LocalMemory
    from ..policy import Policy
    from ..sandbox import Sandbox, SandboxProvider

#: What `sandboxes=` may be: a `SandboxProvider` (a clean sandbox per scenario) or a factory `image -> Sandbox`.
SandboxSource: TypeAlias = 'SandboxProvider | Callable[[str], Sandbox]'


def resolve_policy(policy: dict[str, Any] | str | None, *, file: str, base_dir: Path) -> Policy | None:
    """The scenario's policy: inline data, or a file path relative to the scenario file.

    Raises:
        ScenarioError: the policy is invalid or its file cannot be read.
    """
    if policy is None:
        return None
    from ..policy import Policy, PolicyFileError, load_policy

    try:
        if isinstance(policy, dict):
            return Policy.from_dict(policy, source=f'{file}: config.policy')
        return load_policy(base_dir / policy)
    except PolicyFileError as exc:
        raise ScenarioError(file, str(exc), field='config.policy', hint=getattr(exc, 'hint', None)) from None


def resolve_tools(
    names: Sequence[str], *, file: str = '<record>', knowledge: KnowledgeStore | None = None
) -> list[Any]:
    """Real tools from built-in names (`python`, `shell`, `read_file`...) or `module:attribute` references.

    `search_knowledge` is the knowledge tool over `knowledge` (the store of `config.knowledge`).

    Raises:
        ScenarioError: an unknown name, a reference that cannot be imported, or `search_knowledge` without a
            knowledge store.
    """
    from agentcore.tools import as_tool, builtin_tools, host_tools

    available = {t.name: t for t in [*builtin_tools(), *host_tools()]}
    out: list[Any] = []
    for i, spec in enumerate(names):
        if spec == KNOWLEDGE_TOOL:
            if knowledge is None:
                raise ScenarioError(
                    file,
                    'search_knowledge needs documents to search',
                    field=f'config.tools[{i}]',
                    hint='set config.knowledge.files (agentcore record --knowledge DIR)',
                )
            from agentcore.knowledge import SearchKnowledgeTool

            out.append(SearchKnowledgeTool(knowledge))
        elif ':' in spec:
            module_name, _, attr = spec.partition(':')
            try:
                out.append(as_tool(getattr(importlib.import_module(module_name), attr)))
            except (ImportError, AttributeError, TypeError) as exc:
                raise ScenarioError(file, f'cannot import tool {spec!r}: {exc}', field=f'config.tools[{i}]') from None
        elif spec in available:
            out.append(available[spec])
        else:
            raise ScenarioError(
                file, f'unknown tool {spec!r}; built-ins: {", ".join(sorted(available))}', field=f'config.tools[{i}]'
            )
    return out


@dataclass
class Environment:
    """The live parts of a record or `--verify` session."""

    sandbox: Sandbox | None = None
    memory: LocalMemory | None = None
    knowledge: KnowledgeStore | None = None


@asynccontextmanager
async def live_environment(
    config: ScenarioConfig, *, sandboxes: SandboxSource | None = None
) -> AsyncIterator[Environment]:
    """A fresh sandbox, local memory store and knowledge store, seeded, released or closed on exit.

    The sandbox is made when the config has one, and seeded with its files; the memory with its seed episodes;
    the knowledge store (in memory) holds `config.knowledge.files`.

    Raises:
        SandboxError: the sandbox cannot start (no Docker engine, missing image...), or a seed file cannot be
            written. ValueError: a memory seed episode is invalid. ScenarioError: a knowledge document cannot be
            ingested.
    """
    from ..sandbox import SandboxProvider

    env = Environment()
    leased: Sandbox | None = None
    try:
        if config.sandbox is not None:
            if isinstance(sandboxes, SandboxProvider):
                env.sandbox = leased = await sandboxes.aacquire()
            else:
                factory = sandboxes or functools.partial(_docker_sandbox, writable=_writable(config))
                env.sandbox = await asyncio.to_thread(factory, config.sandbox.image)
            await _seed(env.sandbox, config.sandbox.files)
        if config.memory is not None:
            from agentcore.memory import Episode, LocalMemory

            env.memory = LocalMemory(':memory:')
            seeds = [Episode.model_validate({'namespace': config.namespace, **e}) for e in config.memory.seed]
            if seeds:
                await env.memory.asave_many(seeds)
        if config.knowledge is not None:
            from ._knowledge import open_scenario_knowledge

            env.knowledge = await open_scenario_knowledge(config.knowledge.files, config.knowledge.tags)
        yield env
    finally:
        if env.knowledge is not None:
            env.knowledge.close()
        if env.memory is not None:
            env.memory.close()
        if leased is not None and isinstance(sandboxes, SandboxProvider):
            await sandboxes.arelease(leased)
        elif env.sandbox is not None:
            await env.sandbox.aclose()


def _docker_sandbox(image: str, writable: tuple[str, ...] | None = None) -> Sandbox:
    from agentcore.sandbox import DockerSandbox, SandboxConfig

    return DockerSandbox(SandboxConfig(image=image, writable_paths=writable))


def _writable(config: ScenarioConfig) -> tuple[str, ...] | None:
    """The policy's `sandbox.writable` (inline policies; a policy file named by path is not read here)."""
    sandbox = config.policy.get('sandbox') if isinstance(config.policy, dict) else None
    entries = sandbox.get('writable') if isinstance(sandbox, dict) else None
    if entries is None:
        return None
    return (entries,) if isinstance(entries, str) else tuple(entries)


async def _seed(sandbox: Sandbox, files: dict[str, str]) -> None:
    """Write the seed files; those outside the sandbox's writable folders go in read-only through `copy_in`.

    Raises:
        SandboxError: a file cannot be written.
    """
    from agentcore.sandbox._paths import normalize

    config = getattr(sandbox, 'config', None)
    readonly = {p for p in files if config is not None and not config.is_writable(normalize(p, config.workdir))}
    for path, text in files.items():
        if path not in readonly:
            await sandbox.awrite_file(path, text.encode('utf-8'))
    if readonly:
        await asyncio.to_thread(_copy_in, sandbox, {p: files[p] for p in readonly})


def _copy_in(sandbox: Sandbox, files: dict[str, str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for path, text in files.items():
            target = Path(tmp, path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding='utf-8')
        sandbox.copy_in(tmp, '.')


def make_agent(
    config: ScenarioConfig,
    *,
    model: Any,
    tools: list[Any],
    policy: Any | None,
    instructions: str,
    sandbox: Any | None = None,
    memory: Any | None = None,
    approver: Any | None = None,
) -> Any:
    """An `Agent` for one run, with a private in-memory run store and checkpointer (runs never share state).

    With `config.output_schema`, the agent's runs end with structured output matching it. Requests over the
    model's window (`config.window`) keep the recent turns (`KeepRecent`), when recording as on replay: old
    outputs are not stubbed, since the `fetch_tool_output` calls that get one back are not recorded.
    """
    from langgraph.checkpoint.memory import InMemorySaver

    from .._agent import Agent
    from .._context_recent import KeepRecent
    from .._output_type import OutputSchema
    from ..runstore import RunStore

    return Agent(
        model=model,
        tools=tools,
        sandbox=sandbox,
        memory=memory,
        policy=policy,
        budget=config.budget,
        approver=approver,
        store=RunStore('sqlite://'),
        checkpointer=InMemorySaver(),
        instructions=instructions,
        namespace=config.namespace,
        max_parallel_tools=config.max_parallel_tools,
        output_type=OutputSchema(config.output_schema) if config.output_schema is not None else None,
        context=KeepRecent(),
    )


def default_instructions() -> str:
    """Agentcore's current default prompt template (read at call time, so a changed template shows in replay)."""
    from .. import _runtime

    return _runtime.DEFAULT_INSTRUCTIONS


async def drive(agent: Any, task: str, run_id: str) -> RunFacts:
    """Run `task` to its end (or its pause for approval) and gather what it did from its events."""
    facts = RunFacts(summary=RunSummary(run_id=run_id, status='failed'))
    async for ev in agent.astream(task, run_id=run_id):
        if ev.type == 'tool_call_started':
            facts.tools_called.append(ev.tool)
        elif ev.type == 'policy_decision' and ev.action == 'deny':
            facts.denied.append(ev.tool)
        elif ev.type == 'tool_call_finished' and ev.tool == KNOWLEDGE_TOOL and not ev.is_error:
            facts.retrieved.append(ev.content)
        elif ev.type == 'guardrail_flagged':
            facts.flagged.append(ev.guardrail)
        elif ev.type == 'run_finished':
            facts.summary = RunSummary(
                run_id=run_id,
                status=ev.status,
                output=ev.output,
                stop_reason=ev.stop_reason,
                steps=ev.steps,
                tool_calls=len(facts.tools_called),
            )
    return facts

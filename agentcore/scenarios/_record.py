"""Recording a scenario: run an agent live through the recording wrappers and write what happened."""

from __future__ import annotations

import asyncio
import json
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._budget import Budget
from .._messages import Message, ModelResponse
from ._digest import digest_of, request_digest
from ._effects import apply_effects, workspace_snapshot
from ._expect import RunFacts, derive
from ._load import full_requests, tool_specs
from ._recording import Recorder, RecordingApprover, RecordingMemory, RecordingModel, RecordingTool, RunLog
from ._report import RunSummary
from ._runner import SandboxSource, default_instructions, drive, live_environment, make_agent, resolve_tools
from ._schema import (
    FORMAT_VERSION,
    KNOWLEDGE_TOOL,
    KnowledgeSpec,
    MemorySpec,
    RecordedCall,
    RecordedRequest,
    RecordedResponse,
    RecordedToolSpec,
    RecordedTurn,
    RunOutcome,
    SandboxSpec,
    Scenario,
    ScenarioConfig,
    ScenarioRun,
    WindowSpec,
)
from ._yamlio import ScenarioError, scenario_yaml

if TYPE_CHECKING:
    from .._mcp_settings import MCPServerConfig

_HEADER = (
    '# agentcore scenario: recorded with `agentcore record`, replayed with `agentcore replay`.\n'
    '# Review it like code. Edit `expect:` freely; to change recorded turns, record again.\n'
)


async def arecord(
    name: str,
    tasks: Sequence[str],
    *,
    model: str | Any | Sequence[str | Any],
    tools: Sequence[str] = (),
    policy: str | Path | Mapping[str, Any] | None = None,
    approvals: Sequence[Mapping[str, Any]] = (),
    budget: Budget | None = None,
    sandbox_image: str | None = None,
    workspace_files: Mapping[str, str] | None = None,
    memory: bool = False,
    memory_seed: Sequence[Mapping[str, Any]] = (),
    instructions: str | None = None,
    description: str = '',
    redact: bool = True,
    sandboxes: SandboxSource | None = None,
    mcp: Mapping[str, MCPServerConfig | Mapping[str, Any]] | None = None,
    output_schema: Mapping[str, Any] | None = None,
    knowledge_files: Mapping[str, str] | None = None,
) -> Scenario:
    """Run `tasks` live, one run each (sharing one sandbox and one memory store), and return the scenario.

    Args:
        name: the scenario name (also the prefix of its run ids).
        tasks: one task per run.
        model: a model id (`openai/gpt-4o-mini`, `scripted:PATH`...) or a `ChatModel`; or a list of them, one per
            task (each run gets its own model, e.g. one script per run).
        tools: built-in tool names or `module:attribute` references.
        policy: a policy file, or policy data; stored inline in the scenario.
        approvals: decisions (`{'kind': 'approve'}`...) given, in order, to the calls the policy asks about.
        budget: the run budget (default: the policy's, else agentcore's).
        sandbox_image: the image for sandboxed tools (default `agentcore-sandbox:latest`).
        workspace_files: files (path -> text) written to the workspace before the first run.
        memory: give the runs a fresh local episodic memory.
        memory_seed: episodes saved in that memory before the first run.
        instructions: a custom prompt; default: agentcore's template (not stored, so template changes show).
        description: free text stored with the scenario.
        redact: replace secrets found by `agentcore.guardrails.Redactor` in everything recorded.
        sandboxes: a `SandboxPool` or a factory `image -> Sandbox` (default: a new `DockerSandbox`).
        mcp: MCP servers (name to `MCPServerConfig` or connection, as `load_mcp_tools` takes) whose tools the runs
            get; each run has its own session to each server. Their calls are recorded like any tool's and served
            from the recording on replay, `--verify` included (what an outside server answers is not replayable).
        output_schema: a JSON Schema the runs' answers must match (structured output through the `final_result`
            tool); stored in `config.output_schema`.
        knowledge_files: documents (path -> text, e.g. from `knowledge_files(folder)`) ingested into a fresh
            knowledge store the `search_knowledge` tool searches (added to `tools` when missing); stored in
            `config.knowledge`. Their paths are what the citations name.

    Raises:
        ScenarioError: a bad name, tool, policy, seed episode or knowledge document. ConfigError: the model cannot be built.
        SandboxError: the sandbox cannot start. MCPError: an MCP server cannot be started or listed.
    """
    if not tasks:
        raise ScenarioError(f'<{name}>', 'give at least one task')
    models = list(model) if isinstance(model, list | tuple) else [model]
    if len(models) not in (1, len(tasks)):
        raise ScenarioError(f'<{name}>', f'give one model, or one per task ({len(tasks)}), not {len(models)}')
    models = models * len(tasks) if len(models) == 1 else models
    config = _config(
        models[0], tools, policy, budget, sandbox_image, workspace_files, memory, memory_seed, instructions, name
    )
    if output_schema is not None:
        from .._output_type import OutputSchema, OutputSchemaError

        try:
            OutputSchema(output_schema)
        except OutputSchemaError as exc:
            raise ScenarioError(f'<{name}>', str(exc), field='config.output_schema') from None
        config.output_schema = dict(output_schema)
    if knowledge_files is not None:
        config.knowledge = KnowledgeSpec(files=dict(knowledge_files))
        if KNOWLEDGE_TOOL not in config.tools:
            config.tools.append(KNOWLEDGE_TOOL)
    recorder = Recorder()
    inner_models = [_model(m) for m in models]
    config.window = _window(inner_models[0])
    live_models = [RecordingModel(m, recorder, config.window) for m in inner_models]
    plain = resolve_tools([t for t in config.tools if t != KNOWLEDGE_TOOL])  # bad names fail before anything starts
    mcp_tools = await _mcp_tools(mcp)
    if config.sandbox is None and any(t.side_effects == 'sandbox' for t in [*plain, *mcp_tools]):
        config.sandbox = SandboxSpec()
    approver = RecordingApprover(_scripted(approvals), recorder) if approvals else None
    live_policy = _policy(policy, name)
    prompt = instructions or default_instructions()
    facts_by_run: list[RunFacts] = []
    async with live_environment(config, sandboxes=sandboxes) as env:
        live_tools = [*resolve_tools(config.tools, knowledge=env.knowledge), *mcp_tools]
        wrapped = [RecordingTool(t, recorder) for t in live_tools]
        store = RecordingMemory(env.memory, recorder) if env.memory is not None else None
        for i, task in enumerate(tasks, 1):
            run_id = f'{name}-{i}'
            recorder.begin(run_id, task)
            agent = make_agent(
                config,
                model=live_models[i - 1],
                tools=list(wrapped),
                policy=live_policy,
                instructions=prompt,
                sandbox=env.sandbox,
                memory=store,
                approver=approver,
            )
            facts = await drive(agent, task, run_id)
            facts.files = set(await workspace_snapshot(env.sandbox)) if env.sandbox is not None else set()
            facts_by_run.append(facts)
    runs = [
        _run(recorder.runs[f.summary.run_id], f, _model_id(m, models[0]))
        for f, m in zip(facts_by_run, models, strict=True)
    ]
    specs = [RecordedToolSpec(**t.spec().model_dump(), side_effects=t.side_effects, source=t.source) for t in wrapped]
    scenario = Scenario(
        version=FORMAT_VERSION, name=name, description=description, config=config, tools=specs, runs=runs
    )
    if redact:
        scenario = redact_scenario(scenario)
    scenario = with_digests(scenario)
    if redact:  # the replay sees the redacted texts, so the redactor has nothing left to flag
        for f in facts_by_run:
            f.flagged = [g for g in f.flagged if g != 'redactor']
    return _with_expectations(scenario, facts_by_run)


async def _mcp_tools(servers: Mapping[str, MCPServerConfig | Mapping[str, Any]] | None) -> list[Any]:
    if not servers:
        return []
    from ..tools import load_mcp_tools

    return list(await load_mcp_tools(servers))


def record(name: str, tasks: Sequence[str], **options: Any) -> Scenario:
    """Sync form of `arecord`. Raises: as `arecord`; RuntimeError inside a running event loop."""
    return asyncio.run(arecord(name, tasks, **options))


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write `scenario` as YAML to `path` (parent folders created).

    Raises:
        OSError: the file cannot be written.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(scenario_yaml(scenario, _HEADER), encoding='utf-8')
    return p


def _config(
    model: str | Any,
    tools: Sequence[str],
    policy: Any,
    budget: Budget | None,
    image: str | None,
    files: Mapping[str, str] | None,
    memory: bool,
    seed: Sequence[Mapping[str, Any]],
    instructions: str | None,
    name: str,
) -> ScenarioConfig:
    sandbox = SandboxSpec(**({'image': image} if image else {}), files=dict(files or {})) if image or files else None
    return ScenarioConfig(
        model=model if isinstance(model, str) else str(getattr(model, 'name', type(model).__name__)),
        tools=list(tools),
        policy=_policy_data(policy, name),
        sandbox=sandbox,
        budget=budget,
        memory=MemorySpec(seed=[dict(e) for e in seed]) if memory or seed else None,
        instructions=instructions,
    )


def _window(model: Any) -> WindowSpec | None:
    """The model's context window, unless it is the default one (a scripted model that sets none, an unknown model).

    Imports litellm for a `LiteLLMModel` (its model info).
    """
    from .._context import DEFAULT_WINDOW, model_window

    w = model_window(model)
    if w.max_input_tokens == DEFAULT_WINDOW and w.max_tokens is None:
        return None
    return WindowSpec(max_input_tokens=w.max_input_tokens, max_tokens=w.max_tokens)


def _model(model: str | Any) -> Any:
    if not isinstance(model, str):
        return model
    from .._settings import load_settings
    from .._wiring import resolve_model

    return resolve_model(model, load_settings())


def _scripted(approvals: Sequence[Mapping[str, Any]]) -> Any:
    from ..policy import ScriptedApprover

    return ScriptedApprover(approvals)


def _policy_data(policy: Any, name: str) -> dict[str, Any] | None:
    if policy is None:
        return None
    if isinstance(policy, Mapping):
        return dict(policy)
    p = Path(policy)
    try:
        text = p.read_text(encoding='utf-8')
    except OSError as exc:
        raise ScenarioError(str(p), f'cannot read policy: {exc.strerror or exc}') from None
    if p.suffix == '.toml':
        data: Any = tomllib.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ScenarioError(str(p), 'a policy file must hold a mapping')
    return data


def _policy(policy: Any, name: str) -> Any:
    from ._runner import resolve_policy

    if policy is None or isinstance(policy, Mapping):
        return resolve_policy(None if policy is None else dict(policy), file=f'<{name}>', base_dir=Path('.'))
    from ..policy import load_policy

    return load_policy(policy)


def _model_id(model: Any, first: Any) -> str | None:
    if model is first:
        return None
    return model if isinstance(model, str) else str(getattr(model, 'name', type(model).__name__))


def _run(log: RunLog, facts: RunFacts, model: str | None) -> ScenarioRun:
    turns: list[RecordedTurn] = []
    prev: list[Message] | None = None
    answer: Message | None = None
    for request, outcome in log.turns:
        msgs = list(request.messages)
        if prev is None:
            added, restart = msgs, False
        elif answer is not None and msgs[: len(prev) + 1] == [*prev, answer]:
            added, restart = msgs[len(prev) + 1 :], False
        else:
            added, restart = msgs, True
        req = RecordedRequest(sha256=digest_of(request), restart=restart, messages=added)
        if isinstance(outcome, ModelResponse):
            r = outcome
            response = RecordedResponse(
                content=r.message.content,
                tool_calls=list(r.message.tool_calls),
                usage=r.usage,
                cost_usd=r.cost_usd,
                model=r.model,
            )
            turns.append(RecordedTurn(request=req, response=response, calls=_calls(log, response)))
            answer = r.message
        else:
            turns.append(RecordedTurn(request=req, error=outcome))
            answer = None
        prev = msgs
    s = facts.summary
    return ScenarioRun(
        run_id=log.run_id,
        task=log.task,
        model=model,
        recall=log.recall,
        turns=turns,
        validations=log.validations,
        saved=log.saved,
        result=RunOutcome(
            status=s.status, output=s.output, stop_reason=s.stop_reason, steps=s.steps, tool_calls=s.tool_calls
        ),
    )


def _calls(log: RunLog, response: RecordedResponse) -> list[RecordedCall]:
    out: list[RecordedCall] = []
    for tc in response.tool_calls:
        call, approval = log.calls.get(tc.id), log.approvals.get(tc.id)
        if call is None and approval is None:
            continue
        if call is None:
            try:
                args = json.loads(tc.arguments or '{}')
            except json.JSONDecodeError:
                args = {}
            call = RecordedCall(id=tc.id, name=tc.name, arguments=args if isinstance(args, dict) else {})
        out.append(call.model_copy(update={'approval': approval}))
    return out


def redact_scenario(scenario: Scenario) -> Scenario:
    """The scenario with secrets (API keys, tokens, e-mail addresses...) replaced by `[REDACTED:kind]`.

    Every recorded text is redacted: tasks, messages, tool arguments and results, memory, outcomes, the custom prompt
    and the files seeded into the sandbox (so `--verify` re-runs against the redacted seed, whose tool results match
    the redacted recording). Digests and effects are left alone (call `with_digests` afterwards).
    """
    from ..guardrails import Redactor

    redactor = Redactor()

    def walk(value: Any, key: str = '') -> Any:
        if key in ('sha256', 'effects'):
            return value
        if isinstance(value, str):
            return redactor.redact(value)[0]
        if isinstance(value, dict):
            return {k: walk(v, str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    data = scenario.model_dump(mode='json')
    data['runs'] = walk(data['runs'])
    if data['config'].get('instructions'):
        data['config']['instructions'] = walk(data['config']['instructions'])
    if data['config'].get('sandbox'):
        files = data['config']['sandbox']['files']
        data['config']['sandbox']['files'] = {path: redactor.redact(text)[0] for path, text in files.items()}
    if data['config'].get('knowledge'):
        docs = data['config']['knowledge']['files']
        data['config']['knowledge']['files'] = {path: redactor.redact(text)[0] for path, text in docs.items()}
    return Scenario.model_validate(data)


def with_digests(scenario: Scenario) -> Scenario:
    """The scenario with each turn's `request.sha256` computed from its recorded messages and tool specs."""
    specs = tool_specs(scenario)
    runs = []
    for run in scenario.runs:
        turns = [
            t.model_copy(update={'request': t.request.model_copy(update={'sha256': request_digest(m, specs)})})
            for t, m in zip(run.turns, full_requests(run), strict=True)
        ]
        runs.append(run.model_copy(update={'turns': turns}))
    return scenario.model_copy(update={'runs': runs})


def _with_expectations(scenario: Scenario, facts: list[RunFacts]) -> Scenario:
    runs = []
    modelled = dict(scenario.config.sandbox.files) if scenario.config.sandbox is not None else {}
    for run, f in zip(scenario.runs, facts, strict=True):
        for turn in run.turns:
            for call in turn.calls:
                if call.effects is not None:
                    apply_effects(modelled, call.effects)
        summary = RunSummary(run_id=run.run_id, **run.result.model_dump())
        derived = RunFacts(
            summary=summary,
            tools_called=f.tools_called,
            denied=f.denied,
            flagged=f.flagged,
            files={p for p in f.files if p in modelled},
            retrieved=f.retrieved,
        )
        structured = scenario.config.output_schema is not None
        runs.append(run.model_copy(update={'expect': derive(derived, structured=structured)}))
    return scenario.model_copy(update={'runs': runs})

"""`Agent`: the Python API for running, streaming and resuming agent runs."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
import warnings
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeAlias, TypeVar, cast

from pydantic import BaseModel, Field
from typing_extensions import TypeVar as DefaultTypeVar

from ._budget import Budget
from ._checkpoint import open_checkpointer
from ._context import ContextPolicy, add_fetch_tool, default_policy as default_context
from ._cost import Costed, check_usd_budget
from ._events import RunEvent, RunFinished, RunStarted
from ._graph import build_graph
from ._messages import Usage
from ._model import ChatModel
from ._model_settings import ModelSettings
from ._output_type import DEFAULT_OUTPUT_RETRIES, OutputSchema, OutputSpec, output_spec
from ._runtime import DEFAULT_INSTRUCTIONS, RUN_EVENTS, RUN_SANDBOX, RunContext
from ._settings import Settings, load_settings
from ._state import run_usage
from ._wiring import (
    allowlist_probe,
    as_tool,
    audit_log,
    default_guardrails,
    persist_redactor,
    resolve_model,
    resolve_policy,
)
from ._workspace import RUN_WORKSPACE, WorkspaceLostError, WorkspaceTracker, restore_for_resume

if TYPE_CHECKING:
    from langchain_core.runnables import RunnableConfig
    from langchain_core.tools import BaseTool
    from langgraph.checkpoint.base import BaseCheckpointSaver
    from langgraph.graph.state import CompiledStateGraph
    from langgraph.types import Command, StateSnapshot

    from .guardrails import Guardrail
    from .memory import MemoryStore
    from .policy import ApprovalDecision, Approver, Policy
    from .runstore import RunStore
    from .sandbox import Sandbox, SandboxProvider
    from .tools import Tool

T = TypeVar('T')
#: The type of a run's output: `str` (a text answer) unless the agent has an `output_type`.
OutputT = DefaultTypeVar('OutputT', default=str)
#: What drives the graph: the initial state, a `Command` answering an interrupt, or `None` to resume.
GraphInput: TypeAlias = 'dict[str, Any] | Command[Any] | None'
Status = Literal['completed', 'stopped_by_budget', 'stopped_by_loop', 'denied', 'awaiting_approval', 'failed']


class RunError(BaseModel):
    """The error that ended a run: its class name, message and fix. `usage_error`: a configuration mistake."""

    type: str
    message: str
    hint: str | None = None
    usage_error: bool = False


class RunResult(Costed, Generic[OutputT]):
    """The outcome of a run (or of a run paused for approval).

    `output` is the answer: text, or with `Agent(output_type=T)` the validated `T` (`RunResult[T]`); `None`
    unless the run completed.
    `cost_usd` is `None` and `cost_known` false when a model turn's cost was unknown (no price for the model).
    `stopped_by_loop`: the same failing tool call kept being repeated (`Budget.loop_limit`; `stop_reason` names it).
    """

    run_id: str
    status: Status
    output: OutputT | None = None
    steps: int = 0
    tool_calls: int = 0
    usage: Usage = Field(default_factory=Usage)
    stop_reason: str | None = None
    #: The call waiting for a decision when `status == 'awaiting_approval'`.
    pending_approval: dict[str, Any] | None = None
    #: The last model turn's `finish_reason`; `length` or `content_filter` mean the answer is incomplete (and
    #: `stop_reason` says so).
    finish_reason: str | None = None
    #: What ended a `failed` run, when a model error did.
    error: RunError | None = None


class Agent(Generic[OutputT]):
    """A tool-using agent; `Agent[T]` when its runs end with structured output of type `T` (`output_type`).

    Args:
        model: a litellm model id (`openai/gpt-4o-mini`, ...), `scripted:PATH` for a scripted model file, or any
            `ChatModel`.
        tools: `Tool`s, typed Python functions, or langchain `BaseTool`s.
        sandbox: where sandboxed tools run: a `Sandbox` shared by every run, a `SandboxProvider` such as a
            `SandboxPool` (each run gets its own sandbox), or `None`.
        memory: a `MemoryStore` for recall and remember, or `None`.
        policy: a `Policy`, a path to a policy file, or `None`: `Policy.default_policy()`, under which tools with
            side effects `none` or `sandbox` run, `external` ones ask a human (so do memory writes once untrusted
            content is in the context; calls using a value untrusted content told the agent to use are denied),
            MCP tools are denied until a rule names them and no network domain is reachable. Every call allowed
            is `Policy.allow_all()`: an explicit choice, never the default.
        budget: limits for each run; defaults to the policy's budget, else `Budget()`.
        guardrails: guardrails on input, tool output and final output; `None` gives the defaults (injection
            detection on tool output, secret/PII redaction on the answer).
        approver: decides `ask` calls without pausing the run (e.g. `CLIApprover`); without one, a run that needs
            approval returns with status `awaiting_approval`, to be continued with `resume`.
        store: the run store (a `RunStore` or a SQLAlchemy URL); default from settings.
        checkpointer: a SQLite `Path`, `'memory'`, a `postgresql://` URL or a LangGraph saver; default from settings.
        instructions: the system prompt.
        namespace: memory namespace (agent or user) for this agent's episodes.
        max_parallel_tools: how many tool calls of one turn run at once.
        on_interrupted_external: what a resumed run does with a call that has external side effects, started
            before a crash and never finished (it may or may not have taken effect): `ask` an approver (the run
            pauses for a decision), `skip` it (the model is told), or `retry` it. Default: the policy's
            `interrupted_external`, else `ask`.
        settings: agentcore's settings; default `load_settings()`.
        model_settings: request parameters (`tool_choice`, `temperature`, `seed`, `max_tokens`, `extra_body`)
            over those of `settings`, for a `model` given as a model id (a `ChatModel` object keeps its own).
        output_type: the type of the answer: a pydantic model, a dataclass, a TypedDict, a union of those, a
            scalar type, or an `OutputSchema` (a JSON Schema; the output is plain JSON data). Offered to the model
            as a final-answer tool (`final_result`), or the provider's JSON-schema mode when the model profile
            says `structured_output='json_schema'`; `RunResult.output` is then the validated value. Default:
            a text answer (`str`). For a union, name the type: `Agent[A | B](model, output_type=A | B)`.
        output_retries: how many times invalid structured output (or a text answer instead of it) is sent back
            to the model, each error named, before the run ends `failed` (`OutputValidationError`).
        context: which messages of the run's history each model turn is sent (`KeepRecent`, `DropOldToolOutputs`,
            `Summarise`, or any `ContextPolicy`); the run's state keeps the whole history either way. `None`:
            old tool outputs become stubs (`fetch_tool_output` gets one back), then only the recent turns are
            kept, within the model's window less the tool schemas and `max_tokens`.

    Raises:
        ConfigError: the settings are invalid, or no usable model is configured.
        PolicyFileError: `policy` names a file that cannot be used.
        TypeError: an entry of `tools` is not a tool, a LangChain tool or a function.
        OutputSchemaError: `output_type` cannot be given a JSON schema. ValueError: `output_retries` is negative.
    """

    def __init__(
        self,
        model: str | ChatModel | None = None,
        tools: Iterable[Tool | BaseTool | Callable[..., Any]] = (),
        *,
        sandbox: Sandbox | SandboxProvider | None = None,
        memory: MemoryStore | None = None,
        policy: Policy | str | Path | None = None,
        budget: Budget | None = None,
        guardrails: Sequence[Guardrail] | None = None,
        approver: Approver | None = None,
        store: RunStore | str | None = None,
        checkpointer: BaseCheckpointSaver[Any] | Path | str | None = None,
        instructions: str = DEFAULT_INSTRUCTIONS,
        namespace: str = 'default',
        max_parallel_tools: int = 4,
        on_interrupted_external: Literal['ask', 'skip', 'retry'] | None = None,
        settings: Settings | None = None,
        model_settings: ModelSettings | None = None,
        output_type: type[OutputT] | OutputSchema[OutputT] | UnionType | None = None,
        output_retries: int = DEFAULT_OUTPUT_RETRIES,
        context: ContextPolicy | None = None,
    ) -> None:
        if output_retries < 0:
            raise ValueError(f'output_retries must be 0 or more, got {output_retries}')
        #: The structured output the runs end with (`None`: a text answer).
        self._output: OutputSpec | None = output_spec(output_type)
        self.output_retries = output_retries
        self.settings = settings or load_settings()
        self.model = resolve_model(model, self.settings, model_settings)
        self.policy = resolve_policy(policy)
        gap = self.policy.sandbox_gap(sandbox)
        if gap is not None:  # the policy's write rule would be advisory only: say so where the agent is built
            warnings.warn(gap, UserWarning, stacklevel=2)
        from .runstore import RunStore

        if store is None or isinstance(store, str):
            url = store or self.settings.run_store_url
            if url.startswith('sqlite:///'):
                Path(url.removeprefix('sqlite:///')).parent.mkdir(parents=True, exist_ok=True)
            store = RunStore(url)
        self.store: RunStore = store
        tool_list = [as_tool(t) for t in tools]
        self._rt = RunContext(
            model=self.model,
            tools={t.name: t for t in tool_list},
            store=store,
            budget=budget or self.policy.budget or Budget(),
            policy=self.policy,
            guardrails=default_guardrails() if guardrails is None else list(guardrails),
            memory=memory,
            sandbox=sandbox,
            instructions=instructions,
            max_parallel_tools=max_parallel_tools,
            on_interrupted_external=on_interrupted_external or self.policy.interrupted_external,
            audit=audit_log(store),
            redactor=persist_redactor(guardrails),
            context=context if context is not None else default_context(),
        )
        self._rt.on_demand_tools = add_fetch_tool(self._rt.tools, store)
        self.namespace = namespace
        self.approver = approver
        self._results: dict[str, RunResult[Any]] = {}
        self._compiled: CompiledStateGraph[Any, Any, Any, Any] | None = None
        self._allowlist: set[tuple[str, ...]] | None = None
        #: Extra data stored with each run's record (e.g. the CLI options, so `agentcore resume` can rebuild it).
        self.run_metadata: dict[str, Any] = {}
        #: Where runs are checkpointed. `'memory'` gives this agent its own in-memory saver (runs resume only
        #: through this agent object).
        self.checkpointer: BaseCheckpointSaver[Any] | Path | str = checkpointer if checkpointer is not None else (
            self.settings.checkpoint_url or self.settings.checkpoint_path
        )

    @property
    def tools(self) -> list[Tool]:
        return [t for t in self._rt.tools.values() if t.name not in self._rt.on_demand_tools]

    @property
    def budget(self) -> Budget:
        return self._rt.budget

    # -- async API --------------------------------------------------------------------------------------------
    async def arun(
        self, task: str, *, run_id: str | None = None, on_event: Callable[[RunEvent], None] | None = None
    ) -> RunResult[OutputT]:
        """Run `task` to completion (or to a pause for approval) and return the result.

        `on_event`, when given, sees every event as it happens (as `astream` would yield it, token deltas of a
        streaming model included): a progress display without giving up the `RunResult`.

        Raises:
            ConfigError: the budget sets `max_usd` and the model knows no price (see `PricedModel`); nothing ran.
        """
        run_id = run_id or uuid.uuid4().hex
        return await self._consume(run_id, self._start(task, run_id, live=on_event is not None), on_event)

    def astream(self, task: str, *, run_id: str | None = None) -> AsyncIterator[RunEvent]:
        """Run `task`, yielding typed events as they happen. The last event is `RunFinished`.

        Raises:
            ConfigError: as `arun`, from the first step of the iteration.
        """
        return self._start(task, run_id or uuid.uuid4().hex, live=True)

    async def _start(self, task: str, run_id: str, *, live: bool) -> AsyncGenerator[RunEvent, None]:
        check_usd_budget(self.model, self._rt.budget)  # before anything is stored: the run never starts
        await self.store.areconcile_interrupted()  # runs whose process died: `interrupted` (once per store)
        state = _initial_state(run_id, task, self.namespace, time.time())
        async with contextlib.aclosing(self._drive(run_id, None, live=live, first=state)) as events:
            async for event in events:
                yield event

    async def _begin(
        self, graph: CompiledStateGraph[Any, Any, Any, Any], run_id: str, state: dict[str, Any]
    ) -> RunStarted:
        """Create run `run_id`: its first checkpoint (`state`, not yet run), then its row, then its `RunStarted`.

        The checkpoint comes before the row: a run that exists can always be resumed.
        """
        config: RunnableConfig = {'configurable': {'thread_id': run_id}}
        await graph.aupdate_state(config, state, as_node=_INPUT)
        task = state['task']
        created = await self.store.acreate_run(run_id, self._rt.redact(task), self.model.name,
                                               {'tools': sorted(t.name for t in self.tools), **self.run_metadata})
        if created and self._rt.audit is not None:
            self._rt.audit.begin(run_id)
        started = RunStarted(run_id=run_id, task=task, model=self.model.name, policy=self.policy.source)
        self.store.add_event(run_id, self._rt.redact(started.model_dump(mode='json')))
        return started

    def _state_of_record(self, run_id: str) -> dict[str, Any]:
        """The initial state of a run from its row, for a run created without a first checkpoint.

        An older agentcore created runs so, and a crash before the first node left them unresumable. The task is
        the stored one.

        Raises:
            RunNotFoundError: no such run.
        """
        from datetime import datetime

        record = self.store.get_run(run_id)
        return _initial_state(run_id, record.task, self.namespace, datetime.fromisoformat(record.created_at).timestamp())

    async def _settle(self, run_id: str, values: dict[str, Any]) -> None:
        """Bring the row of a run whose checkpoint says it ended up to date (its last store write may have failed).

        A full disk, say. No write when the row already says so.
        """
        status = values.get('status') or 'failed'
        if status == 'running' or self.store.get_run(run_id).status == status:
            return
        await self.store.aupdate_run(run_id, status=status, output=values.get('output'),
                                     stop_reason=values.get('stop_reason'), steps=values.get('steps', 0),
                                     tool_calls=values.get('tool_calls', 0),
                                     input_tokens=values.get('input_tokens', 0),
                                     output_tokens=values.get('output_tokens', 0),
                                     cost_usd=values.get('cost_usd', 0.0))

    async def aresume(self, run_id: str, decision: ApprovalDecision | None = None) -> RunResult[OutputT]:
        """Continue a run after a crash (from its last checkpoint) or after a pause for approval.

        `decision` answers the pause: `Approve()`, `Edit(arguments=...)`, `Reject(reason=...)` or `Abort(...)`
        from `agentcore.policy`.

        Raises:
            RunNotFoundError: no such run in the run store.
            ApprovalError: `decision` is not an approval decision.
            ValueError: the run awaits approval and no decision (and no approver) was given.
        """
        return await self._consume(run_id, self._resume(run_id, decision, live=False))

    def astream_resume(self, run_id: str, decision: ApprovalDecision | None = None) -> AsyncIterator[RunEvent]:
        """Like `aresume`, yielding events."""
        return self._resume(run_id, decision, live=True)

    async def _resume(
        self, run_id: str, decision: ApprovalDecision | None, *, live: bool
    ) -> AsyncGenerator[RunEvent, None]:
        self.store.get_run(run_id)
        graph_input = None if decision is None else _answer(decision)
        async with contextlib.aclosing(self._drive(run_id, graph_input, resuming=True, live=live)) as events:
            async for event in events:
                yield event

    async def afork(self, run_id: str, *, at_step: int, new_run_id: str | None = None) -> str:
        """Start a new run from step `at_step` of `run_id`, with that step's files; returns the new run's id.

        Step N is the point after the tools of model turn N ran (0: before the first model turn). The new run
        has the old one's conversation and counters up to there, its task, model and stored configuration, and
        its workspace as step N left it (restored into the sandbox when it continues). Nothing runs until it is
        continued with `aresume(new_id)` (or `agentcore resume NEW_ID`); the old run is left as it is.

        Raises:
            RunNotFoundError: no such run in the run store.
            ForkError: the run never reached step `at_step`, or has no checkpoints.
        """
        import json

        from ._fork import fork_checkpoint

        record = self.store.get_run(run_id)
        new_id = new_run_id or uuid.uuid4().hex
        async with open_checkpointer(self._checkpoint_target()) as saver:
            await fork_checkpoint(self._graph(saver), saver, run_id, at_step, new_id)
        config = {**json.loads(record.config_json or '{}'), 'forked_from': run_id, 'forked_at_step': at_step}
        created = await self.store.acreate_run(new_id, record.task, record.model, config)
        if created and self._rt.audit is not None:
            self._rt.audit.begin(new_id)
        return new_id

    def _checkpoint_target(self) -> BaseCheckpointSaver[Any] | Path | str:
        """Where runs are checkpointed; `'memory'` becomes this agent's own in-memory saver on first use."""
        if isinstance(self.checkpointer, str) and self.checkpointer == 'memory':
            from langgraph.checkpoint.memory import InMemorySaver

            self.checkpointer = InMemorySaver()
        return self.checkpointer

    # -- sync wrappers ----------------------------------------------------------------------------------------
    def run(
        self, task: str, *, run_id: str | None = None, on_event: Callable[[RunEvent], None] | None = None
    ) -> RunResult[OutputT]:
        """Sync form of `arun`. Raises: RuntimeError: called from inside a running event loop."""
        return _sync(self.arun(task, run_id=run_id, on_event=on_event))

    def resume(self, run_id: str, decision: ApprovalDecision | None = None) -> RunResult[OutputT]:
        """Sync form of `aresume`."""
        return _sync(self.aresume(run_id, decision))

    def fork(self, run_id: str, *, at_step: int, new_run_id: str | None = None) -> str:
        """Sync form of `afork`."""
        return _sync(self.afork(run_id, at_step=at_step, new_run_id=new_run_id))

    # -- driving the graph ------------------------------------------------------------------------------------
    async def _drive(
        self, run_id: str, graph_input: GraphInput, *, resuming: bool = False, live: bool = True,
        first: dict[str, Any] | None = None,
    ) -> AsyncGenerator[RunEvent, None]:
        """Run the graph for `run_id` (created first, from initial state `first`, when given).

        With `live`, its events are streamed as they happen; without (`arun`), they are only stored.
        """
        from .tools import MCPSessions  # one session per MCP server for the run, closed with it

        async with open_checkpointer(self._checkpoint_target()) as saver:
            graph = self._graph(saver)
            if first is not None:  # one checkpointer opening for the run's creation and its whole drive
                yield await self._begin(graph, run_id, first)
            async with self._run_sandbox() as sandbox, MCPSessions():
                token = RUN_SANDBOX.set(sandbox)
                tracked = RUN_WORKSPACE.set(WorkspaceTracker())
                try:
                    # aclosing: a consumer that stops early closes every generator down to the graph run, at once
                    ev = self._drive_graph(graph, run_id, graph_input, resuming=resuming, live=live)
                    async with contextlib.aclosing(ev):
                        async for event in ev:
                            yield event
                except Exception as exc:  # a bug or a broken backend: the row must not say `running` while we live
                    await self._mark_crashed(run_id, exc)
                    raise
                finally:
                    RUN_WORKSPACE.reset(tracked)
                    RUN_SANDBOX.reset(token)

    async def _mark_crashed(self, run_id: str, exc: Exception) -> None:
        """Mark a run whose driving raised as `failed` (its checkpoint stays: `resume` can continue it)."""
        reason = f'{type(exc).__name__}: {exc}'[:500]
        with contextlib.suppress(Exception):  # the store itself may be what failed
            if self.store.get_run(run_id).status == 'running':
                await self.store.aupdate_run(run_id, status='failed',
                                             stop_reason=f'the run raised {reason}; `agentcore resume {run_id}` '
                                                         'continues it from its last checkpoint')

    def _graph(self, saver: BaseCheckpointSaver[Any]) -> CompiledStateGraph[Any, Any, Any, Any]:
        """The compiled graph, checkpointed by `saver`. Compiled once per agent; each run gets a cheap copy."""
        if self._compiled is None:
            probe = allowlist_probe()
            self._compiled = build_graph(self._rt, probe, output=self._output, output_retries=self.output_retries)
            self._allowlist = probe.allowlist
        if self._allowlist is not None:
            saver = saver.with_allowlist(self._allowlist)
        return self._compiled.copy(update={'checkpointer': saver})

    async def _drive_graph(
        self, graph: CompiledStateGraph[Any, Any, Any, Any], run_id: str, graph_input: GraphInput, *,
        resuming: bool, live: bool,
    ) -> AsyncGenerator[RunEvent, None]:
        config: RunnableConfig = {'configurable': {'thread_id': run_id}, 'recursion_limit': 100_000}
        if resuming:
            snapshot = await graph.aget_state(config)
            if not snapshot.next:
                if not snapshot.values:  # created without a first checkpoint: start it from its row
                    graph_input = self._state_of_record(run_id)
                else:
                    self._results[run_id] = _result(run_id, snapshot.values, None, self._output)
                    await self._settle(run_id, snapshot.values)
                    return
            pending = _interrupt_value(snapshot)
            if pending is not None and graph_input is None:
                if self.approver is None:
                    raise ValueError(f'run {run_id!r} is waiting for approval of {pending["tool"]!r}: '
                                     'pass a decision (Approve, Edit, Reject or Abort)')
                graph_input = await self._ask_approver(self.approver, pending)
            restored = await restore_for_resume(self._rt.run_sandbox(), self.store.blobs, run_id, snapshot.values)
            if restored is not None:
                self.store.add_event(run_id, self._rt.redact(restored.model_dump(mode='json')))
                yield restored
                if restored.error is not None:
                    yield await self._workspace_lost(run_id, snapshot.values, restored.error)
                    return
            await self.store.areconcile_interrupted()
            await self.store.aclaim_run(run_id)  # this process drives it now: `running`, owned by it
        while True:
            interrupted: dict[str, Any] | None = None
            async with contextlib.aclosing(_run_graph(graph, graph_input, config, live=live)) as events:
                async for event in events:
                    yield event
            snapshot = await graph.aget_state(config)
            interrupted = _interrupt_value(snapshot)
            if interrupted is not None and self.approver is not None:
                graph_input = await self._ask_approver(self.approver, interrupted)
                continue
            break
        result = self._results[run_id] = _result(run_id, snapshot.values, interrupted, self._output)
        if interrupted is not None:
            await self.store.aupdate_run(run_id, status='awaiting_approval')
            paused = RunFinished(run_id=run_id, status='awaiting_approval', steps=result.steps,
                                 usage=result.usage, cost_usd=result.cost_usd,
                                 stop_reason=f'waiting for approval of {interrupted["tool"]!r}')
            self.store.add_event(run_id, self._rt.redact(paused.model_dump(mode='json')))
            yield paused

    async def _workspace_lost(self, run_id: str, values: dict[str, Any], why: str) -> RunFinished:
        """End a resume whose workspace could not be restored: the run is `failed`, its checkpoint kept."""
        error = WorkspaceLostError(why)
        reason = f'workspace not restored: {why}'
        await self.store.aupdate_run(run_id, status='failed', stop_reason=reason)
        result = _result(run_id, values, None, self._output)
        self._results[run_id] = result.model_copy(update={
            'status': 'failed', 'stop_reason': reason,
            'error': RunError(type=type(error).__name__, message=str(error), hint=error.hint)})
        finished = RunFinished(run_id=run_id, status='failed', stop_reason=reason, steps=result.steps,
                               usage=result.usage, cost_usd=result.cost_usd)
        self.store.add_event(run_id, self._rt.redact(finished.model_dump(mode='json')))
        return finished

    async def _ask_approver(self, approver: Approver, request: dict[str, Any]) -> Command[Any]:
        from .policy import ApprovalRequest

        return _answer(await approver.decide(ApprovalRequest.model_validate({**request, 'tool_name': request['tool']})))

    @asynccontextmanager
    async def _run_sandbox(self) -> AsyncIterator[Sandbox | None]:
        """The run's sandbox: its own, lent by the agent's pool for the length of the run, or the shared one."""
        from .sandbox import SandboxProvider

        sandbox = self._rt.sandbox
        if isinstance(sandbox, SandboxProvider):
            box = await sandbox.aacquire()
            try:
                yield box
            finally:
                await sandbox.arelease(box)
        else:
            yield sandbox

    async def _consume(
        self, run_id: str, events: AsyncIterator[RunEvent], on_event: Callable[[RunEvent], None] | None = None
    ) -> RunResult[OutputT]:
        async for event in events:
            if on_event is not None:
                on_event(event)
        return cast('RunResult[OutputT]', self._results.pop(run_id))


async def _run_graph(
    graph: CompiledStateGraph[Any, Any, Any, Any], graph_input: GraphInput, config: RunnableConfig, *, live: bool = True
) -> AsyncGenerator[RunEvent, None]:
    """Run `graph` to its end or its next interrupt, yielding the events its nodes emit as they happen.

    Events reach the caller through an in-process queue (`RUN_EVENTS`), as the typed objects the nodes built: no
    serialisation, and none of the per-event wake-ups of LangGraph's own custom stream. Closing the iterator
    early cancels the run. Without `live` nothing is yielded (nobody listens: the events are only stored).

    Raises:
        Exception: whatever the graph raised.
    """
    if not live:
        token = RUN_EVENTS.set(None)  # not even to an enclosing run's stream (an agent called by a tool)
        try:
            await graph.ainvoke(graph_input, config, durability='sync')
        finally:
            RUN_EVENTS.reset(token)
        return
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[RunEvent | None] = asyncio.Queue()
    owner = threading.get_ident()

    def sink(event: RunEvent) -> None:
        if threading.get_ident() == owner:
            queue.put_nowait(event)
        else:  # emitted from a worker thread
            loop.call_soon_threadsafe(queue.put_nowait, event)

    token = RUN_EVENTS.set(sink)
    try:  # the task copies the current context, sink included
        task = asyncio.ensure_future(graph.ainvoke(graph_input, config, durability='sync'))
    finally:
        RUN_EVENTS.reset(token)
    task.add_done_callback(lambda _: queue.put_nowait(None))
    try:
        while (event := await queue.get()) is not None:
            yield event
        await task
    finally:
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


#: LangGraph's name for "as the graph's input" in `update_state` (`langgraph._internal._constants.INPUT`).
_INPUT = '__input__'


def _initial_state(run_id: str, task: str, namespace: str, started_at: float) -> dict[str, Any]:
    return {'run_id': run_id, 'task': task, 'namespace': namespace, 'status': 'running', 'started_at': started_at,
            'steps': 0, 'tool_calls': 0, 'input_tokens': 0, 'output_tokens': 0, 'cost_usd': 0.0, 'pending': []}


def _sync(coro: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError('called the sync API inside a running event loop: use `await agent.arun(...)` instead')


def _answer(decision: ApprovalDecision) -> Command[Any]:
    """What resumes the graph with `decision`: a LangGraph `Command` carrying the decision as plain data.

    Raises:
        ApprovalError: `decision` is not an approval decision.
    """
    from langgraph.types import Command

    from .policy import decision_to_dict, parse_decision

    return Command(resume=decision_to_dict(parse_decision(decision)))


def _interrupt_value(snapshot: StateSnapshot) -> dict[str, Any] | None:
    for task in snapshot.tasks:
        for intr in task.interrupts:
            return dict(intr.value)
    return None


def _result(
    run_id: str, values: dict[str, Any], interrupted: dict[str, Any] | None, output: OutputSpec | None = None
) -> RunResult[Any]:
    """The result of a run from its state; structured output (stored as JSON text) rebuilt as the output type.

    Raises:
        ValueError: the stored output does not match `output` (a run checkpointed with another output type).
    """
    status = 'awaiting_approval' if interrupted is not None else (values.get('status') or 'failed')
    if status == 'running':
        status = 'failed'
    answer = values.get('output')
    if output is not None and isinstance(answer, str):
        answer = output.rebuild(answer)
    return RunResult[Any](
        run_id=run_id,
        status=status,
        output=answer,
        steps=values.get('steps', 0),
        tool_calls=values.get('tool_calls', 0),
        usage=run_usage(values),
        cost_usd=values.get('cost_usd', 0.0),
        stop_reason=values.get('stop_reason'),
        pending_approval=interrupted,
        finish_reason=values.get('finish_reason'),
        error=RunError.model_validate(values['error']) if values.get('error') else None,
    )

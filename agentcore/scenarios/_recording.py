"""Recording wrappers: around the `ChatModel`, each `Tool`, the memory store and the approver of a live run.

Each wrapper behaves exactly like what it wraps and writes what passed through it to a shared `Recorder`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcore.tools import Tool, ToolArgumentsError, ToolContext, ToolResult

from .._cost import price_known
from .._messages import ModelRequest, ModelResponse
from .._model import ChatModel, ModelError
from ._digest import canonical_json
from ._effects import EffectTracker

if TYPE_CHECKING:
    from ..policy import ApprovalDecision, ApprovalRequest, Approver
from ._schema import (
    MemoryRecall,
    MemorySave,
    RecordedApproval,
    RecordedCall,
    RecordedError,
    RecordedHit,
    RecordedValidation,
    WindowSpec,
)

#: Episode fields that differ on every run (random id, clock) and so are not recorded.
VOLATILE_EPISODE_FIELDS = ('id', 'created_at')


@dataclass
class RunLog:
    """Everything recorded for one run."""

    run_id: str
    task: str
    turns: list[tuple[ModelRequest, ModelResponse | RecordedError]] = field(default_factory=list)
    calls: dict[str, RecordedCall] = field(default_factory=dict)
    approvals: dict[str, RecordedApproval] = field(default_factory=dict)
    validations: list[RecordedValidation] = field(default_factory=list)
    recall: MemoryRecall | None = None
    saved: MemorySave | None = None


class Recorder:
    """Collects what the recording wrappers see, run by run. Runs are recorded one after the other."""

    def __init__(self) -> None:
        self.runs: dict[str, RunLog] = {}
        self._current: RunLog | None = None
        self.tracker = EffectTracker()

    def begin(self, run_id: str, task: str) -> RunLog:
        log = self.runs[run_id] = RunLog(run_id, task)
        self._current = log
        return log

    @property
    def current(self) -> RunLog:
        """Raises: RuntimeError: no run has begun."""
        if self._current is None:
            raise RuntimeError('Recorder.begin(run_id, task) must be called before the run starts')
        return self._current

    def log_for(self, run_id: str) -> RunLog:
        return self.runs.get(run_id) or self.current


class RecordingModel:
    """A `ChatModel` that records each request and the response (or the `ModelError`) of the model it wraps."""

    def __init__(self, inner: ChatModel, recorder: Recorder, window: WindowSpec | None = None) -> None:
        self.inner = inner
        self.recorder = recorder
        #: The window the context policy trims requests to (`config.window`; `None`: the default), as on replay.
        self.max_input_tokens = window.max_input_tokens if window is not None else None
        self.max_tokens = window.max_tokens if window is not None else None

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def price_known(self) -> bool:
        """What the wrapped model says (see `PricedModel`)."""
        return price_known(self.inner)

    async def complete(self, request: ModelRequest) -> ModelResponse:
        """Raises: ModelError: what the wrapped model raised (recorded first)."""
        log = self.recorder.current
        try:
            response = await self.inner.complete(request)
        except ModelError as exc:
            log.turns.append((request, RecordedError(type=type(exc).__name__, message=str(exc), hint=exc.hint)))
            raise
        log.turns.append((request, response))
        return response


class RecordingTool(Tool):
    """A `Tool` that records what passes through it.

    Each call's arguments, result (or error) and sandbox effects, and argument checks that changed or refused
    the arguments.
    """

    def __init__(self, inner: Tool, recorder: Recorder) -> None:
        self.inner = inner
        self.recorder = recorder
        self.name = inner.name
        self.description = inner.description
        self.side_effects = inner.side_effects
        self.source = inner.source

    @property
    def parameters(self) -> dict[str, Any]:
        return self.inner.parameters

    def spec(self) -> Any:
        return self.inner.spec()

    def validate_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Raises: ToolArgumentsError: what the wrapped tool raised (recorded first)."""
        log = self.recorder.current
        try:
            checked = self.inner.validate_arguments(arguments)
        except ToolArgumentsError as exc:
            log.validations.append(RecordedValidation(tool=self.name, arguments=arguments, error=str(exc)))
            raise
        if canonical_json(checked) != canonical_json(arguments):
            log.validations.append(RecordedValidation(tool=self.name, arguments=arguments, coerced=checked))
        return checked

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Raises: whatever the wrapped tool raised (recorded first)."""
        obs = await self.recorder.tracker.observe(self.inner, arguments, ctx)
        log = self.recorder.log_for(ctx.run_id)
        log.calls[ctx.call_id] = RecordedCall(
            id=ctx.call_id, name=self.name, arguments=arguments, result=obs.result, error=obs.error, effects=obs.effects
        )
        if obs.exception is not None:
            raise obs.exception
        assert obs.raw is not None
        return obs.raw


class RecordingMemory:
    """A memory store wrapper that records the recall search and the saved episode."""

    def __init__(self, inner: Any, recorder: Recorder) -> None:
        self.inner = inner
        self.recorder = recorder
        self.backend = str(getattr(inner, 'backend', type(inner).__name__))

    async def asearch(self, query: str, *, k: int = 5, filters: Any | None = None) -> list[Any]:
        """Raises: whatever the wrapped store raised (recorded first)."""
        log = self.recorder.current
        try:
            hits = await self.inner.asearch(query, k=k, filters=filters)
        except Exception as exc:
            log.recall = MemoryRecall(query=query, error=f'{type(exc).__name__}: {exc}')
            raise
        log.recall = MemoryRecall(
            query=query,
            hits=[
                RecordedHit(score=round(float(h.score), 6), episode=stable_episode(h.episode.model_dump(mode='json')))
                for h in hits
            ],
        )
        return list(hits)

    async def asave(self, episode: Any) -> str:
        """Raises: whatever the wrapped store raised."""
        if not is_tool_save(episode):  # a `memory_save` call is recorded as that call's result
            self.recorder.current.saved = MemorySave(episode=stable_episode(episode.model_dump(mode='json')))
        return str(await self.inner.asave(episode))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def is_tool_save(episode: Any) -> bool:
    """Whether `episode` is saved by the `memory_save` tool (not the end-of-run episode the recording keeps)."""
    metadata = getattr(episode, 'metadata', None)
    return isinstance(metadata, dict) and metadata.get('source') == 'memory_save'


def stable_episode(data: dict[str, Any]) -> dict[str, Any]:
    """An episode's fields without the ones that change on every run."""
    return {k: v for k, v in data.items() if k not in VOLATILE_EPISODE_FIELDS}


class RecordingApprover:
    """An approver wrapper that records each decision by call id."""

    def __init__(self, inner: Approver, recorder: Recorder) -> None:
        self.inner = inner
        self.recorder = recorder

    async def decide(self, request: ApprovalRequest) -> ApprovalDecision:
        """Raises: whatever the wrapped approver raised."""
        from ..policy import Abort, Edit, Reject, parse_decision

        decision = parse_decision(await self.inner.decide(request))
        self.recorder.current.approvals[request.call_id] = RecordedApproval(
            kind=decision.kind,
            arguments=decision.arguments if isinstance(decision, Edit) else None,
            reason=decision.reason if isinstance(decision, Reject | Abort) else None,
        )
        return decision

"""Replay stand-ins: a `ChatModel`, tools, a memory store and an approver served from a recording.

Each reports what does not match the recording to the `ReplaySession` (with a diff) instead of failing silently.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agentcore.tools import Tool, ToolArgumentsError, ToolContext, ToolResult

from .._messages import ModelRequest, ModelResponse, ToolSpec
from .._model import ModelError
from ._digest import canonical_json, closest, digest_of, pretty_lines, render_request, unified_diff
from ._effects import VOLATILE_DATA_KEYS
from ._load import full_requests, tool_specs
from ._recording import is_tool_save, stable_episode
from ._schema import RecordedCall, RecordedResult, RecordedToolSpec
from ._session import ReplaySession, rebuild_exception

if TYPE_CHECKING:
    from ..policy import ApprovalDecision, ApprovalRequest


class ReplayModel:
    """A `ChatModel` that answers each request with the recorded response for the same request digest.

    A request the recording does not hold is a divergence: the session gets a unified diff against the closest
    recorded request of the run, and `complete` raises `ModelError` (which ends the run as `failed`).
    """

    def __init__(self, session: ReplaySession, *, name: str | None = None) -> None:
        self.session = session
        self._name = name or session.run.model or session.scenario.config.model
        self._served: set[int] = set()
        window = session.scenario.config.window  # the recording's window: requests are trimmed as they were
        self.max_input_tokens = window.max_input_tokens if window is not None else None
        self.max_tokens = window.max_tokens if window is not None else None
        self._by_digest: dict[str, list[int]] = {}
        for i, turn in enumerate(session.run.turns):
            self._by_digest.setdefault(turn.request.sha256, []).append(i)

    @property
    def name(self) -> str:
        return self._name

    async def complete(self, request: ModelRequest) -> ModelResponse:
        """Raises: ModelError: the request is not in the recording, or the recorded model call failed."""
        run = self.session.run
        indexes = self._by_digest.get(digest_of(request))
        if not indexes:
            self._diverge(request)
            raise ModelError(
                'replay: the model was sent a request that the recording does not hold',
                hint='see the diff; record the scenario again if the change is intended',
            )
        index = next((i for i in indexes if i not in self._served), indexes[-1])
        self._served.add(index)
        turn = run.turns[index]
        if turn.response is None:
            assert turn.error is not None
            raise ModelError(turn.error.message, hint=turn.error.hint)
        r = turn.response
        return ModelResponse(message=r.message(), usage=r.usage, cost_usd=r.cost_usd, model=r.model)

    def _diverge(self, request: ModelRequest) -> None:
        run, session = self.session.run, self.session
        position = sum(1 for m in request.messages if m.role == 'assistant') + 1
        live = render_request(request.messages, request.tools)
        if not run.turns:
            session.diverge(
                'model_request',
                f'turn {position}: the recording holds no model turn for this run',
                where=f'turn {position}',
                field=f'runs[{session.index}].turns',
            )
            return
        specs = tool_specs(session.scenario)
        recorded = [render_request(msgs, specs) for msgs in full_requests(run)]
        best = closest(live, recorded)
        diff = unified_diff(
            recorded[best],
            live,
            before_name=f'recorded request (turn {best + 1})',
            after_name=f'replayed request (turn {position})',
        )
        session.diverge(
            'model_request',
            f'the model request differs from every recorded one; closest: turn {best + 1}',
            where=f'turn {position}',
            field=f'runs[{session.index}].turns[{best}].request',
            diff=diff,
        )


def _result_text(result: RecordedResult | None, error: Any) -> list[str]:
    if error is not None:
        return [f'raised {error.type}: {error.message}']
    assert result is not None
    data = {k: v for k, v in (result.data or {}).items() if k not in VOLATILE_DATA_KEYS}
    return [f'is_error: {result.is_error}', *result.content.splitlines(), f'data: {canonical_json(data)}']


class ReplayTool(Tool):
    """A tool with a recorded spec whose calls are answered from the recording (by call id)."""

    def __init__(self, spec: RecordedToolSpec, session: ReplaySession) -> None:
        self.record = spec
        self.session = session
        self.name = spec.name
        self.description = spec.description
        self.side_effects = spec.side_effects
        self.source = spec.source

    @property
    def parameters(self) -> dict[str, Any]:
        return self.record.parameters

    def validate_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Raises: ToolArgumentsError: the recorded check refused these arguments."""
        found = self.session.validation(self.name, arguments)
        if found is None:
            return arguments
        if found.error is not None:
            raise ToolArgumentsError(found.error)
        return found.coerced or arguments

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Raises: the recorded exception, rebuilt, when the recorded call raised one."""
        found = check_call(self.session, self.name, arguments, ctx)
        if found is None or not found.executed:
            return ToolResult(content='error: replay: this call was not run in the recording', is_error=True)
        if found.error is not None:
            raise rebuild_exception(found.error)
        assert found.result is not None
        r = found.result
        return ToolResult(content=r.content, is_error=r.is_error, data=r.data, full_output=r.full_output)


def check_call(session: ReplaySession, name: str, arguments: dict[str, Any], ctx: ToolContext) -> RecordedCall | None:
    """The recorded call for `ctx.call_id`; reports a missing call, another tool or other arguments."""
    where = f'call {ctx.call_id} ({name})'
    located = session.call(ctx.call_id)
    if located is None or not located[1].executed:
        session.diverge(
            'tool_call',
            'this call ran in the replay but not in the recording',
            where=where,
            field=located[0] if located else f'runs[{session.index}].turns',
        )
        return None if located is None else located[1]
    field, call = located
    if call.name != name or canonical_json(call.arguments) != canonical_json(arguments):
        diff = unified_diff(
            pretty_lines({'tool': call.name, 'arguments': call.arguments}),
            pretty_lines({'tool': name, 'arguments': arguments}),
            before_name='recorded call',
            after_name='replayed call',
        )
        session.diverge('tool_call', 'the call differs from the recorded one', where=where, field=field, diff=diff)
    return call


class VerifyingTool(Tool):
    """A real tool, run for real (`--verify`), whose result and sandbox effects are compared with the recording."""

    def __init__(self, inner: Tool, session: ReplaySession) -> None:
        self.inner = inner
        self.session = session
        self.name = inner.name
        self.description = inner.description
        self.side_effects = inner.side_effects
        self.source = inner.source

    @property
    def parameters(self) -> dict[str, Any]:
        return self.inner.parameters

    def spec(self) -> ToolSpec:
        return self.inner.spec()

    def validate_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Raises: ToolArgumentsError: the real tool refuses the arguments."""
        return self.inner.validate_arguments(arguments)

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Raises: whatever the real tool raised."""
        session = self.session
        obs = await session.tracker.observe(self.inner, arguments, ctx)
        call = check_call(session, self.name, arguments, ctx)
        if call is not None and call.executed:
            field = (session.call(ctx.call_id) or ('', call))[0]
            where = f'call {ctx.call_id} ({self.name})'
            before, after = _result_text(call.result, call.error), _result_text(obs.result, obs.error)
            if before != after:
                session.diverge(
                    'tool_result',
                    'the tool result differs from the recorded one',
                    where=where,
                    field=f'{field}.result',
                    diff=unified_diff(before, after, before_name='recorded result', after_name='re-executed result'),
                )
            rec_fx = call.effects.model_dump(mode='json') if call.effects else None
            new_fx = obs.effects.model_dump(mode='json') if obs.effects else None
            if rec_fx != new_fx:
                session.diverge(
                    'effects',
                    'the sandbox effects differ from the recorded ones',
                    where=where,
                    field=f'{field}.effects',
                    diff=unified_diff(
                        pretty_lines(rec_fx),
                        pretty_lines(new_fx),
                        before_name='recorded effects',
                        after_name='re-executed effects',
                    ),
                )
        if obs.exception is not None:
            raise obs.exception
        assert obs.raw is not None
        return obs.raw


class _Episode:
    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def model_dump(self, mode: str = 'python') -> dict[str, Any]:
        return dict(self._data)


class _Hit:
    def __init__(self, score: float, episode: dict[str, Any]) -> None:
        self.score = score
        self.episode = _Episode(episode)


class ReplayMemory:
    """A memory store answering the recall search from the recording and checking the episode saved."""

    def __init__(self, session: ReplaySession, backend: str = 'local') -> None:
        self.session = session
        self.backend = backend

    async def asearch(self, query: str, *, k: int = 5, filters: Any | None = None) -> list[Any]:
        """Raises: RuntimeError: the recorded search failed (the agent carries on without recall)."""
        recall = self.session.run.recall
        where, field = 'memory recall', f'runs[{self.session.index}].recall'
        if recall is None:
            self.session.diverge('memory', 'memory was searched, but not in the recording', where=where, field=field)
            return []
        if recall.query != query:
            self.session.diverge(
                'memory',
                'the memory query differs',
                where=where,
                field=f'{field}.query',
                diff=unified_diff(
                    recall.query.splitlines(),
                    query.splitlines(),
                    before_name='recorded query',
                    after_name='replayed query',
                ),
            )
        if recall.error is not None:
            raise RuntimeError(recall.error)
        return [_Hit(h.score, h.episode) for h in recall.hits]

    async def asave(self, episode: Any) -> str:
        check_saved(self.session, episode)
        return str(getattr(episode, 'id', 'replayed-episode'))


def check_saved(session: ReplaySession, episode: Any) -> None:
    """Report an episode that differs from the recorded one (or that was not saved in the recording).

    Episodes the `memory_save` tool saves are not compared here: the recording checks them as that call's result.
    """
    if is_tool_save(episode):
        return
    saved = session.run.saved
    field = f'runs[{session.index}].saved'
    data = stable_episode(episode.model_dump(mode='json'))
    if saved is None:
        session.diverge('memory', 'an episode was saved, but not in the recording', where='memory save', field=field)
    elif saved.episode != data:
        session.diverge(
            'memory',
            'the saved episode differs',
            where='memory save',
            field=field,
            diff=unified_diff(
                pretty_lines(saved.episode),
                pretty_lines(data),
                before_name='recorded episode',
                after_name='replayed episode',
            ),
        )


class CheckingMemory:
    """A real memory store (`--verify`) whose recall hits and saved episode are compared with the recording."""

    def __init__(self, inner: Any, session: ReplaySession) -> None:
        self.inner = inner
        self.session = session
        self.backend = str(getattr(inner, 'backend', 'local'))

    async def asearch(self, query: str, *, k: int = 5, filters: Any | None = None) -> list[Any]:
        """Raises: whatever the real store raised."""
        hits = list(await self.inner.asearch(query, k=k, filters=filters))
        recall = self.session.run.recall
        got = [
            {'score': round(float(h.score), 6), 'episode': stable_episode(h.episode.model_dump(mode='json'))}
            for h in hits
        ]
        want = [h.model_dump(mode='json') for h in recall.hits] if recall is not None else None
        if want != got:
            self.session.diverge(
                'memory',
                'the recalled episodes differ',
                where='memory recall',
                field=f'runs[{self.session.index}].recall.hits',
                diff=unified_diff(
                    pretty_lines(want), pretty_lines(got), before_name='recorded hits', after_name='re-run hits'
                ),
            )
        return hits

    async def asave(self, episode: Any) -> str:
        """Raises: whatever the real store raised."""
        check_saved(self.session, episode)
        return str(await self.inner.asave(episode))


class ReplayApprover:
    """Gives, for each approval request, the decision recorded for that call."""

    def __init__(self, session: ReplaySession) -> None:
        self.session = session

    async def decide(self, request: ApprovalRequest) -> ApprovalDecision:
        from ..policy import Abort, parse_decision

        call_id = request.call_id
        located = self.session.call(call_id)
        if located is None or located[1].approval is None:
            self.session.diverge(
                'approval',
                'approval was asked for this call, but not in the recording',
                where=f'call {call_id}',
                field=located[0] if located else '',
            )
            return Abort(reason='replay: no recorded decision for this call')
        return parse_decision(located[1].approval.model_dump(mode='json', exclude_none=True))

"""The agent graph's node implementations. The wiring (which node follows which) is in `_graph.py`."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from typing import Any

from ._conversation import ContextFitter, Conversations
from ._cost import add_cost
from ._egress import EgressGuard
from ._events import (
    ApprovalRequested,
    ApprovalResolved,
    MemoryRecalled,
    MemorySaved,
    ModelTokenDelta,
    ModelTurnFinished,
    ModelTurnStarted,
    OutputValidated,
    PolicyDecided,
    RunFinished,
    TurnRejected,
)
from ._loops import check_loops
from ._messages import Message, ModelRequest, ModelResponse, ToolSpec
from ._model import ModelError, StreamingChatModel
from ._model_requests import ModelRequestsBlockedError
from ._model_settings import ModelProfile
from ._output_type import (
    DEFAULT_OUTPUT_RETRIES,
    FINAL_TOOL,
    OutputInvalid,
    OutputSpec,
    OutputValidationError,
    invalid_text,
    missing_text,
)
from ._runtime import RUN_EVENTS, RunContext
from ._state import AgentState, PendingCall, added_usage, run_usage
from ._taint import argument_provenance, from_approver, untrusted_in_context
from ._toolrun import run_calls
from ._turns import NOTICE, notice, parse_calls, text_tool_call, tool_message, unique_call_ids
from ._workspace import RUN_WORKSPACE
from .policy import Abort, ApprovalDecision, ApprovalError, Approve, Edit, Reject, parse_decision

Update = dict[str, Any]


def args_digest(tool: str, arguments: dict[str, Any]) -> str:
    """What an approval is bound to: `agentcore.policy.args_hash` of the exact call."""
    from .policy import args_hash

    return args_hash(tool, arguments)


class Nodes:
    """One method per graph node. Each returns a partial state update."""

    def __init__(self, rt: RunContext, output: OutputSpec | None = None,
                 output_retries: int = DEFAULT_OUTPUT_RETRIES) -> None:
        self.rt = rt
        self.conversations = Conversations()
        self.fitter = ContextFitter()
        #: The structured output asked for (`Agent(output_type=...)`), `None` for a text answer.
        self.output = output
        self.output_retries = output_retries

    # -- input guard ------------------------------------------------------------------------------------------
    async def input_guard(self, state: AgentState) -> Update:
        task, blocked_by = await self.rt.guard(state['run_id'], state['task'], 'input')
        if blocked_by is not None:
            return {'status': 'denied', 'stop_reason': f'input blocked by guardrail {blocked_by}',
                    'route': 'finish'}
        messages = [
            Message(role='system', content=self.rt.instructions).model_dump(),
            Message(role='user', content=task).model_dump(),
        ]
        return {'messages': messages, 'route': 'recall_memory'}

    # -- recall memory ----------------------------------------------------------------------------------------
    async def recall_memory(self, state: AgentState) -> Update:
        """Recall the episodes of the agent's own namespace (`Agent(namespace=...)`) that fit the task."""
        memory = self.rt.memory
        if memory is None:
            return {}
        from .memory import EpisodeFilter

        run_id, task = state['run_id'], state['task']
        backend = memory.backend
        try:
            hits = await memory.asearch(task, k=self.rt.recall_k,
                                        filters=EpisodeFilter(namespace=state.get('namespace') or 'default'))
        except ModelRequestsBlockedError:
            raise  # an embedder calling a real model in a test suite fails the run loudly
        except Exception as exc:  # memory is best-effort: a down backend must not stop the run
            self.rt.emit(MemoryRecalled(run_id=run_id, query=task, backend=backend, error=f'{type(exc).__name__}: {exc}'))
            return {}
        episodes = [h.episode.model_dump(mode='json') for h in hits]
        self.rt.emit(MemoryRecalled(run_id=run_id, query=task, backend=backend, episodes=episodes))
        if not episodes:
            return {}
        from ._episodes import RECALL_HEADING, poisoning_findings, recall_text
        from ._events import GuardrailFlagged
        from ._toolrun import guard_untrusted

        # Recalled episodes are untrusted, trusted or not when written: quoted data with their provenance, fields
        # that read as instructions to future runs withheld, then the tool-output guardrails and the data wrapper.
        blocks = []
        for e in episodes:
            findings = poisoning_findings(e)
            if findings:
                self.rt.emit(GuardrailFlagged(run_id=run_id, stage='tool_output', guardrail='memory_poisoning',
                                              action='modify', findings=sorted({k for v in findings.values() for k in v})))
            blocks.append(await guard_untrusted(self.rt, run_id, recall_text(e, findings),
                                                source=f'memory:{backend}:{e.get("run_id", "")}'))
        text = RECALL_HEADING + '\n' + '\n'.join(blocks)
        return {'messages': [Message(role='user', content=text).model_dump()]}

    # -- call model -------------------------------------------------------------------------------------------
    async def call_model(self, state: AgentState) -> Update:
        rt, run_id = self.rt, state['run_id']
        steps = state.get('steps', 0)
        tokens = state.get('input_tokens', 0) + state.get('output_tokens', 0)
        elapsed = time.time() - state['started_at']
        hit = rt.budget.exceeded(steps=steps, tool_calls=state.get('tool_calls', 0), tokens=tokens,
                                 usd=state.get('cost_usd', 0.0), elapsed_s=elapsed)
        if hit is not None:
            return _stop_by_budget(*hit)
        told = _take_resume_notice()
        history = state['messages'] if told is None else [*state['messages'], told]
        tools = rt.tool_specs() if self.output is None else [*rt.tool_specs(), self.output.tool_spec()]
        request = ModelRequest(messages=self.conversations.messages(run_id, history), tools=tools)
        rt.emit(ModelTurnStarted(run_id=run_id, step=steps + 1))
        remaining = None if rt.budget.max_seconds is None else rt.budget.max_seconds - elapsed
        try:
            response, offered = await asyncio.wait_for(self._complete_fitted(request, run_id, steps + 1),
                                                       timeout=remaining)
        except TimeoutError:
            return _stop_by_budget('wall_clock', f'max_seconds={rt.budget.max_seconds} reached during a model call')
        except ModelError as exc:
            error = {'type': type(exc).__name__, 'message': str(exc), 'hint': exc.hint, 'usage_error': exc.usage_error}
            return {'status': 'failed', 'stop_reason': f'model error: {exc}', 'error': error, 'route': 'finish'}
        msg, usage = unique_call_ids(response.message, state['messages'], steps + 1), response.usage
        rt.store.add_usage(run_id, steps + 1, response.model or rt.model.name, usage.input_tokens,
                           usage.output_tokens, response.cost_usd)
        rt.emit(ModelTurnFinished(run_id=run_id, step=steps + 1, content=msg.content, usage=usage,
                                  cost_usd=response.cost_usd,
                                  tool_calls=[c.model_dump() for c in msg.tool_calls],
                                  finish_reason=response.finish_reason))
        update: Update = {
            'steps': steps + 1,
            **added_usage(state, usage),
            'cost_usd': add_cost(state.get('cost_usd', 0.0), response.cost_usd),
            'messages': [msg.model_dump()] if told is None else [told, msg.model_dump()],
            'finish_reason': response.finish_reason,
        }
        if self.output is not None:
            structured = self._structured(state, msg, update, response.finish_reason)
            if structured is not None:
                return structured
        if msg.tool_calls:
            return {**update, 'pending': parse_calls(msg, rt.callable_tools(offered)), 'route': 'policy_check'}
        problem = _malformed_text_turn(msg.content, rt)
        if problem is not None:
            rt.emit(TurnRejected(run_id=run_id, step=steps + 1, reason=problem))
            return {**update, 'messages': [*update['messages'], notice(problem)], 'route': 'call_model'}
        if response.finish_reason in _INCOMPLETE:
            update['stop_reason'] = _INCOMPLETE[response.finish_reason]
        return {**update, 'output': msg.content, 'pending': [], 'route': 'output_guard'}

    def _structured(self, state: AgentState, msg: Message, update: Update, finish_reason: str | None) -> Update | None:
        """A turn of a run with an `output_type`: its final-answer call checked (`None`: an ordinary tool turn).

        A valid `final_result` call ends the run with its output (other calls of the turn are not run); an
        invalid one, or a text answer (unless the profile asks for JSON-schema mode, where the text is the
        answer), is sent back to the model with each error, at most `output_retries` times; then the run fails.
        """
        spec, run_id, step = self.output, state['run_id'], update['steps']
        assert spec is not None
        finals = [c for c in msg.tool_calls if c.name == FINAL_TOOL]
        others = [c for c in msg.tool_calls if c.name != FINAL_TOOL]
        if others and not finals:
            return None
        json_mode = _json_schema_mode(self.rt)
        errors: list[str] = []
        candidates = [c.arguments for c in finals] if finals else [msg.content] if json_mode else []
        for raw in candidates:
            try:
                text = spec.check(raw)
            except OutputInvalid as exc:
                errors.extend(exc.errors)
                continue
            retries = state.get('output_retries', 0)
            self.rt.emit(OutputValidated(run_id=run_id, step=step, output=json.loads(text), retries=retries))
            closing = [tool_message(c.id, c.name, 'final result accepted' if c.name == FINAL_TOOL else
                                    f'not run: the run ended with {FINAL_TOOL} in the same turn')
                       for c in msg.tool_calls]
            if finish_reason in _INCOMPLETE:
                update['stop_reason'] = _INCOMPLETE[finish_reason]
            return {**update, 'messages': [*update['messages'], *closing], 'output': text, 'pending': [],
                    'route': 'output_guard'}
        told = invalid_text(errors, as_text=json_mode and not finals) if candidates else missing_text()
        used = state.get('output_retries', 0) + 1
        self.rt.emit(TurnRejected(run_id=run_id, step=step, reason=told))
        if used > self.output_retries:
            error = OutputValidationError(f'no valid structured output after {used} tries: {told}')
            return {**update, 'output_retries': used, 'status': 'failed', 'output': None,
                    'stop_reason': f'structured output invalid after {used} tries',
                    'error': {'type': type(error).__name__, 'message': str(error), 'hint': error.hint,
                              'usage_error': False}, 'route': 'finish'}
        replies = [tool_message(c.id, FINAL_TOOL, f'{NOTICE} {told}') for c in finals] if finals else [notice(told)]
        update = {**update, 'messages': [*update['messages'], *replies], 'output_retries': used}
        if others:  # the turn's other calls still go through the policy and run
            return {**update, 'pending': parse_calls(msg.model_copy(update={'tool_calls': others}), self.rt.tools),
                    'route': 'policy_check'}
        return {**update, 'route': 'call_model'}

    async def _complete_fitted(
        self, request: ModelRequest, run_id: str, step: int
    ) -> tuple[ModelResponse, list[ToolSpec]]:
        """`request` trimmed by the context policy, then sent; the response counts the policy's own model call.

        Returns the response and the tools the request offered.
        """
        fitted = await self.fitter.fit(self.rt, run_id, step, request)
        response = await self._complete(fitted.request, run_id, step)
        if fitted.usage.total_tokens or fitted.cost_usd != 0.0:  # a summary was written for this turn
            response = response.model_copy(update={'usage': response.usage + fitted.usage,
                                                   'cost_usd': add_cost(response.cost_usd, fitted.cost_usd)})
        return response, fitted.request.tools

    async def _complete(self, request: ModelRequest, run_id: str, step: int) -> ModelResponse:
        """One model call; streamed (each piece of text a `ModelTokenDelta`) when someone listens to the run."""
        model, rt = self.rt.model, self.rt
        if RUN_EVENTS.get() is None or not isinstance(model, StreamingChatModel):
            return await model.complete(request)

        def on_text(text: str) -> None:
            rt.emit(ModelTokenDelta(run_id=run_id, step=step, text=text), persist=False)

        return await model.complete_streaming(request, on_text)

    # -- policy check -----------------------------------------------------------------------------------------
    async def policy_check(self, state: AgentState) -> Update:
        rt, run_id = self.rt, state['run_id']
        checked: list[PendingCall] = []
        egress = EgressGuard(rt, state)  # outbound arguments against the secrets the run has seen
        trusted_extra = rt.policy.allowed_domains or ()
        untrusted = untrusted_in_context(run_id, state['messages'], trusted_extra=trusted_extra)
        for call in state.get('pending', []):
            if call['action'] != 'error':
                prov = argument_provenance(run_id, state['messages'], call['arguments'], trusted_extra=trusted_extra)
                d = rt.policy.evaluate(call['name'], call['arguments'], side_effects=call['side_effects'],
                                       source=call['source'], provenance=prov, untrusted=untrusted)
                d = egress.check(call, d)
                shown = [p.model_dump(mode='json') for p in prov]
                call = {**call, 'action': d.action, 'rule': d.rule, 'reason': d.reason, 'provenance': shown}
                rt.store.add_policy_decision(run_id, call['id'], call['name'], d.action, d.rule, d.reason)
                rt.emit(PolicyDecided(run_id=run_id, call_id=call['id'], tool=call['name'], action=d.action,
                                      rule=d.rule, reason=d.reason, provenance=prov, untrusted_sources=untrusted))
                _audit(rt, run_id, 'policy_decision', {'call_id': call['id'], 'tool': call['name'],
                                                       'arguments': call['arguments'], 'action': d.action,
                                                       'rule': d.rule, 'reason': d.reason, 'provenance': shown,
                                                       'untrusted_sources': untrusted})
                if d.action == 'ask':
                    rt.emit(ApprovalRequested(run_id=run_id, call_id=call['id'], tool=call['name'],
                                              arguments=call['arguments'],
                                              args_hash=args_digest(call['name'], call['arguments']),
                                              reason=d.reason, provenance=prov))
            checked.append(call)
        runnable = sum(1 for c in checked if c['action'] in ('allow', 'ask'))
        left = rt.budget.tool_calls_left(state.get('tool_calls', 0))
        if left is not None and runnable > left:
            return {**_stop_by_budget('tool_calls', f'max_tool_calls={rt.budget.max_tool_calls} reached: '
                                                    f'{runnable} more requested, {left} left'), 'pending': checked}
        route = 'approval' if any(c['action'] == 'ask' for c in checked) else 'run_tools'
        return {'pending': checked, 'route': route, **egress.update()}

    # -- approval (interrupt) ---------------------------------------------------------------------------------
    async def approval(self, state: AgentState) -> Update:
        from langgraph.types import interrupt

        rt, run_id = self.rt, state['run_id']
        pending = list(state.get('pending', []))
        index = next(i for i, c in enumerate(pending) if c['action'] == 'ask')
        call = pending[index]
        digest = args_digest(call['name'], call['arguments'])
        raw = interrupt({'type': 'approval', 'call_id': call['id'], 'tool': call['name'],
                         'arguments': call['arguments'], 'args_hash': digest, 'rule': call['rule'],
                         'reason': call['reason'], 'provenance': call.get('provenance', []),
                         'untrusted_sources': sorted({s for p in call.get('provenance', []) for s in p['sources']
                                                      if p['trust'] == 'untrusted'})})
        decision = read_decision(raw)
        if decision.call_id not in (None, call['id']) or decision.args_hash not in (None, digest):
            decision = Reject(reason='the approval was given for a different call')
        kind = decision.kind
        detail = decision.reason if isinstance(decision, Reject | Abort) else ''
        if isinstance(decision, Abort):
            rt.emit(ApprovalResolved(run_id=run_id, call_id=call['id'], tool=call['name'], decision='abort',
                                     detail=detail))
            _audit(rt, run_id, 'approval', {'call_id': call['id'], 'decision': 'abort', 'reason': detail})
            return {'status': 'denied', 'stop_reason': f'aborted by approver: {detail or "no reason given"}',
                    'route': 'finish'}
        if isinstance(decision, Approve):
            call = {**call, 'action': 'approved'}
        elif isinstance(decision, Edit):
            args = decision.arguments
            # The approver wrote these arguments: they are trusted, and the call is approved whatever was read.
            d = rt.policy.evaluate(call['name'], args, side_effects=call['side_effects'], source=call['source'],
                                   provenance=from_approver(args))
            if d.action == 'deny':
                call = {**call, 'arguments': args, 'action': 'deny', 'rule': d.rule, 'reason': d.reason}
            else:
                call = {**call, 'arguments': args, 'action': 'approved'}
            detail = json.dumps(args, sort_keys=True)
        else:
            call = {**call, 'action': 'rejected', 'reason': detail}
        pending[index] = call
        rt.emit(ApprovalResolved(run_id=run_id, call_id=call['id'], tool=call['name'], decision=kind, detail=detail))
        _audit(rt, run_id, 'approval', {'call_id': call['id'], 'decision': kind, 'detail': detail,
                                        'arguments': call['arguments']})
        route = 'approval' if any(c['action'] == 'ask' for c in pending) else 'run_tools'
        return {'pending': pending, 'route': route}

    # -- run tools --------------------------------------------------------------------------------------------
    async def run_tools(self, state: AgentState) -> Update:
        rt = self.rt
        pending = await self._interrupted_external(state, list(state.get('pending', [])))
        if isinstance(pending, dict):
            return pending
        remaining = None
        if rt.budget.max_seconds is not None:
            remaining = rt.budget.max_seconds - (time.time() - state['started_at'])
        failed: set[str] = set()
        try:
            messages = await asyncio.wait_for(run_calls(rt, dict(state), pending, failed=failed), timeout=remaining)
        except TimeoutError:
            return _stop_by_budget('wall_clock', f'max_seconds={rt.budget.max_seconds} reached while tools ran')
        executed = sum(1 for c in pending if c['action'] in ('allow', 'approved'))
        for c in pending:
            if c['action'] in ('allow', 'approved'):
                _audit(rt, state['run_id'], 'tool_execution', {'call_id': c['id'], 'tool': c['name'],
                                                               'arguments': c['arguments']})
        loop = check_loops(rt.budget.loop_limit, state.get('loops'), pending, failed)
        update: Update = {'messages': messages + loop.notices, 'pending': [], 'loops': loop.counts,
                          'tool_calls': state.get('tool_calls', 0) + executed, 'route': 'call_model'}
        tracker = RUN_WORKSPACE.get()
        if tracker is not None and tracker.latest != state.get('workspace'):
            update['workspace'] = tracker.latest  # what a resume or fork from this checkpoint restores
        if loop.stop_reason is not None:
            return {**update, 'status': 'stopped_by_loop', 'stop_reason': loop.stop_reason, 'route': 'finish'}
        return update

    async def _interrupted_external(
        self, state: AgentState, pending: list[PendingCall]
    ) -> list[PendingCall] | Update:
        """Calls with external effects that started before a crash and never finished are not retried blindly."""
        from langgraph.types import interrupt

        rt, run_id = self.rt, state['run_id']
        for i, call in enumerate(pending):
            if call['action'] not in ('allow', 'approved') or call['side_effects'] != 'external':
                continue
            rec = await rt.store.atool_call(run_id, call['id'])
            if rec is None or rec.status != 'started':
                continue
            tool = rt.tools.get(call['name'])
            if tool is not None and tool.idempotent:
                continue  # retried with the same idempotency key: the tool (or its service) applies it once
            why = (f'this call started at {rec.started_at} before the run was interrupted and may already have '
                   'taken effect')
            if rt.on_interrupted_external == 'retry':
                continue  # at least once: the documented meaning of `retry` for a tool that is not idempotent
            if rt.on_interrupted_external == 'skip':
                pending[i] = {**call, 'action': 'error', 'reason': f'not retried: {why}'}
                continue
            decision = read_decision(interrupt({
                'type': 'approval', 'call_id': call['id'], 'tool': call['name'], 'arguments': call['arguments'],
                'args_hash': args_digest(call['name'], call['arguments']), 'rule': 'interrupted_external',
                'reason': why, 'may_have_taken_effect': True, 'started_at': rec.started_at,
                'output_seen': rec.output_tail or ''}))
            reason = decision.reason if isinstance(decision, Reject | Abort) else ''
            rt.emit(ApprovalResolved(run_id=run_id, call_id=call['id'], tool=call['name'], decision=decision.kind,
                                     detail=reason))
            if isinstance(decision, Abort):
                return {'status': 'denied', 'stop_reason': 'aborted by approver after an interrupted call',
                        'route': 'finish'}
            if isinstance(decision, Reject):
                pending[i] = {**call, 'action': 'rejected', 'reason': reason or why}
        return pending

    # -- output guard -----------------------------------------------------------------------------------------
    async def output_guard(self, state: AgentState) -> Update:
        original = state.get('output') or ''
        output, blocked_by = await self.rt.guard(state['run_id'], original, 'output')
        if blocked_by is not None:
            return {'status': 'denied', 'output': None, 'stop_reason': f'output blocked by {blocked_by}',
                    'route': 'remember'}
        if self.output is not None and output != original:  # a guardrail rewrote the JSON (redacted a secret...)
            try:
                output = self.output.validate_value(json.loads(output))
            except (OutputInvalid, ValueError) as exc:
                error = OutputValidationError(f'the output guardrails changed the structured output and it no longer '
                                              f'matches the output type: {exc}')
                return {'status': 'failed', 'output': None, 'stop_reason': str(error), 'route': 'remember',
                        'error': {'type': type(error).__name__, 'message': str(error), 'hint': error.hint,
                                  'usage_error': False}}
        return {'status': 'completed', 'output': output, 'route': 'remember'}

    # -- remember ---------------------------------------------------------------------------------------------
    async def remember(self, state: AgentState) -> Update:
        memory = self.rt.memory
        if memory is None:
            return {}
        from ._episodes import episode_from_run

        backend = memory.backend
        untrusted = untrusted_in_context(state['run_id'], state.get('messages') or [])
        if untrusted and self.rt.policy.memory_write_after_untrusted == 'deny':
            self.rt.emit(MemorySaved(run_id=state['run_id'], backend=backend,
                                     error='not saved: untrusted content is in the context '
                                           f'({", ".join(untrusted[:3])}) and untrusted_content.memory_write is deny'))
            return {}
        try:
            episode = episode_from_run(state, redact=self.rt.redact)
            episode_id = await memory.asave(episode)
        except ModelRequestsBlockedError:
            raise
        except Exception as exc:  # memory is best-effort: report and carry on
            self.rt.emit(MemorySaved(run_id=state['run_id'], backend=backend, error=f'{type(exc).__name__}: {exc}'))
            return {}
        self.rt.emit(MemorySaved(run_id=state['run_id'], backend=backend, episode_id=str(episode_id)))
        _audit(self.rt, state['run_id'], 'memory_write', {'episode_id': str(episode_id), 'backend': backend})
        return {}

    # -- finish -----------------------------------------------------------------------------------------------
    async def finish(self, state: AgentState) -> Update:
        self.conversations.forget(state['run_id'])
        status = state.get('status') or 'completed'
        if status == 'running':
            status = 'completed'
        usage = run_usage(state)
        await self.rt.store.aupdate_run(state['run_id'], status=status, output=state.get('output'),
                                        stop_reason=state.get('stop_reason'), steps=state.get('steps', 0),
                                        tool_calls=state.get('tool_calls', 0), input_tokens=usage.input_tokens,
                                        output_tokens=usage.output_tokens, cost_usd=state.get('cost_usd', 0.0),
                                        **_audit_head(self.rt, state['run_id']))
        self.rt.emit(RunFinished(run_id=state['run_id'], status=status, output=state.get('output'),
                                 stop_reason=state.get('stop_reason'), steps=state.get('steps', 0), usage=usage,
                                 cost_usd=state.get('cost_usd', 0.0)))
        return {'status': status}


#: What a run reports when its answer is incomplete, by the last turn's `finish_reason`.
_INCOMPLETE = {
    'length': 'the answer was cut off at max_tokens (finish_reason=length): raise max_tokens',
    'content_filter': "the provider's content filter cut the answer short (finish_reason=content_filter)",
}


def _take_resume_notice() -> dict[str, Any] | None:
    """The message telling the model its run continues in a restored sandbox, once, when there is one."""
    tracker = RUN_WORKSPACE.get()
    if tracker is None or tracker.notice is None:
        return None
    text, tracker.notice = tracker.notice, None
    return notice(text)


def _json_schema_mode(rt: RunContext) -> bool:
    """Whether the model's profile asks for structured output through the provider's JSON-schema mode."""
    profile = getattr(rt.model, 'profile', None)
    return isinstance(profile, ModelProfile) and profile.structured_output == 'json_schema'


def _stop_by_budget(kind: str, why: str) -> Update:
    return {'status': 'stopped_by_budget', 'stop_reason': f'budget {kind}: {why}', 'route': 'finish'}


def _malformed_text_turn(content: str, rt: RunContext) -> str | None:
    if not content.strip():
        return 'your reply was empty: call a tool, or reply with the final answer as text'
    name = text_tool_call(content, rt.tools)
    if name is not None:
        return (f'you wrote a call to tool {name!r} as text; nothing was run. Call tools through the tool-calling '
                'interface, or reply with the final answer')
    return None


def read_decision(raw: object) -> ApprovalDecision:
    """The decision an interrupt was resumed with (plain data, as `Agent` sends it); anything unreadable rejects."""
    try:
        return parse_decision(raw if isinstance(raw, Mapping) else {'kind': repr(raw)})
    except ApprovalError as exc:
        return Reject(reason=f'unreadable approval decision: {exc}')


def _audit_head(rt: RunContext, run_id: str) -> dict[str, Any]:
    log = rt.audit
    if log is None:
        return {}
    # No flush needed first: the tip is cached whenever this process has appended (and so buffered) rows of the run.
    records, head = log.tip(run_id)
    return {'audit_head': head, 'audit_records': records}


def _audit(rt: RunContext, run_id: str, kind: str, payload: dict[str, Any]) -> None:
    log = rt.audit
    if log is not None:
        log.append_deferred(run_id, kind, payload, rt.store.defer)

"""Running one model turn's tool calls: concurrently (bounded), in call order, exactly once per call id."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

from ._effects import OutputTail
from ._egress import note_output
from ._events import ToolCallFinished, ToolCallStarted, ToolOutputDelta
from ._model_requests import ModelRequestsBlockedError
from ._provenance import UNTRUSTED_SOURCES_KEY, untrusted_sources
from ._runtime import RunContext
from ._sanitize import clean_tool_result
from ._state import AgentState, PendingCall
from ._turns import tool_message
from ._workspace import snapshot_then


def bound_text(text: str, limit: int) -> str:
    """Head and tail of `text` with a marker in between when it is longer than `limit` characters."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    return f'{text[:head]}\n... [{len(text) - limit} characters omitted] ...\n{text[-tail:]}'


async def _execute(
    rt: RunContext, state: dict[str, Any], call: PendingCall, untrusted: list[str]
) -> tuple[str, bool, bool, float]:
    """Run one call through the effect ledger. Returns (content for the model, is_error, reused, seconds).

    `untrusted`: the untrusted sources in the run's context (`agentcore._provenance`), for tools that record them.
    """
    from agentcore.tools import ToolContext, ToolError

    run_id, namespace = state['run_id'], state.get('namespace', 'default')

    done = await rt.store.atool_call(run_id, call['id'])
    if done is not None and done.status == 'completed':
        return done.content or '', done.is_error, True, 0.0
    tool = rt.tools[call['name']]
    pure = call['side_effects'] == 'none'
    if not pure:
        await rt.store.atool_call_started(run_id, call['id'], call['name'], rt.redact(call['arguments']),
                                          call['side_effects'])
    rt.emit(ToolCallStarted(run_id=run_id, call_id=call['id'], tool=call['name'], arguments=call['arguments']))
    # what a call with effects streams is kept in its ledger row as it runs: what a resume can tell if it is cut off
    tail = None if pure else OutputTail(lambda text: rt.store.atool_call_output(run_id, call['id'], rt.redact(text)))

    def on_output(stream: str, text: str) -> None:
        rt.emit(ToolOutputDelta(run_id=run_id, call_id=call['id'], tool=call['name'],
                                stream='stderr' if stream == 'stderr' else 'stdout', text=rt.redact(text)),
                persist=False)
        if tail is not None:
            tail.add(stream, text)

    ctx = ToolContext(run_id=run_id, call_id=call['id'], sandbox=rt.run_sandbox(), memory=rt.memory, policy=rt.policy,
                      namespace=namespace, on_output=on_output, extra={UNTRUSTED_SOURCES_KEY: list(untrusted)})
    t0 = time.perf_counter()
    full: str | None = None
    data: dict[str, Any] | None = None
    try:
        result = await tool.run(call['arguments'], ctx)
        content, is_error, full, data = result.content, result.is_error, result.full_output, result.data
    except ToolError as exc:
        content, is_error = f'error: {exc}', True
    except ModelRequestsBlockedError:
        raise  # a tool that calls a real model in a test suite fails the run loudly, not as a tool error
    except Exception as exc:  # a tool can never crash the run
        content, is_error = f'error: tool {call["name"]!r} raised {type(exc).__name__}: {exc}', True
    finally:
        if tail is not None:
            await tail.aclose()
    elapsed = time.perf_counter() - t0
    content, full, data = clean_tool_result(content, full, data)  # bounded, storable text from here on
    note_output(rt, cast('AgentState', state), call, content if full is None else full)  # the secrets it shows (agentcore._egress)
    raw = content
    content = await guard_untrusted(rt, run_id, content, source=f'tool:{call["name"]}')
    if full is None and raw not in content:  # withheld or changed by a guardrail: a human can still read it
        full = raw
    if full is None and len(content) > rt.tool_output_chars:
        full = content
    content = bound_text(content, rt.tool_output_chars)
    if pure:
        rt.store.tool_call_completed_deferred(run_id, call['id'], call['name'], rt.redact(call['arguments']),
                                              content=content, is_error=is_error, full_output=rt.redact(full),
                                              data=rt.redact(data))
    else:
        async def finished(workspace: str | None) -> None:
            await rt.store.atool_call_finished(run_id, call['id'], content=content, is_error=is_error,
                                               full_output=rt.redact(full), data=rt.redact(data), workspace=workspace)

        await snapshot_then(ctx.sandbox, rt.store.blobs, finished)
    return content, is_error, False, elapsed


async def guard_untrusted(rt: RunContext, run_id: str, content: str, *, source: str) -> str:
    """Run the `tool_output` guardrails over untrusted text (tool output, recalled memory) and delimit it as data."""
    content, _ = await rt.guard(run_id, content, 'tool_output')
    from .guardrails import wrap_untrusted

    return wrap_untrusted(content, source=source)


async def run_calls(
    rt: RunContext, state: dict[str, Any], calls: list[PendingCall], *, failed: set[str] | None = None
) -> list[dict[str, Any]]:
    """Execute allowed calls concurrently (at most `rt.max_parallel_tools` at once).

    Returns one tool message per call, in call order. Denied, rejected and malformed calls get an error message.
    The ids of the calls whose result is an error (a tool that failed, a refused or malformed call) are added to
    `failed` when it is given.
    """
    run_id = state['run_id']
    # what a memory write made now was exposed to (only a run with memory can write one)
    untrusted = untrusted_sources(state.get('messages') or []) if rt.memory is not None else []
    gate = asyncio.Semaphore(max(1, rt.max_parallel_tools))

    async def one(call: PendingCall) -> dict[str, Any]:
        if call['action'] in ('allow', 'approved'):
            async with gate:
                content, is_error, reused, elapsed = await _execute(rt, state, call, untrusted)
        else:
            content, is_error, reused, elapsed = _refusal(call), True, False, 0.0
        rt.emit(ToolCallFinished(run_id=run_id, call_id=call['id'], tool=call['name'], content=content,
                                 is_error=is_error, reused=reused, duration_s=elapsed))
        if is_error and failed is not None:
            failed.add(call['id'])
        return tool_message(call['id'], call['name'], content)

    if len(calls) == 1:  # the common case: no tasks to spawn
        return [await one(calls[0])]
    return list(await asyncio.gather(*(one(c) for c in calls)))


#: How a call the graph did not run starts its tool message (denied by the policy, rejected by the approver).
DENIED = 'error: call denied by policy'
REJECTED = 'error: the approver rejected this call'


def _refusal(call: PendingCall) -> str:
    if call['action'] == 'deny':
        return f'{DENIED} ({call["rule"]}): {call["reason"]}'
    if call['action'] == 'rejected':
        return f'{REJECTED}: {call["reason"] or "no reason given"}'
    return f'error: {call["reason"]}'

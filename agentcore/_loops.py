"""Stuck loops: the same failing tool call repeated is told to the model, and repeated once more stops the run.

A call is the same when its tool and canonical arguments (`agentcore.policy.args_hash`) are; it fails when its
result is an error: the tool failed, or the call was malformed, denied by the policy or rejected by the approver.
The counts live in the graph state (`AgentState.loops`, plain `str -> int`), so they survive checkpoints and resume.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._state import PendingCall
from ._turns import notice

#: How much of a repeated call's arguments a notice or stop reason quotes.
_ARGS_CHARS = 200


@dataclass(frozen=True)
class LoopCheck:
    """What one turn's tool results mean: the new counts, notices for the model, and why the run stops, if it does."""

    counts: dict[str, int]
    notices: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str | None = None


def call_key(call: PendingCall) -> str:
    """`tool:args_hash`: what makes two calls the same call."""
    from .policy import args_hash

    try:
        digest = args_hash(call['name'], call['arguments'])
    except ValueError:  # arguments a tool coerced into something JSON cannot hold
        text = json.dumps({'tool': call['name'], 'arguments': call['arguments']}, sort_keys=True, default=repr)
        digest = hashlib.sha256(text.encode()).hexdigest()
    return f'{call["name"]}:{digest}'


def check_loops(
    limit: int | None, counts: Mapping[str, int] | None, calls: Sequence[PendingCall], failed: Collection[str]
) -> LoopCheck:
    """Fold one turn's tool results (`failed`: the ids of the calls that failed) into the failure counts.

    A call failing for the `limit`-th time gets a notice for the model; failing again after that stops the run. A call that succeeds clears its own count; one with side effects that succeeds clears them all, since
    what it changed may make a retry work. `limit=None` turns detection off.
    """
    if limit is None:
        return LoopCheck(counts=dict(counts or {}))
    new = dict(counts or {})
    succeeded = [c for c in calls if c['id'] not in failed]
    if any(c['side_effects'] != 'none' and c['action'] in ('allow', 'approved') for c in succeeded):
        new.clear()
    for call in succeeded:
        new.pop(call_key(call), None)
    told: list[str] = []
    stop: str | None = None
    for call in calls:
        if call['id'] not in failed:
            continue
        key = call_key(call)
        before = new.get(key, 0)
        new[key] = before + 1
        if before >= limit:
            stop = stop or (f'loop: {describe(call)} failed {before + 1} times with the same arguments '
                            f'(the model was told after {limit})')
        elif before + 1 >= limit:
            told.append(describe(call))
    if stop is not None:
        return LoopCheck(counts=new, stop_reason=stop)
    notices = [notice(f'you called {what} {limit} times with the same arguments and it failed each time. '
                      'Do not call it again with these arguments: change them, try another tool, or answer with '
                      'what you have. Repeating it once more stops the run.') for what in dict.fromkeys(told)]
    return LoopCheck(counts=new, notices=notices)


def describe(call: PendingCall) -> str:
    """`name(arguments)`, the arguments as compact JSON cut at a few hundred characters."""
    args = json.dumps(call['arguments'], sort_keys=True, separators=(',', ':'), default=repr)
    if len(args) > _ARGS_CHARS:
        args = args[: _ARGS_CHARS - 3] + '...'
    return f'{call["name"]}({args})'

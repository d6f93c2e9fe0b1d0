"""Observing one tool call: its result or error, and what it did to the sandbox's workspace.

Calls that may change the sandbox are observed one at a time per sandbox (snapshot, run, snapshot), so that each
call's file changes are its own even when the agent runs a turn's calls in parallel. Results still reach the model
in call order, so only timing differs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._digest import sha256_text
from ._schema import Effects, RecordedError, RecordedResult

if TYPE_CHECKING:
    from agentcore.sandbox import Sandbox
    from agentcore.tools import Tool, ToolContext, ToolResult

#: Keys of a tool result's `data` that differ between identical runs; they are not recorded or compared.
VOLATILE_DATA_KEYS = frozenset({'duration_s'})


async def workspace_snapshot(sandbox: Sandbox) -> dict[str, str]:
    """The sandbox's workspace as `{relative path: sha256 hex}`.

    Symlinks show as `symlink:<sha256 of the target>` (as `Sandbox.aworkspace_digest` gives them); bytecode
    caches are left out: their content embeds source timestamps.

    Raises:
        SandboxError: (from the sandbox) it died, was closed, or holds too many files.
    """
    listing = await sandbox.aworkspace_digest()
    return {
        str(k): str(v).removeprefix('sha256:')
        for k, v in sorted(listing.items())
        if not (str(k).endswith('.pyc') or '__pycache__' in str(k).split('/'))
    }


def diff_workspace(before: dict[str, str], after: dict[str, str]) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(created, changed, deleted) between two snapshots."""
    created = {p: h for p, h in sorted(after.items()) if p not in before}
    changed = {p: h for p, h in sorted(after.items()) if p in before and before[p] != h}
    deleted = sorted(p for p in before if p not in after)
    return created, changed, deleted


def apply_effects(workspace: dict[str, str], effects: Effects) -> None:
    """Update a modelled workspace with a call's recorded effects."""
    workspace.update(effects.created)
    workspace.update(effects.changed)
    for path in effects.deleted:
        workspace.pop(path, None)


@dataclass
class Observation:
    """What one call did. `exception` is what the tool raised (to re-raise), `error` its recorded form."""

    result: RecordedResult | None
    error: RecordedError | None
    effects: Effects | None
    exception: BaseException | None
    raw: ToolResult | None


class EffectTracker:
    """Runs tool calls and records their effects; one per record or replay session (shared by its tools)."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}

    def _lock(self, sandbox: Sandbox) -> asyncio.Lock:
        return self._locks.setdefault(id(sandbox), asyncio.Lock())

    async def observe(self, tool: Tool, arguments: dict[str, Any], ctx: ToolContext) -> Observation:
        """Run `tool` and record what happened. Never raises for the tool's own failure (see `exception`).

        Raises:
            SandboxError: the workspace could not be listed before or after the call.
        """
        if tool.side_effects != 'sandbox' or ctx.sandbox is None:
            return await _run(tool, arguments, ctx, None)
        async with self._lock(ctx.sandbox):
            before = await workspace_snapshot(ctx.sandbox)
            obs = await _run(tool, arguments, ctx, {})
            after = await workspace_snapshot(ctx.sandbox)
        assert obs.effects is not None
        obs.effects.created, obs.effects.changed, obs.effects.deleted = diff_workspace(before, after)
        return obs


async def _run(tool: Tool, arguments: dict[str, Any], ctx: ToolContext, track: dict[str, str] | None) -> Observation:
    from agentcore.tools import ToolError

    try:
        raw = await tool.run(arguments, ctx)
    except Exception as exc:  # recorded, then re-raised by the caller
        error = RecordedError(
            type=type(exc).__name__,
            message=str(exc),
            hint=getattr(exc, 'hint', None),
            tool_error=isinstance(exc, ToolError),
        )
        return Observation(None, error, Effects() if track is not None else None, exc, None)
    data = None if raw.data is None else {k: v for k, v in raw.data.items() if k not in VOLATILE_DATA_KEYS}
    result = RecordedResult(content=raw.content, is_error=raw.is_error, data=data, full_output=raw.full_output)
    effects = _output_effects(raw.data) if track is not None or _has_exec_data(raw.data) else None
    return Observation(result, None, effects, None, raw)


def _has_exec_data(data: dict[str, Any] | None) -> bool:
    return bool(data) and 'exit_code' in (data or {})


def _output_effects(data: dict[str, Any] | None) -> Effects:
    data = data or {}
    out = Effects(exit_code=data.get('exit_code') if isinstance(data.get('exit_code'), int) else None)
    if isinstance(data.get('stdout'), str):
        out.stdout_sha256 = sha256_text(data['stdout'])
    if isinstance(data.get('stderr'), str):
        out.stderr_sha256 = sha256_text(data['stderr'])
    return out

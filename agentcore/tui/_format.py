"""Turning run events (as plain dicts, live or from the run store) into timeline lines.

One formatter serves the live chat, the history browser and the replay stepper, so a stored run looks exactly like
it did while it ran.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from agentcore._cost import usd_text

_ENVELOPE = re.compile(r'\A<untrusted-data[^>]*>\n?(.*?)\n?</untrusted-data>\Z', re.DOTALL)

#: Tool output longer than this is cut in the timeline (the full text stays in the run store).
MAX_OUTPUT_CHARS = 20_000
#: Lines of a running call's streamed output shown in the timeline (the final output follows in full).
MAX_STREAM_LINES = 200
#: A streamed line without a newline is shown once it is this long.
MAX_STREAM_LINE_CHARS = 1000


@dataclass(frozen=True)
class Line:
    """One timeline line: its text and a style class (`run`, `model`, `tool`, `output`, `policy`, ...)."""

    text: str
    style: str


def args_text(arguments: Any, limit: int = 200) -> str:
    """Arguments as compact JSON, cut at `limit` characters."""
    text = arguments if isinstance(arguments, str) else json.dumps(arguments, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + '…'


def clip(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """`text` cut at `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f'{text[:limit]}\n… ({len(text) - limit} more characters; see `agentcore runs show`)'


def _usage(ev: dict[str, Any]) -> tuple[int, int]:
    usage = ev.get('usage') or {}
    return int(usage.get('input_tokens', 0)), int(usage.get('output_tokens', 0))


def _cost_text(ev: dict[str, Any]) -> str:
    """An event's cost, `$0.0123`, or `cost unknown` when it has none (a model with no price)."""
    cost = ev.get('cost_usd', 0.0)
    return usd_text(None if ev.get('cost_known') is False else cost, unknown='cost unknown')


def _run_started(ev: dict[str, Any]) -> list[Line]:
    lines = [Line(f'▶ run {ev["run_id"]} · {ev.get("model", "")}', 'run'), Line(f'  task: {ev.get("task", "")}', 'dim')]
    if ev.get('policy') == '<allow_all>':  # allow-all is a choice someone made: keep it in sight
        lines.append(Line('  policy: Policy.allow_all(): every tool call is allowed', 'approval'))
    return lines


def _turn_finished(ev: dict[str, Any]) -> list[Line]:
    tin, tout = _usage(ev)
    lines = [Line(f'◆ turn {ev["step"]} · {tin} in / {tout} out tokens · {_cost_text(ev)}', 'model')]
    if ev.get('content'):
        lines.append(Line(f'  {ev["content"]}', 'text'))
    for call in ev.get('tool_calls') or []:
        lines.append(Line(f'  → {call.get("name", "?")}({args_text(call.get("arguments", {}))})', 'dim'))
    return lines


def unwrap(content: str) -> str:
    """Tool output without the `<untrusted-data ...>` envelope the model sees it in (the status line says so)."""
    match = _ENVELOPE.match(content)
    return match.group(1) if match else content


def _tool_finished(ev: dict[str, Any]) -> list[Line]:
    flag = 'error' if ev.get('is_error') else ('reused' if ev.get('reused') else 'ok')
    content = str(ev.get('content', ''))
    inner = unwrap(content)
    untrusted = ' (untrusted data)' if inner != content else ''
    lines = [Line(f'  ↳ {ev["tool"]} {flag}{untrusted}:', 'error' if ev.get('is_error') else 'tool')]
    lines.extend(Line(f'    {row}', 'output') for row in clip(inner).splitlines() or [''])
    return lines


class OutputStream:
    """The streamed output of one running tool call, turned into timeline lines as complete lines arrive.

    Shows at most `MAX_STREAM_LINES` lines, then one line saying the rest is left for the final output; a text
    without a newline is held back until its line ends (or reaches `MAX_STREAM_LINE_CHARS`).
    """

    def __init__(self) -> None:
        self.partial = {'stdout': '', 'stderr': ''}
        self.shown = 0
        self.capped = False

    def add(self, stream: str, text: str) -> list[Line]:
        """The new lines for one `tool_output_delta` text."""
        if self.capped:
            return []
        key = 'stderr' if stream == 'stderr' else 'stdout'
        rows = (self.partial[key] + text).split('\n')
        self.partial[key] = rows.pop()
        if len(self.partial[key]) >= MAX_STREAM_LINE_CHARS:
            rows.append(self.partial[key])
            self.partial[key] = ''
        lines = []
        for row in rows:
            if self.shown >= MAX_STREAM_LINES:
                self.capped = True
                lines.append(Line('    ┊ … more output (shown in full when the call finishes)', 'dim'))
                break
            self.shown += 1
            lines.append(Line(f'    ┊ {row}' if key == 'stdout' else f'    ┊ [stderr] {row}', 'stream'))
        return lines


def _memory_recalled(ev: dict[str, Any]) -> list[Line]:
    if ev.get('error'):
        return [Line(f'⟲ memory recall failed ({ev.get("backend", "")}): {ev["error"]}', 'error')]
    episodes = ev.get('episodes') or []
    lines = [Line(f'⟲ memory ({ev.get("backend", "")}): {len(episodes)} episode(s) recalled', 'memory')]
    for ep in episodes:
        summary = ep.get('task') or ep.get('summary') or ep.get('text') or args_text(ep, 80)
        lines.append(Line(f'  · {args_text(str(summary), 100)}', 'dim'))
    return lines


def _memory_saved(ev: dict[str, Any]) -> list[Line]:
    if ev.get('error'):
        return [Line(f'⟲ memory save failed ({ev.get("backend", "")}): {ev["error"]}', 'error')]
    return [Line(f'⟲ memory saved ({ev.get("backend", "")}) {ev.get("episode_id") or ""}'.rstrip(), 'memory')]


def _run_finished(ev: dict[str, Any]) -> list[Line]:
    tin, tout = _usage(ev)
    style = 'run' if ev.get('status') == 'completed' else 'error'
    lines = [Line(f'■ run {ev.get("status")} · {ev.get("steps", 0)} steps · {tin + tout} tokens · '
                  f'{_cost_text(ev)}', style)]
    if ev.get('stop_reason'):
        lines.append(Line(f'  {ev["stop_reason"]}', 'dim'))
    return lines


def describe(ev: dict[str, Any]) -> list[Line]:
    """The timeline lines for one event (a `RunEvent.model_dump(mode='json')`). Unknown events get one line."""
    kind = ev.get('type')
    if kind == 'run_started':
        return _run_started(ev)
    if kind == 'model_turn_started':
        return [Line(f'◇ turn {ev["step"]} started', 'dim')]
    if kind == 'model_turn_finished':
        return _turn_finished(ev)
    if kind == 'turn_rejected':
        return [Line(f'✗ turn {ev["step"]} rejected: {ev.get("reason", "")}', 'error')]
    if kind == 'policy_decision':
        return [Line(f'⚖ policy {ev["action"]} {ev["tool"]} [{ev.get("rule", "")}]: {ev.get("reason", "")}', 'policy')]
    if kind == 'approval_requested':
        return [Line(f'? approval needed: {ev["tool"]}({args_text(ev.get("arguments", {}))})', 'approval'),
                Line(f'  {ev.get("reason", "")}', 'dim')]
    if kind == 'approval_resolved':
        detail = f': {ev["detail"]}' if ev.get('detail') else ''
        return [Line(f'✓ approval {ev["decision"]} {ev["tool"]}{detail}', 'approval')]
    if kind == 'tool_call_started':
        return [Line(f'⚙ {ev["tool"]}({args_text(ev.get("arguments", {}))})', 'tool')]
    if kind == 'tool_call_finished':
        return _tool_finished(ev)
    if kind == 'guardrail_flagged':
        findings = '; '.join(ev.get('findings') or [])
        return [Line(f'⚠ guardrail {ev.get("guardrail")} ({ev.get("stage")}) {ev.get("action")}: {findings}',
                     'guardrail')]
    if kind == 'memory_recalled':
        return _memory_recalled(ev)
    if kind == 'memory_saved':
        return _memory_saved(ev)
    if kind == 'run_finished':
        return _run_finished(ev)
    return [Line(f'· {kind}: {args_text(ev, 120)}', 'dim')]


def summary(ev: dict[str, Any]) -> str:
    """A one-line summary of an event (the first timeline line), for step lists."""
    return describe(ev)[0].text

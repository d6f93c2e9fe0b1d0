"""Provenance of a run's context: which untrusted sources (tool output, memory recalls, MCP results) it holds."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ['UNTRUSTED_SOURCES_KEY', 'SourceKind', 'UntrustedSource', 'find_untrusted', 'untrusted_sources']

SourceKind = Literal['tool', 'mcp', 'memory', 'other']

#: The `ToolContext.extra` key under which the graph may hand a tool the run's untrusted sources (a list of labels);
#: `memory_save` reads it to mark what it saves.
UNTRUSTED_SOURCES_KEY = 'untrusted_sources'

# An opening tag as `wrap_untrusted` writes it; lookalikes inside a block have their `<` escaped, so they never match.
_OPEN = re.compile(r'<untrusted-data source="([^"]*)"(?: id="([^"]*)")?>')
_MCP_PREFIX = 'mcp__'


@dataclass(frozen=True)
class UntrustedSource:
    """One piece of untrusted content in a run's context.

    Attributes:
        kind: `tool` (a tool's output), `mcp` (an MCP tool's result), `memory` (a recalled episode) or `other`.
        name: The tool name, the memory backend and run id (`local:run-1`), or the raw source of an `other` block.
        ref: The tool call id, where the content is a tool result; else `None`.
    """

    kind: SourceKind
    name: str
    ref: str | None = None

    @property
    def label(self) -> str:
        """A short stable label: `tool:read_file#call_0_0`, `mcp:mcp__github__get_issue#c1`, `memory:local:run-1`."""
        return f'{self.kind}:{self.name}' + (f'#{self.ref}' if self.ref else '')


def find_untrusted(messages: Iterable[Mapping[str, Any]]) -> list[UntrustedSource]:
    """The untrusted sources in `messages` (state['messages'] dicts), in order of first appearance, de-duplicated.

    A tool message counts when its content holds an `<untrusted-data>` block (every tool result the graph runs is
    wrapped; refusals and malformed-call errors the graph writes itself are not); it is named by the message's tool
    name and call id, and a tool named `mcp__...` is an MCP result. Any other user or tool message counts for each
    `<untrusted-data source=...>` block it holds (recalled memory: `memory:BACKEND:RUN_ID`). Assistant and system
    messages never count. Cost: one substring test per message, a regex only over messages holding a block.
    """
    seen: dict[str, UntrustedSource] = {}
    for m in messages:
        role, content = m.get('role'), m.get('content')
        if role not in ('tool', 'user') or not isinstance(content, str) or '<untrusted-data' not in content:
            continue
        blocks = _OPEN.findall(content)
        if not blocks:
            continue
        if role == 'tool':
            name = str(m.get('name') or 'unknown')
            kind: SourceKind = 'mcp' if name.startswith(_MCP_PREFIX) else 'tool'
            found = [UntrustedSource(kind, name, str(m.get('tool_call_id') or '') or None)]
        else:
            found = [_from_attr(html.unescape(source)) for source, _ in blocks]
        for source in found:
            seen.setdefault(source.label, source)
    return list(seen.values())


def untrusted_sources(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    """The labels of `find_untrusted(messages)`: empty when only trusted content (user, system, model) is in context."""
    return [s.label for s in find_untrusted(messages)]


def _from_attr(source: str) -> UntrustedSource:
    kind, _, name = source.partition(':')
    if kind == 'memory' and name:
        return UntrustedSource('memory', name)
    if kind == 'tool' and name:
        return UntrustedSource('mcp' if name.startswith(_MCP_PREFIX) else 'tool', name)
    return UntrustedSource('other', source or 'unknown')

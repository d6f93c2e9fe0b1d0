"""Provenance of a run's context: its trusted pieces (user, system) and untrusted ones (tool output, files, MCP, memory)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    'UNTRUSTED_SOURCES_KEY',
    'ArgumentProvenance',
    'ContextPiece',
    'SourceKind',
    'Trust',
    'UntrustedSource',
    'context_pieces',
    'find_untrusted',
    'for_argument',
    'untrusted_sources',
]

SourceKind = Literal['tool', 'file', 'mcp', 'memory', 'other']

#: The tools whose output is the content of a file: named `file:PATH` (the `path` argument of the call).
FILE_READERS = frozenset({'read_file'})

#: The `ToolContext.extra` key under which the graph may hand a tool the run's untrusted sources (a list of labels);
#: `memory_save` reads it to mark what it saves.
UNTRUSTED_SOURCES_KEY = 'untrusted_sources'

# An opening tag as `wrap_untrusted` writes it; lookalikes inside a block have their `<` escaped, so they never match.
_OPEN = re.compile(r'<untrusted-data source="([^"]*)"(?: id="([^"]*)")?>')
_BLOCK = re.compile(r'<untrusted-data source="([^"]*)"(?: id="[^"]*")?>\n?(.*?)\n?</untrusted-data>', re.DOTALL)
_MCP_PREFIX = 'mcp__'


@dataclass(frozen=True)
class UntrustedSource:
    """One piece of untrusted content in a run's context.

    Attributes:
        kind: `tool` (a tool's output), `file` (a file's content, as `read_file` returned it), `mcp` (an MCP tool's
            result), `memory` (a recalled episode) or `other`.
        name: The tool name, the path read, the memory backend and run id (`local:run-1`), or the raw source of an
            `other` block.
        ref: The tool call id, where the content is a tool result; else `None`.
    """

    kind: SourceKind
    name: str
    ref: str | None = None

    @property
    def label(self) -> str:
        """A short stable label: `tool:shell#call_0_0`, `file:notes.txt#call_1_0`, `mcp:mcp__x__get#c1`, `memory:local:r1`."""
        return f'{self.kind}:{self.name}' + (f'#{self.ref}' if self.ref else '')


def find_untrusted(messages: Iterable[Mapping[str, Any]]) -> list[UntrustedSource]:
    """The untrusted sources in `messages` (state['messages'] dicts), in order of first appearance, de-duplicated.

    A tool message counts when its content holds an `<untrusted-data>` block (every tool result the graph runs is
    wrapped; refusals and malformed-call errors the graph writes itself are not); it is named by the message's tool
    name and call id; a tool named `mcp__...` is an MCP result, a `read_file` result a `file` named by its path. Any
    other user or tool message counts for each `<untrusted-data source=...>` block it holds (recalled memory:
    `memory:BACKEND:RUN_ID`). Assistant and system messages never count. Cost: one substring test per message, a
    regex only over messages holding a block.
    """
    seen: dict[str, UntrustedSource] = {}
    for piece in context_pieces(messages):
        if piece.source is not None:
            seen.setdefault(piece.source.label, piece.source)
    return list(seen.values())


@dataclass(frozen=True)
class ContextPiece:
    """One piece of a run's context as the model sees it: trusted (`source` is None) or untrusted.

    Attributes:
        label: `user` or `system` for trusted pieces, else the untrusted source's label.
        text: the content (for untrusted pieces the body of the `<untrusted-data>` block, unescaped).
        source: the untrusted source, or `None` for trusted content.
    """

    label: str
    text: str
    source: UntrustedSource | None = None


def context_pieces(messages: Iterable[Mapping[str, Any]]) -> list[ContextPiece]:
    """The trusted and untrusted pieces of `messages`, in order.

    Trusted: system messages and user messages without `<untrusted-data>` blocks (the task, later user turns).
    Untrusted: the body of each block in a tool or user message. Never counted: assistant messages (the model may
    repeat untrusted content) and text the graph writes around blocks or instead of them (refusals, notices: they
    quote call arguments, so counting them as trusted would launder untrusted values).
    """
    calls: dict[str, Mapping[str, Any]] = {}
    out: list[ContextPiece] = []
    for m in messages:
        role, content = m.get('role'), m.get('content')
        if role == 'assistant':
            for call in m.get('tool_calls') or ():
                if isinstance(call, Mapping) and call.get('id'):
                    calls[str(call['id'])] = call
            continue
        if not isinstance(content, str):
            continue
        if role == 'system' or (role == 'user' and '<untrusted-data' not in content):
            out.append(ContextPiece(str(role), content))
            continue
        if role not in ('tool', 'user') or '<untrusted-data' not in content:
            continue
        for attr, body in _BLOCK.findall(content):
            if role == 'tool':
                source = _tool_source(str(m.get('name') or 'unknown'), str(m.get('tool_call_id') or '') or None, calls)
            else:
                source = _from_attr(html.unescape(attr))
            out.append(ContextPiece(source.label, body.replace('&lt;', '<'), source))
    return out


def _tool_source(name: str, call_id: str | None, calls: Mapping[str, Mapping[str, Any]]) -> UntrustedSource:
    if name.startswith(_MCP_PREFIX):
        return UntrustedSource('mcp', name, call_id)
    if name in FILE_READERS and call_id is not None and call_id in calls:
        args = calls[call_id].get('arguments')
        if isinstance(args, str):  # the raw JSON text the model sent
            try:
                args = json.loads(args)
            except ValueError:
                args = None
        path = args.get('path') if isinstance(args, Mapping) else None
        if isinstance(path, str) and path:
            return UntrustedSource('file', path, call_id)
    return UntrustedSource('tool', name, call_id)


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


#: `trusted`: the value is in trusted content (the user's messages, the system prompt, the policy);
#: `untrusted`: the value, or a part of it (a URL's host, path or query value, an e-mail address or its domain, a
#: long token such as an account number), is in untrusted content (tool output, file reads, web pages, MCP results,
#: recalled memory) and not in trusted content; `model`: neither, the model wrote it.
Trust = Literal['trusted', 'untrusted', 'model']


class ArgumentProvenance(BaseModel):
    """The provenance of one leaf value of a call's arguments.

    Attributes:
        argument: where the value sits in the arguments: `url`, `headers.Authorization`, `recipients[1]`.
        trust: `trusted`, `untrusted` or `model` (see `Trust`).
        sources: the labels of the context pieces holding it: `user`, `system`, `policy` for trusted content;
            `tool:http_fetch#call_1_0`, `file:notes.txt#call_0_0`, `mcp:...`, `memory:local:run-1` for untrusted.
        parts: for `untrusted`, what was found only in untrusted content: `value` (the whole value), `url`, `host`,
            `path`, `query`, `email`, `domain` or `token`.
        instructed: the untrusted text around the value reads as instructions to the agent (the injection
            detector reports findings there): the data told the agent to use this value.
    """

    model_config = ConfigDict(frozen=True)

    argument: str
    trust: Trust
    sources: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    instructed: bool = False

    def describe(self) -> str:
        """One line for people: `url: untrusted (host only in tool:http_fetch#c1; instructed)`."""
        if self.trust != 'untrusted':
            where = f' ({", ".join(self.sources)})' if self.sources else ''
            return f'{self.argument}: {self.trust}{where}'
        what = 'value' if self.parts in ((), ('value',)) else '/'.join(self.parts)
        extra = '; the text there instructs the agent' if self.instructed else ''
        return f'{self.argument}: untrusted ({what} only in {", ".join(self.sources) or "untrusted content"}{extra})'


def for_argument(provenance: Sequence[ArgumentProvenance], argument: str) -> list[ArgumentProvenance]:
    """The entries of `provenance` for top-level `argument` and everything nested in it (`url`, `body.to[0]`)."""
    return [p for p in provenance
            if p.argument == argument or p.argument.startswith((argument + '.', argument + '['))]

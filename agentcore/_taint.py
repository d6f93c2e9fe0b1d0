"""Argument provenance: which values of a proposed tool call appear in untrusted content and not in trusted content.

The context is what the model sees (`agentcore._provenance.context_pieces`): trusted pieces are the system prompt,
the user's messages and the policy's allowlist; untrusted ones are the bodies of `<untrusted-data>` blocks (tool
output, file reads, MCP results, recalled memory). Each leaf of a call's arguments is looked up in both, folded
(NFKC, case-folded, zero-width characters removed, HTML entities decoded, runs of white space made one space, paragraph breaks kept):
first whole, then by parts, so a value the model assembled is still traced: a URL's host, path and query values,
e-mail addresses and their domain, and long tokens (8+ characters with a digit: account numbers, IBANs, ids) found
anywhere in a string. A value (or part) in trusted content is trusted, whatever else holds it.

Limits: matching is textual. A value the model derived (translated, computed, re-encoded) without copying it is
reported `model`; values under `MIN_CHARS` characters are not traced (reported `model`); at most `MAX_LEAVES`
leaves per call. Cost: one substring search per value and part over the folded context; the folded context of a
run is built incrementally, once per message.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ._provenance import ArgumentProvenance, context_pieces

__all__ = ['MAX_LEAVES', 'MIN_CHARS', 'argument_provenance', 'fold', 'from_approver', 'leaves', 'untrusted_in_context']

MIN_CHARS = 4
MAX_LEAVES = 200
_WINDOW = 300  # characters either side of an untrusted value read for instructions (within its paragraph)
_MAX_WINDOWS = 8
_MAX_RUNS = 256
_ZERO_WIDTH = dict.fromkeys(map(ord, '\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff'))
_SPACE = re.compile(r'(?:[^\S\n]|(?<!\n)\n(?!\n))+')
_PARAGRAPH = re.compile(r'\s*\n\s*\n\s*')
_URL = re.compile(r'\b(?:https?|ftp|wss?)://[^\s<>"\'`]+|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s<>"\'`]*')
_EMAIL = re.compile(r'[\w.+-]+@((?:[\w-]+\.)+[\w-]{2,})')
_TOKEN = re.compile(r'(?<![\w-])(?=[\w-]*\d)[\w-]{8,}(?![\w-])')
_TRAILING = '.,;:!?)]}\'"'


def fold(text: str) -> str:
    """`text` as matching compares it (see the module docstring)."""
    if '&' in text:
        text = html.unescape(text)
    text = unicodedata.normalize('NFKC', text).translate(_ZERO_WIDTH).casefold()
    return _SPACE.sub(' ', _PARAGRAPH.sub('\n\n', text))


@dataclass
class _Context:
    """The folded context of one run, grown as its messages grow."""

    seen: int = 0
    trusted: list[tuple[str, str]] = field(default_factory=list)
    untrusted: list[tuple[str, str]] = field(default_factory=list)
    extra: tuple[str, ...] = ()

    def add(self, messages: Sequence[Mapping[str, Any]]) -> None:
        for piece in context_pieces(messages[self.seen:]):
            (self.untrusted if piece.source is not None else self.trusted).append((piece.label, fold(piece.text)))
        self.seen = len(messages)


_CONTEXTS: OrderedDict[str, _Context] = OrderedDict()


def _context(run_id: str, messages: Sequence[Mapping[str, Any]], trusted_extra: tuple[str, ...]) -> _Context:
    ctx = _CONTEXTS.get(run_id)
    # Messages only grow within a run; anything else (a fork, a rewritten history) starts over.
    if ctx is None or ctx.seen > len(messages) or ctx.extra != trusted_extra:
        ctx = _Context(extra=trusted_extra)
        ctx.trusted += [('policy', fold(t)) for t in trusted_extra]
        _CONTEXTS[run_id] = ctx
    _CONTEXTS.move_to_end(run_id)
    while len(_CONTEXTS) > _MAX_RUNS:
        _CONTEXTS.popitem(last=False)
    ctx.add(messages)
    return ctx


def untrusted_in_context(
    run_id: str, messages: Sequence[Mapping[str, Any]], *, trusted_extra: tuple[str, ...] = ()
) -> list[str]:
    """The labels of the untrusted pieces in `messages`, in order, de-duplicated (empty: only trusted content)."""
    return list(dict.fromkeys(label for label, _ in _context(run_id, messages, trusted_extra).untrusted))


def leaves(value: Any, path: str = '') -> Iterator[tuple[str, Any]]:
    """`(path, value)` for every scalar in `value`: `url`, `headers.Authorization`, `to[0]`."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from leaves(item, f'{path}.{key}' if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from leaves(item, f'{path}[{i}]')
    else:
        yield path, value


def from_approver(arguments: Mapping[str, Any]) -> list[ArgumentProvenance]:
    """The provenance of arguments a human approver wrote (an `Edit`): every value trusted, source `approver`."""
    return [ArgumentProvenance(argument=path, trust='trusted', sources=('approver',)) for path, _ in leaves(arguments)]


def _parts(text: str) -> Iterator[tuple[str, str]]:
    """`(kind, folded part)` of a folded string: URLs and their host/path/query values, e-mails, long tokens."""
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(_TRAILING)
        yield 'url', url
        try:
            parts = urlsplit(url if '://' in url else '//' + url)
            host = parts.hostname or ''
        except ValueError:
            continue
        if host:
            yield 'host', host.removeprefix('www.')
        if len(parts.path) > MIN_CHARS:
            yield 'path', parts.path
        for _, v in parse_qsl(parts.query):
            yield 'query', v
    for m in _EMAIL.finditer(text):
        yield 'email', m.group(0)
        yield 'domain', m.group(1)
    for m in _TOKEN.finditer(text):
        yield 'token', m.group(0)


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return fold(value) if isinstance(value, str) else str(value) if isinstance(value, int | float) else None


def _instructed(ctx: _Context, labels: Iterable[str], needle: str, budget: list[int]) -> bool:
    """Whether the untrusted text around `needle` in any of `labels` reads as instructions to the agent."""
    from .guardrails import InjectionDetector

    detector = InjectionDetector()
    wanted = set(labels)
    for label, text in ctx.untrusted:
        if label not in wanted or budget[0] <= 0:
            continue
        at = text.find(needle)
        if at < 0:
            continue
        budget[0] -= 1
        # The paragraph holding the value (at most _WINDOW characters either side): an instruction elsewhere in a
        # long document does not make every value in it instructed.
        start = max(text.rfind('\n\n', max(0, at - _WINDOW), at) + 2, at - _WINDOW, 0)
        stop = text.find('\n\n', at + len(needle), at + len(needle) + _WINDOW)
        _, score = detector.scan(text[start: stop if stop >= 0 else at + len(needle) + _WINDOW])
        if score >= detector.threshold / 2:
            return True
    return False


def argument_provenance(
    run_id: str,
    messages: Sequence[Mapping[str, Any]],
    arguments: Mapping[str, Any],
    *,
    trusted_extra: tuple[str, ...] = (),
) -> list[ArgumentProvenance]:
    """The provenance of each leaf of `arguments` in the context `messages` of run `run_id`.

    Args:
        run_id: the run (its folded context is cached, and extended as `messages` grows).
        messages: the run's messages (state['messages'] dicts).
        arguments: the call's parsed arguments.
        trusted_extra: more trusted text (the policy's allowlist entries).
    """
    ctx = _context(run_id, messages, trusted_extra)
    out: list[ArgumentProvenance] = []
    budget = [_MAX_WINDOWS]
    for path, value in list(leaves(dict(arguments)))[:MAX_LEAVES]:
        text = _scalar_text(value)
        if text is None or len(text) < MIN_CHARS:
            out.append(ArgumentProvenance(argument=path, trust='model'))
            continue
        trusted = tuple(label for label, t in ctx.trusted if text in t)
        if trusted:
            out.append(ArgumentProvenance(argument=path, trust='trusted', sources=tuple(dict.fromkeys(trusted))))
            continue
        found: dict[str, None] = {}
        kinds: dict[str, None] = {}
        needles: list[str] = []
        pieces = [('value', text), *((k, p) for k, p in _parts(text) if len(p) >= MIN_CHARS and p != text)]
        for kind, piece in pieces:
            if any(piece in t for _, t in ctx.trusted):
                continue
            labels = [label for label, t in ctx.untrusted if piece in t]
            if labels:
                kinds[kind] = None
                found.update(dict.fromkeys(labels))
                needles.append(piece)
            if kind == 'value' and labels:
                break  # the whole value is untrusted: its parts add nothing
        if not found:
            out.append(ArgumentProvenance(argument=path, trust='model'))
            continue
        instructed = any(_instructed(ctx, found, n, budget) for n in needles)
        out.append(ArgumentProvenance(argument=path, trust='untrusted', sources=tuple(found), parts=tuple(kinds),
                                      instructed=instructed))
    return out

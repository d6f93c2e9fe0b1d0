"""Limits and cleaning for data from models and tools: bounded depth and size, storable text, terminal-safe text."""

from __future__ import annotations

import json
import re
from typing import Any

#: Deepest nesting of objects and arrays accepted in a model's tool arguments (and kept in a tool's `data`).
MAX_ARG_DEPTH = 64
#: Largest tool-arguments text accepted from a model, in UTF-8 bytes (512 KiB); larger calls become tool errors.
MAX_ARG_BYTES = 512 * 1024
#: Most characters of a tool's output kept at all (the ledger's `full_output` included): 1,000,000. The model sees
#: at most `tool_output_chars` of it; anything beyond this limit is dropped (head and tail kept, with a marker)
#: before guardrails, the run store or a checkpoint see it.
MAX_OUTPUT_CHARS = 1_000_000

REPLACEMENT = '\ufffd'

_UNSTORABLE = re.compile('[\x00\ud800-\udfff]')
#: Terminal control: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings (up to BEL or ST), other ESC sequences,
#: their 8-bit C1 forms, and every C0/C1 control but newline and tab.
_CONTROL = re.compile(
    r'(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?'
    r'|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?'
    r'|\x1b[ -/]*[0-~]?'
    r'|[\x00-\x08\x0b-\x1f\x7f-\x9f]'
)


class ArgumentsRejected(ValueError):
    """A model's tool arguments break a limit (too large, nested too deep); the message says which."""


def clean_text(text: str | bytes | bytearray) -> str:
    """`text` safe to store: invalid UTF-8 bytes and lone surrogates become U+FFFD, NUL bytes become U+FFFD.

    A surrogate pair held as two code points (U+D83D U+DE00) is joined into its character. Text that needs
    no change is returned as is (one encode pass).
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode('utf-8', 'replace')
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        text = text.encode('utf-16-le', 'surrogatepass').decode('utf-16-le', 'replace')
    return text.replace('\x00', REPLACEMENT) if '\x00' in text else text


def needs_cleaning(text: str) -> bool:
    """True if `text` holds a NUL or a surrogate code point."""
    return _UNSTORABLE.search(text) is not None


def clean_value(value: Any, *, max_depth: int = MAX_ARG_DEPTH) -> Any:
    """`value` (JSON-like: dicts, lists, tuples, scalars) with every string cleaned by `clean_output`.

    Bytes become text. A container nested deeper than `max_depth` is replaced by a marker string, so that nothing
    downstream (json, msgpack, pydantic) recurses past its limit. Never raises RecursionError: the walk is iterative.
    """
    return _walk(value, max_depth)


def _walk(value: Any, max_depth: int) -> Any:
    if isinstance(value, str | bytes | bytearray):
        return _clean_str(value)
    if not isinstance(value, dict | list | tuple):
        return value
    marker = f'[agentcore: nested deeper than {max_depth} levels, dropped]'
    root: list[Any] = [None]
    # (source container, target container, key in parent target to fill, depth)
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 1)]
    while stack:
        src, parent, key, depth = stack.pop()
        if depth > max_depth:
            parent[key] = marker
            continue
        if isinstance(src, dict):
            out: Any = {}
            parent[key] = out
            for k, v in src.items():
                k = _clean_str(k) if isinstance(k, str | bytes) else k
                _place(out, k, v, stack, depth)
        else:
            out = [None] * len(src)
            parent[key] = out  # tuples become lists, as JSON would make them
            for i, v in enumerate(src):
                _place(out, i, v, stack, depth)
    return root[0]


def _place(out: Any, key: Any, v: Any, stack: list[tuple[Any, Any, Any, int]], depth: int) -> None:
    if isinstance(v, dict | list | tuple):
        out[key] = None
        stack.append((v, out, key, depth + 1))
    elif isinstance(v, str | bytes | bytearray):
        out[key] = _clean_str(v)
    else:
        out[key] = v


def _clean_str(v: str | bytes | bytearray) -> str:
    return clean_output(v) or ''


def depth_of(value: Any, limit: int = MAX_ARG_DEPTH) -> int:
    """Nesting depth of dicts and lists in `value` (a scalar is 0), counted iteratively; stops once over `limit`."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            stack.extend((v, depth) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def load_arguments(text: str) -> Any:
    """Parse a model's tool-arguments JSON within `MAX_ARG_BYTES` and `MAX_ARG_DEPTH`, strings cleaned.

    Raises:
        ArgumentsRejected: the text is larger than `MAX_ARG_BYTES` or nested deeper than `MAX_ARG_DEPTH`.
        json.JSONDecodeError: the text is not JSON.
    """
    size = len(text.encode('utf-8', 'surrogatepass'))
    if size > MAX_ARG_BYTES:
        raise ArgumentsRejected(f'arguments are too large ({size:,} bytes; the limit is {MAX_ARG_BYTES:,}); '
                                'send less data per call, for example write it to a file in several calls')
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
        too_deep = True
    else:
        too_deep = depth_of(value) > MAX_ARG_DEPTH
    if too_deep:
        raise ArgumentsRejected(f'arguments are nested too deeply (the limit is {MAX_ARG_DEPTH} levels of objects '
                                'and arrays); send a flatter JSON object')
    return clean_value(value)


def bound_output(text: str, limit: int = MAX_OUTPUT_CHARS) -> str:
    """Head and tail of `text` within `limit` characters, with a marker saying how much was dropped."""
    if len(text) <= limit:
        return text
    marker = f'\n... [agentcore: {len(text) - limit:,} characters of output dropped] ...\n'
    head = (limit - len(marker)) * 2 // 3
    tail = max(0, limit - len(marker) - head)
    return text[:head] + marker + (text[-tail:] if tail else '')


def clean_output(text: str | bytes | bytearray | None, limit: int = MAX_OUTPUT_CHARS) -> str | None:
    """A tool's output bounded to `limit` characters (bytes decoded first) and cleaned by `clean_text`."""
    if text is None:
        return None
    if isinstance(text, bytes | bytearray):
        text = bytes(text[: limit * 4]).decode('utf-8', 'replace')
    return clean_text(bound_output(text, limit))


def clean_tool_result(
    content: str, full_output: str | None, data: dict[str, Any] | None
) -> tuple[str, str | None, dict[str, Any] | None]:
    """A tool's (content, full output, data) bounded and cleaned before anything else sees them.

    Content and full output are bounded to `MAX_OUTPUT_CHARS` and cleaned (`clean_output`); `data` is cleaned by
    `clean_value` (nesting beyond `MAX_ARG_DEPTH` dropped) with each string bounded to `MAX_OUTPUT_CHARS`.
    """
    cleaned = clean_output(content if isinstance(content, str | bytes | bytearray) else str(content)) or ''
    data = None if data is None else clean_value(data)
    return cleaned, clean_output(full_output), data


def strip_control(text: str) -> str:
    """`text` without terminal control sequences (ANSI CSI, OSC, DCS... and C0/C1 controls but newline and tab).

    For printing model and tool text to a terminal: an answer cannot clear the screen or set the window title.
    A carriage return is dropped too (it would let text overwrite what came before on the line).
    """
    if text.isprintable() or not _CONTROL.search(text):
        return text
    return _CONTROL.sub('', text)

"""Sections into bounded, overlapping chunks with stable ids.

Each section's blocks are packed greedily into chunks of at most `max_chars` characters; a block longer than
`max_chars - overlap` is split at line breaks, then sentence ends, then spaces (a run without any is cut). Consecutive chunks of one
section share up to `overlap` characters (the previous chunk's tail, from a sentence or word start); chunks never
span two sections, so every chunk has one heading path and one page.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass

from ._sections import ParsedDocument
from ._types import HEADING_SEPARATOR, KnowledgeChunk

__all__ = ['Chunking', 'chunk_document']

_SENTENCE_END = re.compile(r'(?<=[.!?;:])\s+')
_WORD_START = re.compile(r'\s+')


@dataclass(frozen=True)
class Chunking:
    """How documents are split.

    Args:
        max_chars: Most characters in a chunk, 200 to 8000 (default 1000).
        overlap: Characters the next chunk of a section repeats from the previous one, 0 to `max_chars // 2`
            (default 150).

    Raises:
        ValueError: Out-of-range settings.
    """

    max_chars: int = 1000
    overlap: int = 150

    def __post_init__(self) -> None:
        if not 200 <= self.max_chars <= 8000:
            raise ValueError(f'max_chars must be between 200 and 8000, got {self.max_chars}')
        if not 0 <= self.overlap <= self.max_chars // 2:
            raise ValueError(f'overlap must be between 0 and max_chars // 2 ({self.max_chars // 2}), got {self.overlap}')

    @property
    def signature(self) -> str:
        """Stored with each document: a document split with other settings is re-ingested."""
        return f'v1:{self.max_chars}:{self.overlap}'


def _pieces(text: str, limit: int, separators: tuple[re.Pattern[str] | str, ...] = ('\n', _SENTENCE_END, ' ')) -> list[str]:
    """`text` cut into pieces of at most `limit` characters, at the coarsest separator that makes them fit."""
    if len(text) <= limit:
        return [text]
    if not separators:
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    sep, rest = separators[0], separators[1:]
    parts = sep.split(text) if isinstance(sep, re.Pattern) else text.split(sep)
    joiner = ' ' if isinstance(sep, re.Pattern) else sep
    out: list[str] = []
    current = ''
    for part in parts:
        if not part.strip():
            continue
        candidate = f'{current}{joiner}{part}' if current else part
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            out.append(current)
        if len(part) <= limit:
            current = part
        else:
            out.extend(_pieces(part, limit, rest))
            current = ''
    if current:
        out.append(current)
    return out


def _tail(text: str, overlap: int) -> str:
    """The last `overlap` characters of `text` or fewer, starting at a sentence start, else a word start."""
    if overlap <= 0 or len(text) <= overlap:
        return '' if overlap <= 0 else text
    tail = text[-overlap:]
    for pattern in (_SENTENCE_END, _WORD_START):
        found = pattern.search(tail)
        if found and found.end() < len(tail):
            return tail[found.end() :]
    return tail


def _pack(blocks: tuple[str, ...], options: Chunking) -> list[str]:
    size, overlap = options.max_chars, options.overlap
    # pieces leave room for the overlap, so that a chunk is always its predecessor's tail plus at least one piece
    limit = size - overlap - 2 if overlap else size
    pieces = [(piece, b) for b, block in enumerate(blocks) for piece in _pieces(block, limit)]
    inner = ['\n' if '\n' in block else ' ' for block in blocks]  # what joins two pieces of one block
    chunks: list[str] = []
    text = ''
    last = -1
    for piece, b in pieces:
        sep = inner[b] if b == last else '\n\n'
        if text and len(text) + len(sep) + len(piece) > size:
            chunks.append(text)
            tail = _tail(text, overlap)
            text = tail if tail and len(tail) + len(sep) + len(piece) <= size else ''
        text = f'{text}{sep}{piece}' if text else piece
        last = b
    if text:
        chunks.append(text)
    return chunks


def chunk_id(source: str, heading: tuple[str, ...], page: int | None, text: str, occurrence: int) -> str:
    """The stable id of a chunk: 16 hex digits of the SHA-256 of where it is and what it says."""
    key = '\x1f'.join([source, HEADING_SEPARATOR.join(heading), str(page), text, str(occurrence)])
    return hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]


def chunk_document(
    source: str, parsed: ParsedDocument, options: Chunking, tags: tuple[str, ...] = ()
) -> list[KnowledgeChunk]:
    """The chunks of a parsed document, in order."""
    out: list[KnowledgeChunk] = []
    seen: Counter[tuple[tuple[str, ...], int | None, str]] = Counter()
    for section in parsed.sections:
        for text in _pack(section.blocks, options):
            key = (section.heading, section.page, text)
            seen[key] += 1
            out.append(KnowledgeChunk(
                id=chunk_id(source, section.heading, section.page, text, seen[key]), source=source,
                heading=section.heading, page=section.page, ordinal=len(out), text=text, title=parsed.title,
                format=parsed.format, tags=tags,
            ))  # fmt: skip
    return out

"""Markdown into sections by heading structure: ATX (`## Title`) and setext headings, fenced code kept whole.

Not a full CommonMark parser: enough structure for retrieval. Front matter (`---` ... `---` at the top) is dropped,
its `title:` kept as the title; `#` lines inside fenced code blocks are code, not headings; a list item or a code
block is one block, a paragraph another.
"""

from __future__ import annotations

import re

from ._sections import ParsedDocument, SectionBuilder

__all__ = ['heading_text', 'parse_markdown']

_ATX = re.compile(r'^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$')
_FENCE = re.compile(r'^ {0,3}(`{3,}|~{3,})')
_SETEXT = re.compile(r'^ {0,3}(=+|-+)[ \t]*$')
_BREAK = re.compile(r'^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$')
_ITEM = re.compile(r'^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+')
_LINK = re.compile(r'!?\[([^\]]*)\]\([^)]*\)')
_EMPHASIS = re.compile(r'(\*\*|__|\*|_|`)(.+?)\1')
_TITLE = re.compile(r'^title:[ \t]*(.+?)[ \t]*$', re.MULTILINE)


def heading_text(raw: str) -> str:
    """A heading's plain text: links, images and emphasis markers removed, whitespace collapsed."""
    text = _LINK.sub(r'\1', raw)
    text = _EMPHASIS.sub(r'\2', text)
    return ' '.join(text.split())


def _front_matter(lines: list[str]) -> tuple[int, str]:
    """(lines to skip, its `title:` or '') for a YAML front matter block at the top."""
    if not lines or lines[0].strip() != '---':
        return 0, ''
    for end in range(1, len(lines)):
        if lines[end].strip() in ('---', '...'):
            found = _TITLE.search('\n'.join(lines[1:end]))
            return end + 1, found.group(1).strip('\'"') if found else ''
    return 0, ''


class _Blocks:
    """Groups the lines of one section into blocks: paragraphs, list items, fenced code."""

    def __init__(self, out: SectionBuilder) -> None:
        self.out = out
        self.lines: list[str] = []

    def end(self) -> None:
        self.out.block('\n'.join(self.lines))
        self.lines = []

    def add(self, line: str) -> None:
        if not line.strip():
            self.end()
        elif _ITEM.match(line) and self.lines:
            self.end()
            self.lines.append(line)
        else:
            self.lines.append(line)


def parse_markdown(text: str, fallback_title: str = '') -> ParsedDocument:
    """Split Markdown `text` into sections by its headings; the title is front matter's, else the first H1's."""
    lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
    start, title = _front_matter(lines)
    out = SectionBuilder()
    blocks = _Blocks(out)
    fence: str | None = None
    for line in lines[start:]:
        if fence is not None:
            blocks.lines.append(line)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
                blocks.end()
            continue
        opened = _FENCE.match(line)
        if opened:
            blocks.end()
            fence = opened.group(1)
            blocks.lines.append(line)
            continue
        atx = _ATX.match(line)
        setext = _SETEXT.match(line)
        if atx:
            blocks.end()
            name = heading_text(atx.group(2) or '')
            if name:
                out.open_heading(len(atx.group(1)), name)
                title = title or (name if len(atx.group(1)) == 1 else '')
        elif setext and len(blocks.lines) == 1 and not _ITEM.match(blocks.lines[0]):
            name = heading_text(blocks.lines.pop())
            level = 1 if setext.group(1).startswith('=') else 2
            out.open_heading(level, name)
            title = title or (name if level == 1 else '')
        elif _BREAK.match(line):
            blocks.end()
        else:
            blocks.add(line)
    blocks.end()
    out.flush()
    return ParsedDocument('markdown', title or fallback_title, out.sections)

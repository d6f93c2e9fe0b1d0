"""HTML into sections by its `h1`-`h6` headings, with the standard library's `html.parser`.

Only what a reader sees as content is kept: no scripts, styles, templates, navigation, comments, or elements marked `hidden` or styled
`display: none` / `visibility: hidden`. Block elements (paragraphs, list items, table rows, ...) become blocks;
`pre` keeps its whitespace; the title is `<title>`, else the first `h1`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ._sections import ParsedDocument, SectionBuilder

__all__ = ['parse_html']

_SKIP = frozenset({'script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'canvas', 'select',
                   'nav'})
_VOID = frozenset({'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source',
                   'track', 'wbr'})  # fmt: skip
_BLOCK = frozenset({
    'address', 'article', 'aside', 'blockquote', 'caption', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
    'fieldset', 'figcaption', 'figure', 'footer', 'form', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre',
    'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul', 'body', 'html',
})  # fmt: skip
#: Stands for a `<br>` in collected text until the block ends (a line break that whitespace folding keeps).
_BR = '\u2028'
_HEADINGS = {f'h{n}': n for n in range(1, 7)}
_INVISIBLE = re.compile(r'(?:display\s*:\s*none|visibility\s*:\s*hidden)', re.IGNORECASE)


def _hidden(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == 'hidden' or (name == 'style' and value and _INVISIBLE.search(value)):
            return True
    return False


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = SectionBuilder()
        self.title = ''
        self.first_h1 = ''
        self._stack: list[str] = []
        self._skip_at: int | None = None
        self._text: list[str] = []
        self._heading: tuple[int, list[str]] | None = None
        self._in_title = False
        self._pre = 0

    def _end_block(self) -> None:
        raw = ''.join(self._text)
        self._text = []
        if self._pre:
            self.out.block(raw.replace(_BR, '\n'))
        else:
            self.out.block('\n'.join(line for line in (' '.join(part.split()) for part in raw.split(_BR)) if line))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_at is not None:
            if tag not in _VOID:
                self._stack.append(tag)
            return
        if tag == 'br':
            self._text.append(_BR)
            return
        if tag in _VOID:
            if tag == 'hr':
                self._end_block()
            return
        self._stack.append(tag)
        if tag in _SKIP or _hidden(attrs):
            self._skip_at = len(self._stack)
        elif tag == 'title':
            self._in_title = True
        elif tag in _HEADINGS and self._heading is None:
            self._end_block()
            self._heading = (_HEADINGS[tag], [])
        elif tag in _BLOCK:
            self._end_block()
            self._pre += tag == 'pre'

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._stack:
            return
        while self._stack:
            open_tag = self._stack.pop()
            if self._skip_at is not None and len(self._stack) < self._skip_at:
                self._skip_at = None
            elif self._skip_at is None:
                self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        if tag == 'title':
            self._in_title = False
        elif tag in _HEADINGS and self._heading is not None and self._heading[0] == _HEADINGS[tag]:
            level, parts = self._heading
            self._heading = None
            name = ' '.join(''.join(parts).split())
            if name:
                self.out.open_heading(level, name)
                if level == 1 and not self.first_h1:
                    self.first_h1 = name
        elif tag in _BLOCK:
            self._end_block()
            self._pre -= tag == 'pre' and self._pre > 0

    def handle_data(self, data: str) -> None:
        if self._skip_at is not None:
            return
        if self._in_title:
            self.title = ' '.join((self.title + ' ' + data).split())
        elif self._heading is not None:
            self._heading[1].append(data)
        else:
            self._text.append(data)


def parse_html(text: str, fallback_title: str = '') -> ParsedDocument:
    """Split HTML `text` into sections by its headings."""
    parser = _Parser()
    parser.feed(text)
    parser.close()
    parser._end_block()
    parser.out.flush()
    return ParsedDocument('html', parser.title or parser.first_h1 or fallback_title, parser.out.sections)

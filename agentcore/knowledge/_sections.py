"""What every parser produces: a document's title and its sections (a heading path and its blocks of text)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._types import DocFormat

__all__ = ['ParsedDocument', 'Section', 'SectionBuilder', 'paragraphs']

_BLANK_LINES = re.compile(r'\n[ \t]*\n+')


@dataclass(frozen=True)
class Section:
    """Text under one heading path (and, for a PDF, on one page), as blocks: paragraphs, list items, code blocks."""

    heading: tuple[str, ...]
    blocks: tuple[str, ...]
    page: int | None = None


@dataclass
class ParsedDocument:
    """A parsed file: its format, its title (may be empty) and its non-empty sections, in document order."""

    format: DocFormat
    title: str
    sections: list[Section] = field(default_factory=list)


def paragraphs(text: str) -> list[str]:
    """`text` split at blank lines, each paragraph stripped of surrounding whitespace; empty ones dropped."""
    return [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]


class SectionBuilder:
    """Collects blocks under a heading stack, cutting a new section at each heading (or page)."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.stack: list[tuple[int, str]] = []
        self.page: int | None = None
        self._blocks: list[str] = []

    @property
    def heading(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.stack)

    def block(self, text: str) -> None:
        """Add a block to the current section (blank text is ignored)."""
        if text.strip():
            self._blocks.append(text.strip('\n'))

    def flush(self) -> None:
        """End the current section (kept only when it holds text)."""
        if self._blocks:
            self.sections.append(Section(self.heading, tuple(self._blocks), self.page))
        self._blocks = []

    def open_heading(self, level: int, title: str) -> None:
        """Start a section under heading `title` of `level` (1 outermost): deeper or equal headings are closed."""
        self.flush()
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, ' '.join(title.split())))

    def new_page(self, page: int) -> None:
        """Start a section on `page`, under the same headings."""
        self.flush()
        self.page = page

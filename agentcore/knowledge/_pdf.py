"""PDF into sections with `pypdf`: one per page at least (page numbers kept), split further by the outline.

A PDF has no headings as such; its outline (bookmarks) is the closest thing. Each outline entry starts a section at
its page, at the line that reads as its title when the page has one (else at the top of the page), so a chunk's
heading path is the outline path it falls under. Without an outline the heading path is empty and the page is the
citation. Pages without extractable text (scans) give no chunks.
"""

from __future__ import annotations

import io
from typing import Any

from ._errors import DocumentError
from ._sections import ParsedDocument, SectionBuilder, paragraphs

__all__ = ['parse_pdf']


def _outline(reader: Any) -> list[tuple[int, str, int]]:
    """(depth from 1, title, 0-based page) of every outline entry with a page, in outline order."""
    found: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)
            except Exception:  # a dangling or malformed destination: the entry is just not used
                continue
            title = ' '.join(str(getattr(item, 'title', '') or '').split())
            if title and page is not None and page >= 0:
                found.append((depth, title, page))

    try:
        walk(reader.outline, 1)
    except Exception:  # a broken outline tree: pages without headings
        return []
    return sorted(found, key=lambda entry: entry[2])  # stable: outline order within a page


def _split_at(lines: list[str], title: str, start: int) -> int | None:
    """Index (>= start) of the first line reading as `title` (case and spacing ignored), or None."""
    want = ' '.join(title.split()).casefold()
    for index in range(start, len(lines)):
        if ' '.join(lines[index].split()).casefold() == want:
            return index
    return None


def _page_blocks(out: SectionBuilder, lines: list[str]) -> None:
    for block in paragraphs('\n'.join(lines)):
        out.block(block)


def parse_pdf(data: bytes, fallback_title: str = '') -> ParsedDocument:
    """Extract the text of each page of the PDF in `data`, sectioned by its outline.

    Raises:
        DocumentError: `pypdf` is not installed, or the file is not a readable PDF (malformed, or encrypted with a
            password).
    """
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError as exc:
        raise DocumentError('reading PDF files needs pypdf', hint='pip install pypdf') from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(''):
            raise DocumentError('the PDF is encrypted with a password', hint='decrypt it first (qpdf --decrypt)')
        pages = [page.extract_text() or '' for page in reader.pages]
        metadata = reader.metadata
        meta_title = str(metadata.get('/Title') or '').strip() if metadata is not None else ''
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise DocumentError(f'not a readable PDF: {type(exc).__name__}: {exc}') from exc
    entries = _outline(reader)
    out = SectionBuilder()
    next_entry = 0
    for index, text in enumerate(pages):
        out.new_page(index + 1)
        lines = text.replace('\r\n', '\n').replace('\r', '\n').split('\n')
        cursor = 0
        while next_entry < len(entries) and entries[next_entry][2] <= index:
            depth, title, page = entries[next_entry]
            next_entry += 1
            at = _split_at(lines, title, cursor) if page == index else None
            if at is not None:
                _page_blocks(out, lines[cursor:at])
                cursor = at + 1
            out.open_heading(depth, title)
        _page_blocks(out, lines[cursor:])
    out.flush()
    return ParsedDocument('pdf', meta_title or fallback_title, out.sections)

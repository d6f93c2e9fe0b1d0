"""Which files are documents, how they are found in a folder, and how each is read and parsed by its format."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ._errors import DocumentError
from ._html import parse_html
from ._markdown import parse_markdown
from ._pdf import parse_pdf
from ._sections import ParsedDocument, Section, paragraphs
from ._types import DocFormat

__all__ = ['MAX_FILE_BYTES', 'SUFFIXES', 'DocumentFile', 'discover', 'format_of', 'parse', 'read', 'resolve']

#: File name endings and the format each is parsed as. Other files in an added folder are ignored.
SUFFIXES: dict[str, DocFormat] = {
    '.md': 'markdown', '.markdown': 'markdown', '.mdown': 'markdown', '.html': 'html', '.htm': 'html',
    '.xhtml': 'html', '.pdf': 'pdf', '.txt': 'text', '.text': 'text', '.rst': 'text',
}  # fmt: skip
#: Largest file ingested (bytes).
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class DocumentFile:
    """A file read for ingestion: its path (the document's source), bytes and their SHA-256."""

    path: Path
    data: bytes
    sha256: str

    @property
    def source(self) -> str:
        return self.path.as_posix()


def resolve(path: str | os.PathLike[str]) -> Path:
    """The absolute, symlink-free form of `path` (which need not exist)."""
    return Path(path).expanduser().resolve()


def format_of(path: Path) -> DocFormat | None:
    """The format of a file by its name ending, or None when it is not a document kind."""
    return SUFFIXES.get(path.suffix.lower())


def discover(root: Path) -> Iterator[Path]:
    """The document files under folder `root`, sorted; hidden files and folders (`.git`, ...) are left out.

    Symlinked folders are not followed (no cycles); symlinked files are taken at their link path.
    """
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        for name in sorted(files):
            path = Path(folder) / name
            if not name.startswith('.') and format_of(path) is not None and path.is_file():
                yield path


def read(path: Path) -> DocumentFile:
    """Read `path` whole and hash it.

    Raises:
        DocumentError: It is not a regular file, too large, or cannot be read.
    """
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise DocumentError(f'{path} is not a regular file')
        if size > MAX_FILE_BYTES:
            raise DocumentError(f'{path} is {size} bytes; the limit is {MAX_FILE_BYTES}', hint='split the file')
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f'cannot read {path}: {exc.strerror or exc}') from exc
    return DocumentFile(path, data, hashlib.sha256(data).hexdigest())


def _decode(data: bytes, path: Path) -> str:
    if b'\x00' in data[:8192]:
        raise DocumentError(f'{path} is a binary file, not text, Markdown, HTML or PDF',
                            hint='add .md, .html, .pdf or .txt files')  # fmt: skip
    return data.decode('utf-8-sig', errors='replace')


def parse(doc: DocumentFile, fmt: DocFormat | None = None) -> ParsedDocument:
    """Parse a read file by `fmt` (default: by its name; an unknown ending is read as plain text).

    Raises:
        DocumentError: A binary file that is not a PDF, or a malformed PDF.
    """
    fmt = fmt or format_of(doc.path) or 'text'
    fallback = doc.path.name
    if fmt == 'pdf':
        return parse_pdf(doc.data, fallback)
    text = _decode(doc.data, doc.path)
    if fmt == 'markdown':
        return parse_markdown(text, fallback)
    if fmt == 'html':
        return parse_html(text, fallback)
    blocks = tuple(paragraphs(text.replace('\r\n', '\n')))
    return ParsedDocument('text', fallback, [Section((), blocks)] if blocks else [])

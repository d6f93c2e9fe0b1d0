"""The data model: `KnowledgeChunk`, `Citation`, `KnowledgeHit`, `KnowledgeFilter`, `KnowledgeDocument`, `IngestReport`."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agentcore.memory._episode import _clean_tags

__all__ = [
    'Citation',
    'DocFormat',
    'IngestReport',
    'KnowledgeChunk',
    'KnowledgeDocument',
    'KnowledgeFilter',
    'KnowledgeHit',
    'SkippedFile',
    'source_globs',
]

#: The kinds of file a knowledge store ingests.
DocFormat = Literal['markdown', 'html', 'pdf', 'text']
#: What joins the headings of a heading path in text: `Install > From source`.
HEADING_SEPARATOR = ' > '
_MAX_PATTERNS = 32
_MAX_PATTERN_LEN = 1024


class Citation(BaseModel):
    """Where a chunk comes from: enough to find it again and to cite it.

    Attributes:
        file: The document's absolute path.
        section: Its heading path (`Install > From source`); empty before the first heading or for plain text.
        page: The 1-based page of a PDF chunk, else `None`.
        chunk_id: The chunk's stable id.
    """

    model_config = ConfigDict(frozen=True)

    file: str
    section: str
    page: int | None
    chunk_id: str

    def __str__(self) -> str:
        parts = [self.file]
        if self.page is not None:
            parts.append(f'p. {self.page}')
        if self.section:
            parts.append(f'§ {self.section}')
        return f'{", ".join(parts)} [{self.chunk_id}]'


class KnowledgeChunk(BaseModel):
    """One searchable piece of a document: a bounded run of text under one heading path (and one PDF page).

    Attributes:
        id: Stable id: the same file content gives the same ids, and editing one section changes only its chunks'.
        source: The document's absolute path.
        heading: The heading path, outermost first.
        page: The 1-based PDF page, else `None`.
        ordinal: Position of the chunk in its document, from 0.
        text: The chunk's text (without its headings).
        title: The document's title (first heading, HTML `<title>`, PDF title, else the file name).
        format: The document's format.
        tags: The document's tags.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    source: str
    heading: tuple[str, ...] = ()
    page: int | None = None
    ordinal: int = 0
    text: str
    title: str = ''
    format: DocFormat = 'text'
    tags: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        """The heading path as text: `Install > From source`."""
        return HEADING_SEPARATOR.join(self.heading)

    @property
    def context(self) -> str:
        """What is indexed as the chunk's heading field: its heading path, else the document title."""
        return self.section or self.title

    def embed_text(self) -> str:
        """The text that is embedded: the heading context, then the chunk text."""
        return f'{self.context}\n{self.text}' if self.context else self.text

    def citation(self) -> Citation:
        """The chunk's citation."""
        return Citation(file=self.source, section=self.section, page=self.page, chunk_id=self.id)


class KnowledgeHit(BaseModel):
    """A search result: the chunk and its hybrid relevance score (higher is better, in [0, 1])."""

    model_config = ConfigDict(frozen=True)

    chunk: KnowledgeChunk
    score: float

    @property
    def citation(self) -> Citation:
        """The chunk's citation."""
        return self.chunk.citation()


def source_globs(pattern: str) -> tuple[str, ...]:
    """The globs a source pattern stands for (`*`: any run of characters, `/` included; `?`: one character).

    An absolute pattern is anchored at the root; a relative one matches at the end of a path (`docs/*.md` is
    `*/docs/*.md`; `install.md` is any file of that name). A pattern without a wildcard also matches everything under
    it, as a folder. Other characters (`[` included) match themselves.

    Raises:
        ValueError: An empty or over-long pattern.
    """
    raw = pattern.strip()
    if not raw or len(raw) > _MAX_PATTERN_LEN:
        raise ValueError(f'source pattern must be 1-{_MAX_PATTERN_LEN} characters, got {pattern[:40]!r}')
    anchored = (raw if raw.startswith('/') else '*/' + raw.removeprefix('./')).rstrip('/')
    if not anchored:
        return ('/*',)
    if '*' in raw or '?' in raw:
        return (anchored,)
    return (anchored, anchored + '/*')


class KnowledgeFilter(BaseModel):
    """Restricts `search`. Every given condition must hold (AND); unset conditions match everything.

    Attributes:
        sources: The chunk's document matches at least one of these paths or globs (see `source_globs`): up to 32.
        tags: The document carries all of these tags (stripped and lower-cased).
    """

    model_config = ConfigDict(extra='forbid', frozen=True)

    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @field_validator('sources', mode='before')
    @classmethod
    def _one_source(cls, value: object) -> object:
        return (value,) if isinstance(value, str) else value

    @field_validator('sources')
    @classmethod
    def _check_sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(value) > _MAX_PATTERNS:
            raise ValueError(f'at most {_MAX_PATTERNS} source patterns, got {len(value)}')
        for pattern in value:
            source_globs(pattern)
        return value

    @field_validator('tags')
    @classmethod
    def _check_tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_clean_tags(value, 'filter tags'))

    def globs(self) -> tuple[str, ...]:
        """Every glob of `sources`, de-duplicated, in order."""
        return tuple(dict.fromkeys(g for pattern in self.sources for g in source_globs(pattern)))


class KnowledgeDocument(BaseModel):
    """One ingested file, as `list()` shows it.

    Attributes:
        source: Its absolute path.
        format: How it was parsed.
        title: Its title.
        content_hash: SHA-256 of its bytes when it was ingested.
        chunking: The chunking settings it was split with (re-ingested when they change).
        size: Its size in bytes.
        chunks: How many chunks it has.
        tags: Its tags.
        ingested_at: When it was last (re-)ingested.
    """

    model_config = ConfigDict(frozen=True)

    source: str
    format: DocFormat
    title: str = ''
    content_hash: str
    chunking: str
    size: int
    chunks: int
    tags: tuple[str, ...] = ()
    ingested_at: datetime


class SkippedFile(BaseModel):
    """A file of an added folder that was not ingested, and why."""

    model_config = ConfigDict(frozen=True)

    path: str
    reason: str


class IngestReport(BaseModel):
    """What one `add` did, by document path.

    Attributes:
        added: Documents new to the store.
        updated: Documents whose content (or tags, or the chunking) changed: their chunks were replaced.
        unchanged: Documents already stored with the same content hash: not re-read past hashing, not re-embedded.
        removed: Documents under an added folder that are no longer on disk: their chunks were deleted.
        skipped: Files of the folder that could not be ingested (the others were).
        chunks_embedded: Chunks sent to the embedder (an updated document's unchanged chunks keep their vectors).
        chunks_written: Chunks written to the store.
    """

    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)
    chunks_embedded: int = 0
    chunks_written: int = 0

    def counts(self) -> dict[str, int]:
        """Number of documents added, updated, unchanged, removed and skipped."""
        return {'added': len(self.added), 'updated': len(self.updated), 'unchanged': len(self.unchanged),
                'removed': len(self.removed), 'skipped': len(self.skipped)}  # fmt: skip

    def summary(self) -> str:
        """One line: `added 3, updated 1, unchanged 5, removed 0, skipped 0 (12 chunks embedded)`."""
        counts = ', '.join(f'{name} {n}' for name, n in self.counts().items())
        return f'{counts} ({self.chunks_embedded} chunks embedded)'

"""Knowledge retrieval over the user's documents: ingest files and folders, search them with citations.

Two interchangeable `KnowledgeStore` backends: `LocalKnowledge` (one SQLite file: FTS5 BM25 + vectors in numpy) and
`WeaviateKnowledge` (a Weaviate collection, native hybrid search). `open_knowledge()` picks one as the settings say.
Files are split by their structure (Markdown and HTML headings, PDF pages and outline, text paragraphs) into
bounded, overlapping chunks that keep their heading path; re-adding a folder re-embeds only what changed.
`SearchKnowledgeTool` gives an agent the store as its `search_knowledge` tool.

Importing this package is cheap: numpy, weaviate and pypdf load only when a backend or a PDF needs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore._lazy import lazy_exports

from ._chunker import Chunking
from ._errors import DocumentError, KnowledgeError
from ._factory import DEFAULT_COLLECTION, open_knowledge
from ._files import SUFFIXES
from ._protocol import KnowledgeStore
from ._types import (
    Citation,
    DocFormat,
    IngestReport,
    KnowledgeChunk,
    KnowledgeDocument,
    KnowledgeFilter,
    KnowledgeHit,
    SkippedFile,
)

if TYPE_CHECKING:
    from agentcore.tools._knowledge import SearchKnowledgeTool

    from ._local import LocalKnowledge
    from ._weaviate import WeaviateKnowledge

__all__ = [
    'DEFAULT_COLLECTION',
    'SUFFIXES',
    'Chunking',
    'Citation',
    'DocFormat',
    'DocumentError',
    'IngestReport',
    'KnowledgeChunk',
    'KnowledgeDocument',
    'KnowledgeError',
    'KnowledgeFilter',
    'KnowledgeHit',
    'KnowledgeStore',
    'LocalKnowledge',
    'SearchKnowledgeTool',
    'SkippedFile',
    'WeaviateKnowledge',
    'open_knowledge',
]

_LAZY = {'LocalKnowledge': '._local', 'WeaviateKnowledge': '._weaviate', 'SearchKnowledgeTool': 'agentcore.tools._knowledge'}


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)

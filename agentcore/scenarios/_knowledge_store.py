"""`RelativeKnowledge`: a local knowledge store naming documents by their path in a folder, not their absolute path."""

from __future__ import annotations

from pathlib import Path

from ..knowledge import KnowledgeDocument, LocalKnowledge
from ..knowledge._base import _Prepared
from ..knowledge._files import DocumentFile, read

__all__ = ['RelativeKnowledge']


class RelativeKnowledge(LocalKnowledge):
    """A `LocalKnowledge` whose documents under `root` are named by their path relative to it."""

    root: Path | None = None

    def _prepare(self, path: Path, previous: KnowledgeDocument | None, tags: tuple[str, ...] | None) -> _Prepared:
        doc = read(path)
        if self.root is not None and path.is_relative_to(self.root):
            doc = DocumentFile(path.relative_to(self.root), doc.data, doc.sha256)
        return self._parse(doc, None, tags or ())

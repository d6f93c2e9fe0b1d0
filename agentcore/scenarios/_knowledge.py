"""A scenario's knowledge base: its documents ingested into a fresh in-memory store, cited by their scenario paths."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._yamlio import ScenarioError

if TYPE_CHECKING:
    from ..knowledge import LocalKnowledge

__all__ = ['knowledge_files', 'open_scenario_knowledge']

_FIELD = 'config.knowledge'


def knowledge_files(folder: str | Path) -> dict[str, str]:
    """The document files (Markdown, HTML, text) under `folder`, as path relative to it -> text, sorted.

    Raises:
        ScenarioError: `folder` is not a folder, holds no document, or holds a PDF or a file that is not UTF-8
            (a scenario stores its documents as text).
    """
    from ..knowledge._files import discover

    root = Path(folder)
    if not root.is_dir():
        raise ScenarioError(str(root), 'not a folder of documents', field=_FIELD)
    out: dict[str, str] = {}
    for path in discover(root.resolve()):
        rel = path.relative_to(root.resolve()).as_posix()
        if path.suffix.lower() == '.pdf':
            raise ScenarioError(str(root), f'{rel}: a scenario stores its documents as text, not PDF',
                                field=_FIELD)  # fmt: skip
        try:
            out[rel] = path.read_text(encoding='utf-8')
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(str(root), f'cannot read {rel} as text ({exc})', field=_FIELD) from None
    if not out:
        raise ScenarioError(str(root), 'holds no document (.md, .html, .txt...)', field=_FIELD)
    return out


async def open_scenario_knowledge(files: Mapping[str, str], tags: Sequence[str] = ()) -> LocalKnowledge:
    """A fresh in-memory `LocalKnowledge` (default `HashEmbedder`) holding `files` (path -> text).

    The documents keep their scenario paths as their sources (not the absolute paths of a temporary folder), so
    the citations and chunk ids `search_knowledge` shows are the same on every machine and every run.

    Raises:
        ScenarioError: a path is absolute or leaves the knowledge folder (`..`), or a document cannot be
            ingested (not a document ending, or it cannot be parsed), or a tag is invalid.
    """
    from ..knowledge import SUFFIXES, DocumentError
    from ._knowledge_store import RelativeKnowledge

    store = RelativeKnowledge(':memory:')
    try:
        with tempfile.TemporaryDirectory(prefix='agentcore-knowledge-') as tmp:
            store.root = await asyncio.to_thread(_write_corpus, tmp, files)
            try:
                report = await store.aadd(store.root, tags=list(tags) or None)
            except (DocumentError, ValueError) as exc:
                raise ScenarioError('<knowledge>', str(exc), field=_FIELD) from None
            left_out = sorted(set(files) - set(report.added))
            if left_out:
                raise ScenarioError(
                    '<knowledge>',
                    f'cannot ingest {", ".join(left_out)}',
                    field=f'{_FIELD}.files',
                    hint=f'use a document ending ({", ".join(sorted(SUFFIXES))}) and valid text',
                )
    except BaseException:
        store.close()
        raise
    return store


def _write_corpus(folder: str, files: Mapping[str, str]) -> Path:
    """Write `files` under `folder`; return its resolved path.

    Raises:
        ScenarioError: a path is absolute or leaves `folder`.
    """
    root = Path(folder).resolve()
    for rel, text in files.items():
        target = (root / rel).resolve()
        if Path(rel).is_absolute() or not target.is_relative_to(root) or target == root:
            raise ScenarioError('<knowledge>', f'{rel!r}: give a relative path inside the knowledge folder',
                                field=f'{_FIELD}.files')  # fmt: skip
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding='utf-8')
    return root

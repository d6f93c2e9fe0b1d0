"""`LocalKnowledge` specifics: the keyword half's term budget keeps FTS5's BM25 exact for the candidates it returns."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agentcore.knowledge import LocalKnowledge, _local_index as index_module
from agentcore.memory._text import keyword_tokens


def _corpus(folder: Path) -> None:
    folder.mkdir()
    for i in range(60):
        extra = ' zebra' if i % 7 == 0 else ''
        (folder / f'note-{i:02d}.md').write_text(
            f'# Note {i}\n\nThe worker restarts the queue after a deploy{extra}. Worker logs go to stderr.\n'
            f'{"The queue is drained first. " * (i % 3)}\n'
        )


def test_pruned_terms_are_scored_with_fts5s_formula(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _corpus(tmp_path / 'notes')
    with LocalKnowledge(tmp_path / 'k.sqlite3') as store:
        store.add(tmp_path / 'notes')
        query = 'zebra worker queue restarts'
        conn = store._conn
        terms = ' OR '.join(f'"{t}"' for t in keyword_tokens(query))
        exact = dict(conn.execute('SELECT rowid, -bm25(knowledge_fts, 2.0, 1.0) FROM knowledge_fts '
                                  'WHERE knowledge_fts MATCH ?', (terms,)).fetchall())  # fmt: skip
        monkeypatch.setattr(index_module, 'BUDGET', 10)  # only "zebra" (9 chunks) fits: the others are completed
        index = index_module.ChunkIndex(conn, store.embedder.dimension)
        rows, scores = index.keyword_scores(conn, query, None, pool=5)
        assert rows.size == 5
        assert np.allclose(scores, [exact[r] for r in rows.tolist()])
        assert np.all(np.diff(scores) <= 1e-9)  # best first
        texts = [conn.execute('SELECT text FROM knowledge_chunks WHERE rowid = ?', (r,)).fetchone()[0]
                 for r in rows.tolist()]  # fmt: skip
        assert all('zebra' in t for t in texts)  # the candidates are the chunks holding the rare term
        # and they are the best 5 of the exact ranking (the zebra chunks lead it)
        assert sorted(exact.values(), reverse=True)[:5] == pytest.approx(scores.tolist())


def test_diacritics_match_like_fts5(tmp_path: Path) -> None:
    (tmp_path / 'cafe.md').write_text('# Café\n\nThe café opens at nine.\n')
    with LocalKnowledge(tmp_path / 'k.sqlite3') as store:
        store.add(tmp_path / 'cafe.md')
        index = index_module.ChunkIndex(store._conn, store.embedder.dimension)
        rows, _ = index.keyword_scores(store._conn, 'café', None, pool=5)
        assert rows.size == 1 and index.df == {'cafe': 1}

"""The in-memory half of `LocalKnowledge`'s search: every chunk's vector and document, filters and term statistics.

Keyword scoring is FTS5's BM25, whose cost grows with the number of chunks a query's terms match (it scans each
term's posting list). So FTS5 scores the query's rarest terms only, up to `BUDGET` matches in all (the rarest term is
always taken), and returns its best candidates; the more common terms are then scored for those candidates alone,
with FTS5's formula and statistics. Below `BUDGET` matches this is plain FTS5 BM25; past it, a chunk that holds
none of the rarer terms can only be found by the vector half of the search.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import unicodedata
from typing import TYPE_CHECKING

import numpy as np

from agentcore.memory._text import keyword_tokens, tokenize

from ._types import KnowledgeFilter

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ['BUDGET', 'WEIGHTS', 'ChunkIndex', 'glob_regex']

#: Most chunk matches (summed over the chosen terms) one keyword search scores.
BUDGET = 8000
#: BM25 weights of the FTS5 columns (context, text): the heading path (or title) counts double, as in Weaviate.
WEIGHTS = (2.0, 1.0)
_MAX_TERMS = 64
_K1 = 1.2
_B = 0.75


def glob_regex(glob: str) -> str:
    """A `source_globs` pattern as a regular expression (`*` any run of characters, `?` one, the rest literal)."""
    return ''.join('.*' if ch == '*' else '.' if ch == '?' else re.escape(ch) for ch in glob)


def _fold(term: str) -> str:
    """A term as FTS5's `unicode61 remove_diacritics 2` stores it: lower case (already), no diacritics."""
    return ''.join(ch for ch in unicodedata.normalize('NFKD', term) if not unicodedata.combining(ch))


def _idf(n_rows: int, df: int) -> float:
    """FTS5's IDF: `log((N - df + 0.5) / (df + 0.5))`, at least 1e-6."""
    return max(math.log((n_rows - df + 0.5) / (df + 0.5)), 1e-6)


def _tokens(text: str) -> list[str]:
    """The tokens FTS5 indexes for `text` (lower case, no diacritics)."""
    tokens = tokenize(text)
    return tokens if text.isascii() else [_fold(t) for t in tokens]


class ChunkIndex:
    """Vectors (float32 matrix) aligned with the chunks' rowids (ascending), each chunk's document and its tags.

    Built from the database in one pass; a new one is built after any write. Not thread-safe: the store locks.
    """

    def __init__(self, conn: sqlite3.Connection, dimension: int) -> None:
        tags = {source: frozenset(json.loads(tags_json)) for source, tags_json in
                conn.execute('SELECT source, tags_json FROM knowledge_documents')}  # fmt: skip
        rows = conn.execute('SELECT rowid, source, vector FROM knowledge_chunks ORDER BY rowid').fetchall()
        code: dict[str, int] = {}
        self.rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self.codes = np.fromiter((code.setdefault(r[1], len(code)) for r in rows), dtype=np.int32, count=len(rows))
        self.matrix = np.frombuffer(b''.join(r[2] for r in rows), dtype=np.float32).reshape(len(rows), dimension)
        self.sources = list(code)
        self.tags = [tags.get(source, frozenset()) for source in self.sources]
        #: Chunks holding each term (FTS5 `doc` counts), filled as queries need them.
        self.df: dict[str, int] = {}
        self._avg: tuple[int, float] | None = None

    def __len__(self) -> int:
        return int(self.rowids.size)

    def mask(self, filters: KnowledgeFilter) -> NDArray[np.bool_] | None:
        """Which chunks (by position) pass `filters`; None when there is no filter."""
        globs = filters.globs()
        if not globs and not filters.tags:
            return None
        pattern = re.compile('|'.join(glob_regex(g) for g in globs)) if globs else None
        wanted = set(filters.tags)
        ok = np.fromiter(((pattern is None or pattern.fullmatch(s) is not None) and wanted <= t
                          for s, t in zip(self.sources, self.tags, strict=True)), dtype=np.bool_,
                         count=len(self.sources))  # fmt: skip
        result: NDArray[np.bool_] = ok[self.codes] if len(self.sources) else np.zeros(0, dtype=np.bool_)
        return result

    def keyword_scores(
        self, conn: sqlite3.Connection, query: str, mask: NDArray[np.bool_] | None, pool: int
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The best keyword (BM25) candidates, by rowid, with their scores (higher is better); at most `pool`.

        FTS5 scores the query's rarest terms (up to `BUDGET` matches in all, see the module docstring) and returns
        the best `2 * pool`; the terms left out are then scored for those candidates here, with FTS5's own BM25
        formula and statistics, so a candidate's score is its full BM25 score.
        """
        terms = list(dict.fromkeys(_fold(t) for t in keyword_tokens(query) if _fold(t)))[:_MAX_TERMS]
        for term in terms:
            if term not in self.df:
                found = conn.execute('SELECT doc FROM knowledge_vocab WHERE term = ?', (term,)).fetchone()
                self.df[term] = int(found[0]) if found else 0
        ranked = sorted((self.df[t], t) for t in terms if self.df[t])
        chosen: list[str] = []
        total = 0
        for count, term in ranked:
            if chosen and total + count > BUDGET:
                break
            chosen.append(term)
            total += count
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
        if not chosen:
            return empty
        wide = 2 * pool
        limit = wide if mask is None else max(wide, min(total, BUDGET))
        found = conn.execute(f'SELECT rowid, bm25(knowledge_fts, {WEIGHTS[0]}, {WEIGHTS[1]}) AS s FROM knowledge_fts '
                             'WHERE knowledge_fts MATCH ? ORDER BY s LIMIT ?',
                             (' OR '.join(f'"{t}"' for t in chosen), limit)).fetchall()  # fmt: skip
        rows = np.asarray([r for r, _ in found], dtype=np.int64)
        scores = -np.asarray([s for _, s in found], dtype=np.float64)
        if mask is not None and rows.size:
            keep = mask[self.positions(rows)]
            rows, scores = rows[keep][:wide], scores[keep][:wide]
        rest = [t for _, t in ranked[len(chosen) :]]
        if rest and rows.size:
            scores = self._complete(conn, rows, scores, rest, pool)
        best = np.argsort(-scores, kind='stable')[:pool]
        return rows[best], scores[best]

    def _complete(
        self, conn: sqlite3.Connection, rows: NDArray[np.int64], partial: NDArray[np.float64], terms: list[str], pool: int
    ) -> NDArray[np.float64]:
        """Add `terms`' BM25 to the candidates (best `partial` first) that can still reach the best `pool`.

        A term adds at most `idf * (k1 + 1)`; once a candidate's partial score plus that bound is below the `pool`-th
        best full score, it and every later (lower) one keep their partial score: they cannot make the cut.
        """
        n_rows, _ = self._averages(conn)
        bound = sum(_idf(n_rows, self.df[t]) * (_K1 + 1) for t in terms)
        full = partial.copy()
        done = 0
        while done < rows.size:
            step = pool if done == 0 else 64
            if done >= pool and partial[done] + bound < np.partition(full[:done], done - pool)[done - pool]:
                break
            full[done : done + step] += self._bm25(conn, rows[done : done + step], terms)
            done += step
        return full

    def _bm25(self, conn: sqlite3.Connection, rows: NDArray[np.int64], terms: list[str]) -> NDArray[np.float64]:
        """FTS5's BM25 of `terms` for the chunks `rows` (its formula: `bm25()` in fts5_aux.c)."""
        n_rows, avgdl = self._averages(conn)
        marks = ','.join('?' * rows.size)
        texts = dict(((r, (c, t)) for r, c, t in conn.execute(
            f'SELECT rowid, context, text FROM knowledge_chunks WHERE rowid IN ({marks})', rows.tolist())))  # fmt: skip
        idf = {t: _idf(n_rows, self.df[t]) for t in terms}
        out = np.zeros(rows.size, dtype=np.float64)
        for i, row in enumerate(rows.tolist()):
            columns = [_tokens(text) for text in texts.get(row, ('', ''))]
            norm = _K1 * (1 - _B + _B * sum(len(c) for c in columns) / avgdl)
            for term in terms:
                tf = sum(weight * col.count(term) for weight, col in zip(WEIGHTS, columns, strict=True))
                if tf:
                    out[i] += idf[term] * tf * (_K1 + 1) / (tf + norm)
        return out

    def _averages(self, conn: sqlite3.Connection) -> tuple[int, float]:
        """(rows, average tokens per row) as FTS5 keeps them (its averages record), read once per index."""
        if self._avg is None:
            found = conn.execute('SELECT block FROM knowledge_fts_data WHERE id = 1').fetchone()
            values = _varints(found[0]) if found else []
            n_rows = values[0] if values else len(self)
            self._avg = (n_rows, (sum(values[1:]) / n_rows) if n_rows and len(values) > 1 else 1.0)
        return self._avg

    def positions(self, rowids: NDArray[np.int64]) -> NDArray[np.int64]:
        """Positions of `rowids` in the index (each must be present)."""
        return np.searchsorted(self.rowids, rowids)


def _varints(data: bytes) -> list[int]:
    """The SQLite varints in `data` (big-endian groups of 7 bits; a 9th byte carries 8)."""
    out: list[int] = []
    i = 0
    while i < len(data):
        value = 0
        for n in range(9):
            byte = data[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        out.append(value)
    return out

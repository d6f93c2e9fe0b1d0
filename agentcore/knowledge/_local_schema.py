"""SQLite tables of `LocalKnowledge`: documents, chunks with their vectors, an FTS5 index and its vocabulary."""

from __future__ import annotations

import sqlite3

from agentcore.memory import SchemaMigrationError

__all__ = ['SCHEMA_VERSION', 'create_schema']

#: Bumped on any change; a file from a newer agentcore is refused.
SCHEMA_VERSION = 1

_DDL = """
CREATE TABLE IF NOT EXISTS knowledge_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS knowledge_documents (
    source TEXT PRIMARY KEY, format TEXT NOT NULL, title TEXT NOT NULL, content_hash TEXT NOT NULL,
    chunking TEXT NOT NULL, size INTEGER NOT NULL, chunks INTEGER NOT NULL, tags_json TEXT NOT NULL,
    ingested_us INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS knowledge_chunks (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL, ordinal INTEGER NOT NULL,
    heading_json TEXT NOT NULL, context TEXT NOT NULL, page INTEGER, text TEXT NOT NULL, vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS knowledge_chunks_source ON knowledge_chunks (source, ordinal);
CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5(
    context, text, content='knowledge_chunks', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_vocab USING fts5vocab(knowledge_fts, row);
CREATE TRIGGER IF NOT EXISTS knowledge_chunks_ai AFTER INSERT ON knowledge_chunks BEGIN
    INSERT INTO knowledge_fts (rowid, context, text) VALUES (new.rowid, new.context, new.text);
END;
CREATE TRIGGER IF NOT EXISTS knowledge_chunks_ad AFTER DELETE ON knowledge_chunks BEGIN
    INSERT INTO knowledge_fts (knowledge_fts, rowid, context, text) VALUES ('delete', old.rowid, old.context, old.text);
END;
"""


def create_schema(conn: sqlite3.Connection, where: str) -> dict[str, str]:
    """Create the tables if missing; return the stored metadata (`schema_version`, `embedder`, `dimension`).

    Raises:
        SchemaMigrationError: The file was written by a newer agentcore.
        sqlite3.Error: SQLite failed (no FTS5 in this SQLite build, disk, permissions).
    """
    conn.executescript(f'BEGIN;{_DDL}COMMIT;')
    meta = dict(conn.execute('SELECT key, value FROM knowledge_meta').fetchall())
    stored = int(meta.get('schema_version', SCHEMA_VERSION))
    if stored > SCHEMA_VERSION:
        raise SchemaMigrationError(
            f'{where} has knowledge schema version {stored}, newer than this agentcore supports ({SCHEMA_VERSION})',
            hint='upgrade agentcore, or use another path',
        )
    if 'schema_version' not in meta:
        conn.execute('INSERT OR IGNORE INTO knowledge_meta VALUES (?, ?)', ('schema_version', str(SCHEMA_VERSION)))
        meta['schema_version'] = str(SCHEMA_VERSION)
    return meta

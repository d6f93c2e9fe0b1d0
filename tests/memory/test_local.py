"""LocalMemory specifics: the SQLite file, its migration, and the in-memory index kept in step with it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import numpy as np
import pytest

from agentcore.memory import (
    Episode,
    EpisodeFilter,
    HashEmbedder,
    LocalMemory,
    MemoryUnavailableError,
    SchemaMigrationError,
)


def _v1_file(path: Path, episode: Episode) -> None:
    """A file as schema version 1 wrote it: no metadata column."""
    vector = np.asarray(HashEmbedder().embed([episode.text()])[0], dtype=np.float32).tobytes()
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE memory_episodes (namespace VARCHAR NOT NULL, id VARCHAR NOT NULL, run_id VARCHAR,
                task VARCHAR NOT NULL, plan_summary VARCHAR NOT NULL, steps_digest VARCHAR NOT NULL,
                outcome VARCHAR NOT NULL, lessons_json VARCHAR NOT NULL, tags_json VARCHAR NOT NULL,
                created_us INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (namespace, id));
            CREATE TABLE memory_episode_tags (namespace VARCHAR NOT NULL, episode_id VARCHAR NOT NULL,
                tag VARCHAR NOT NULL, PRIMARY KEY (namespace, episode_id, tag));
            CREATE TABLE memory_meta (key VARCHAR NOT NULL PRIMARY KEY, value VARCHAR NOT NULL);
            INSERT INTO memory_meta VALUES ('schema_version', '1'), ('embedder', 'hash-ngram-v1'), ('dimension', '256');
        """)
        db.execute(
            'INSERT INTO memory_episodes VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)',
            (episode.namespace, episode.id, episode.task, '', '', episode.outcome, '[]', '["legacy"]',
             int(episode.created_at.timestamp() * 1_000_000), vector),
        )  # fmt: skip
        db.execute("INSERT INTO memory_episode_tags VALUES (?, ?, 'legacy')", (episode.namespace, episode.id))


def test_migrates_a_version_1_file_in_place(tmp_path: Path) -> None:
    path = tmp_path / 'old.sqlite3'
    old = Episode(task='an episode from before the metadata column', outcome='completed', tags=['legacy'])
    _v1_file(path, old)
    with LocalMemory(path) as store:
        assert store.get(old.id) == old
        assert store.search('metadata column')[0].episode == old
        store.save(Episode(task='new one', outcome='completed', metadata={'x': 1}))
        assert len(store.list(EpisodeFilter(tags=('legacy',)))) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM memory_meta WHERE key = 'schema_version'").fetchone() == ('3',)
        columns = {row[1] for row in db.execute('PRAGMA table_info(memory_episodes)')}
    assert 'metadata_json' in columns


def test_refuses_a_file_from_a_newer_version(tmp_path: Path) -> None:
    path = tmp_path / 'new.sqlite3'
    LocalMemory(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE memory_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(SchemaMigrationError, match='schema version 99') as info:
        LocalMemory(path)
    assert info.value.hint


def test_unusable_path_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / 'a-file').write_text('')
    with pytest.raises(MemoryUnavailableError) as info:
        LocalMemory(tmp_path / 'a-file' / 'memory.sqlite3')
    assert info.value.hint


def test_writes_by_another_store_on_the_same_file_are_seen(tmp_path: Path) -> None:
    path = tmp_path / 'shared.sqlite3'
    with LocalMemory(path) as reader, LocalMemory(path) as writer:
        writer.save(Episode(task='first writer episode', outcome='completed'))
        assert [h.episode.task for h in reader.search('writer episode')] == ['first writer episode']
        writer.save(Episode(task='second writer episode', outcome='completed'))
        gone = reader.search('first writer')[0].episode.id
        writer.delete(gone)
        assert [h.episode.task for h in reader.search('writer episode')] == ['second writer episode']


def test_index_stays_correct_through_many_deletes(tmp_path: Path) -> None:
    with LocalMemory(tmp_path / 'churn.sqlite3') as store:
        episodes = [Episode(task=f'task number {i} about topic{i % 7}', outcome='completed') for i in range(1500)]
        store.save_many(episodes)
        assert store.search('topic3', k=1)  # builds the index
        for e in episodes[:1300]:
            store.delete(e.id)
        remaining = {e.id for e in episodes[1300:]}
        hits = store.search('task number', k=100, filters=EpisodeFilter())
        assert len(hits) == 100 and {h.episode.id for h in hits} <= remaining
        topic3 = {e.id for e in episodes[1300:] if e.task.endswith('topic3')}
        assert {h.episode.id for h in store.search('topic3', k=len(topic3))} == topic3


def test_concurrent_saves_from_threads(tmp_path: Path) -> None:
    with LocalMemory(tmp_path / 'threads.sqlite3') as store:

        def work(n: int) -> None:
            for i in range(25):
                store.save(Episode(task=f'thread {n} item {i}', outcome='completed', namespace=f'ns{n}'))

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(store.list(limit=1000)) == 100
        assert len(store.search('thread item', k=100, filters=EpisodeFilter(namespace='ns2'))) == 25


def test_in_memory_database() -> None:
    with LocalMemory(':memory:') as store:
        store.save(Episode(task='ephemeral', outcome='completed'))
        assert store.describe() == {'backend': 'local', 'path': ':memory:', 'embedder': 'hash-ngram-v1',
                                    'dimension': 256}  # fmt: skip
        assert store.search('ephemeral')[0].episode.task == 'ephemeral'


#: What sqlmodel's table classes created (schema version 3): the Core tables must create the very same file.
_SCHEMA_V3 = [
    ('index', 'ix_memory_episode_tags_tag', 'CREATE INDEX ix_memory_episode_tags_tag ON memory_episode_tags (tag)'),
    ('index', 'ix_memory_episodes_created_us',
     'CREATE INDEX ix_memory_episodes_created_us ON memory_episodes (created_us)'),
    ('index', 'ix_memory_episodes_outcome', 'CREATE INDEX ix_memory_episodes_outcome ON memory_episodes (outcome)'),
    ('index', 'ix_memory_episodes_run_id', 'CREATE INDEX ix_memory_episodes_run_id ON memory_episodes (run_id)'),
    ('table', 'memory_episode_tags', 'CREATE TABLE memory_episode_tags (\n\tnamespace VARCHAR NOT NULL, \n\t'
     'episode_id VARCHAR NOT NULL, \n\ttag VARCHAR NOT NULL, \n\tPRIMARY KEY (namespace, episode_id, tag)\n)'),
    ('table', 'memory_episodes', 'CREATE TABLE memory_episodes (\n\tnamespace VARCHAR NOT NULL, \n\tid VARCHAR NOT '
     'NULL, \n\trun_id VARCHAR, \n\ttask VARCHAR NOT NULL, \n\tplan_summary VARCHAR NOT NULL, \n\tsteps_digest '
     'VARCHAR NOT NULL, \n\toutcome VARCHAR NOT NULL, \n\tlessons_json VARCHAR NOT NULL, \n\ttags_json VARCHAR '
     'NOT NULL, \n\tcreated_us INTEGER NOT NULL, \n\tvector BLOB NOT NULL, \n\tmetadata_json VARCHAR DEFAULT '
     "'{}' NOT NULL, \n\ttrusted BOOLEAN DEFAULT '1' NOT NULL, \n\tprovenance_json VARCHAR DEFAULT '[]' NOT NULL, "
     '\n\tPRIMARY KEY (namespace, id)\n)'),
    ('table', 'memory_meta',
     'CREATE TABLE memory_meta (\n\t"key" VARCHAR NOT NULL, \n\tvalue VARCHAR NOT NULL, \n\tPRIMARY KEY ("key")\n)'),
    ('index', 'sqlite_autoindex_memory_episode_tags_1', None),
    ('index', 'sqlite_autoindex_memory_episodes_1', None),
    ('index', 'sqlite_autoindex_memory_meta_1', None),
]


def test_a_new_file_has_the_version_3_schema(tmp_path: Path) -> None:
    path = tmp_path / 'fresh.sqlite3'
    LocalMemory(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute('SELECT type, name, sql FROM sqlite_master ORDER BY name').fetchall() == _SCHEMA_V3
        assert dict(db.execute('SELECT key, value FROM memory_meta').fetchall()) == {
            'schema_version': '3', 'embedder': 'hash-ngram-v1', 'dimension': '256'}


def test_vectors_are_stored_as_float32_bytes(tmp_path: Path) -> None:
    path = tmp_path / 'vectors.sqlite3'
    episode = Episode(task='a vector to store', outcome='completed')
    with LocalMemory(path) as store:
        store.save(episode)
    with sqlite3.connect(path) as db:
        (blob,) = db.execute('SELECT vector FROM memory_episodes').fetchone()
    assert blob == np.asarray(HashEmbedder().embed([episode.text()])[0], dtype=np.float32).tobytes()


"""SQLite tables of `LocalMemory` (through sqlmodel) and their additive migration."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from ._errors import SchemaMigrationError

__all__ = ['SCHEMA_VERSION', 'EpisodeRow', 'MetaRow', 'TagRow', 'migrate']

#: Bumped whenever a column is added; older files are upgraded in place by `migrate`.
SCHEMA_VERSION = 3


class _MemoryModel(SQLModel, registry=registry()):
    """Own registry, so these tables never mix with other sqlmodel tables of the process."""


class EpisodeRow(_MemoryModel, table=True):
    """One episode; the primary key is (namespace, id) like a Weaviate tenant-scoped object."""

    __tablename__ = 'memory_episodes'

    namespace: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    run_id: str | None = Field(default=None, index=True)
    task: str
    plan_summary: str = ''
    steps_digest: str = ''
    outcome: str = Field(index=True)
    lessons_json: str = '[]'
    tags_json: str = '[]'
    created_us: int = Field(index=True)
    vector: bytes
    # Added in schema version 2.
    metadata_json: str = Field(default='{}', sa_column_kwargs={'server_default': '{}'})
    # Added in schema version 3: older episodes read as trusted, with no provenance.
    trusted: bool = Field(default=True, sa_column_kwargs={'server_default': '1'})
    provenance_json: str = Field(default='[]', sa_column_kwargs={'server_default': '[]'})


class TagRow(_MemoryModel, table=True):
    """Tag membership, for SQL filtering in `list`."""

    __tablename__ = 'memory_episode_tags'

    namespace: str = Field(primary_key=True)
    episode_id: str = Field(primary_key=True)
    tag: str = Field(primary_key=True, index=True)


class MetaRow(_MemoryModel, table=True):
    """Key/value facts about the file: schema version, embedder name and dimension."""

    __tablename__ = 'memory_meta'

    key: str = Field(primary_key=True)
    value: str


def migrate(conn: sa.Connection) -> None:
    """Create missing tables and add missing columns (only additive changes: existing data is never rewritten).

    Raises:
        SchemaMigrationError: The file was written by a newer agentcore (higher schema version).
    """
    metadata = _MemoryModel.metadata
    metadata.create_all(conn)
    meta = MetaRow.__table__  # type: ignore[attr-defined]
    version_row = conn.execute(sa.select(meta.c.value).where(meta.c.key == 'schema_version')).scalar()
    stored = int(version_row) if version_row is not None else SCHEMA_VERSION
    if stored > SCHEMA_VERSION:
        raise SchemaMigrationError(
            f'memory file has schema version {stored}, newer than this agentcore supports ({SCHEMA_VERSION})',
            hint='upgrade agentcore, or point AGENTCORE_HOME elsewhere',
        )
    inspector = sa.inspect(conn)
    for table in metadata.sorted_tables:
        present = {c['name'] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if column.server_default is None and not column.nullable:
                raise SchemaMigrationError(f'cannot add required column {table.name}.{column.name} to an old file')
            ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
            conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN {ddl}')
    upsert = sqlite_insert(MetaRow).values(key='schema_version', value=str(SCHEMA_VERSION))
    conn.execute(upsert.on_conflict_do_update(index_elements=['key'], set_={'value': str(SCHEMA_VERSION)}))

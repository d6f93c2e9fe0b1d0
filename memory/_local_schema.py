"""SQLite tables of `LocalMemory` (SQLAlchemy Core: no ORM models to build at import) and their additive migration."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ._errors import SchemaMigrationError

__all__ = ['EPISODES', 'META', 'SCHEMA_VERSION', 'TAGS', 'migrate']

#: Bumped whenever a column is added; older files are upgraded in place by `migrate`.
SCHEMA_VERSION = 3

#: Own metadata, so these tables never mix with other tables of the process.
_METADATA = sa.MetaData()


def _text(name: str, *, primary_key: bool = False, index: bool = False, nullable: bool = False,
          default: str | None = None, server_default: str | None = None) -> sa.Column[str]:
    return sa.Column(name, sa.String(), primary_key=primary_key, index=index, nullable=nullable, default=default,
                     server_default=server_default)


#: One episode; the primary key is (namespace, id) like a Weaviate tenant-scoped object.
EPISODES = sa.Table(
    'memory_episodes', _METADATA,
    _text('namespace', primary_key=True),
    _text('id', primary_key=True),
    _text('run_id', index=True, nullable=True),
    _text('task'),
    _text('plan_summary', default=''),
    _text('steps_digest', default=''),
    _text('outcome', index=True),
    _text('lessons_json', default='[]'),
    _text('tags_json', default='[]'),
    sa.Column('created_us', sa.Integer(), nullable=False, index=True),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    # Added in schema version 2.
    _text('metadata_json', default='{}', server_default='{}'),
    # Added in schema version 3: older episodes read as trusted, with no provenance.
    sa.Column('trusted', sa.Boolean(), nullable=False, default=True, server_default='1'),
    _text('provenance_json', default='[]', server_default='[]'),
)  # fmt: skip

#: Tag membership, for SQL filtering in `list`.
TAGS = sa.Table(
    'memory_episode_tags', _METADATA,
    _text('namespace', primary_key=True),
    _text('episode_id', primary_key=True),
    _text('tag', primary_key=True, index=True),
)  # fmt: skip

#: Key/value facts about the file: schema version, embedder name and dimension.
META = sa.Table('memory_meta', _METADATA, _text('key', primary_key=True), _text('value'))


def migrate(conn: sa.Connection) -> None:
    """Create missing tables and add missing columns (only additive changes: existing data is never rewritten).

    Raises:
        SchemaMigrationError: The file was written by a newer agentcore (higher schema version).
    """
    _METADATA.create_all(conn)
    version_row = conn.execute(sa.select(META.c.value).where(META.c.key == 'schema_version')).scalar()
    stored = int(version_row) if version_row is not None else SCHEMA_VERSION
    if stored > SCHEMA_VERSION:
        raise SchemaMigrationError(
            f'memory file has schema version {stored}, newer than this agentcore supports ({SCHEMA_VERSION})',
            hint='upgrade agentcore, or point AGENTCORE_HOME elsewhere',
        )
    inspector = sa.inspect(conn)
    for table in _METADATA.sorted_tables:
        present = {c['name'] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if column.server_default is None and not column.nullable:
                raise SchemaMigrationError(f'cannot add required column {table.name}.{column.name} to an old file')
            ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
            conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN {ddl}')
    upsert = sqlite_insert(META).values(key='schema_version', value=str(SCHEMA_VERSION))
    conn.execute(upsert.on_conflict_do_update(index_elements=['key'], set_={'value': str(SCHEMA_VERSION)}))

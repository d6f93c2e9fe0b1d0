"""The Weaviate collection behind `WeaviateMemory`: its properties, creation on first use and safe migration.

The collection's description holds a JSON record of the schema version and the embedder (name and dimension);
only additive changes (new properties) are migrated, existing objects are never rewritten.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ._errors import MemoryBackendError, SchemaMigrationError

__all__ = ['QUERY_PROPERTIES', 'SCHEMA_VERSION', 'ensure_collection', 'properties', 'read_record']

#: Version 1 had no `metadata_json`; version 2 added it; version 3 added `trusted` and `provenance`.
SCHEMA_VERSION = 3
#: Keyword-searched properties and their boosts (mirrors `_text.KEYWORD_FIELDS`).
QUERY_PROPERTIES = ['task^2', 'plan_summary', 'steps_digest', 'lessons']
_NAME_RE = re.compile(r'^[A-Z][_0-9A-Za-z]{0,200}$')
_MARK = 'agentcore-memory'


def properties(version: int = SCHEMA_VERSION) -> list[Any]:
    """The collection's properties at schema `version`."""
    from weaviate.classes.config import DataType, Property, Tokenization

    def field(name: str, array: bool = False) -> Any:
        dtype = DataType.TEXT_ARRAY if array else DataType.TEXT
        return Property(name=name, data_type=dtype, tokenization=Tokenization.FIELD, index_searchable=False)

    def words(name: str, array: bool = False) -> Any:
        dtype = DataType.TEXT_ARRAY if array else DataType.TEXT
        return Property(name=name, data_type=dtype, tokenization=Tokenization.WORD, index_filterable=False)

    props = [
        field('episode_id'), field('run_id'), field('outcome'), field('tags', array=True),
        words('task'), words('plan_summary'), words('steps_digest'), words('lessons', array=True),
        Property(name='created_at', data_type=DataType.DATE, index_range_filters=True),
    ]  # fmt: skip
    if version >= 2:
        props.append(
            Property(name='metadata_json', data_type=DataType.TEXT, index_filterable=False, index_searchable=False)
        )
    if version >= 3:
        props += [Property(name='trusted', data_type=DataType.BOOL), field('provenance', array=True)]
    return props


def record(embedder_name: str, dimension: int, version: int = SCHEMA_VERSION) -> str:
    """The description string that marks a collection as ours."""
    return json.dumps({'kind': _MARK, 'schema_version': version, 'embedder': embedder_name, 'dimension': dimension})


def read_record(description: str | None, name: str) -> dict[str, Any]:
    """Parse the description written by `record`; raise `SchemaMigrationError` if it is not ours."""
    try:
        data = json.loads(description or '')
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get('kind') != _MARK:
        raise SchemaMigrationError(
            f'Weaviate collection {name} exists but was not created by agentcore memory',
            hint='choose another collection name',
        )
    return data


def create(client: Any, name: str, embedder_name: str, dimension: int, version: int = SCHEMA_VERSION) -> Any:
    """Create the multi-tenant collection with a self-provided cosine HNSW vector index."""
    from weaviate.classes.config import Configure, VectorDistances

    return client.collections.create(
        name,
        description=record(embedder_name, dimension, version),
        properties=properties(version),
        vector_config=Configure.Vectors.self_provided(
            vector_index_config=Configure.VectorIndex.hnsw(distance_metric=VectorDistances.COSINE)
        ),
        multi_tenancy_config=Configure.multi_tenancy(
            enabled=True, auto_tenant_creation=True, auto_tenant_activation=True
        ),
    )


def ensure_collection(client: Any, name: str, embedder_name: str, dimension: int) -> tuple[Any, dict[str, Any]]:
    """Get the collection, creating it on first use or migrating an older one; return it and its record.

    Raises:
        ValueError: `name` is not a valid collection name.
        SchemaMigrationError: The collection is not ours, not multi-tenant, newer than supported, or has a property
            of an incompatible type.
        EmbedderMismatchError: Raised by the caller, which compares the returned record with its embedder.
    """
    from weaviate.exceptions import UnexpectedStatusCodeError

    if not _NAME_RE.match(name):
        raise ValueError(f'invalid Weaviate collection name {name!r}: start with an upper-case letter, then letters, '
                         'digits or "_"')  # fmt: skip
    if not client.collections.exists(name):
        try:
            create(client, name, embedder_name, dimension)
        except UnexpectedStatusCodeError as exc:
            if 'already exists' not in str(exc):  # lost a creation race: the other creator's schema is checked below
                raise MemoryBackendError(f'could not create Weaviate collection {name}: {exc}') from exc
    collection = client.collections.get(name)
    config = collection.config.get()
    data = read_record(config.description, name)
    if not config.multi_tenancy_config.enabled:
        raise SchemaMigrationError(f'Weaviate collection {name} is not multi-tenant', hint='use another collection')
    version = int(data.get('schema_version', 0))
    if version > SCHEMA_VERSION:
        raise SchemaMigrationError(
            f'Weaviate collection {name} has schema version {version}, newer than supported ({SCHEMA_VERSION})',
            hint='upgrade agentcore',
        )
    existing = {p.name: p.data_type for p in config.properties}
    for prop in properties():
        have = existing.get(prop.name)
        if have is None:
            collection.config.add_property(prop)
        elif have != prop.dataType:
            raise SchemaMigrationError(
                f'Weaviate collection {name}: property {prop.name} is {have.value}, expected {prop.dataType.value}',
                hint='use another collection name',
            )
    if version < SCHEMA_VERSION:
        data['schema_version'] = SCHEMA_VERSION
        collection.config.update(description=json.dumps(data))
    return collection, data

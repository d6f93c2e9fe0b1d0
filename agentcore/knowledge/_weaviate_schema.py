"""The two Weaviate collections of `WeaviateKnowledge`: chunks (vectors, hybrid search) and document records.

The chunk collection's description holds a JSON record of the schema version and the embedder; a collection that
is not ours, or from a newer schema, is refused rather than written into.
"""

from __future__ import annotations

import json
import re
from typing import Any

from agentcore.memory import MemoryBackendError, SchemaMigrationError

__all__ = ['QUERY_PROPERTIES', 'SCHEMA_VERSION', 'docs_name', 'ensure_collections']

SCHEMA_VERSION = 1
#: Keyword-searched properties and their boosts (as `LocalKnowledge` weights its FTS5 columns).
QUERY_PROPERTIES = ['context^2', 'text']
_NAME_RE = re.compile(r'^[A-Z][_0-9A-Za-z]{0,190}$')
_MARK = 'agentcore-knowledge'


def docs_name(name: str) -> str:
    """The collection of the document records that goes with chunk collection `name`."""
    return f'{name}Docs'


def _field(name: str, *, array: bool = False) -> Any:
    from weaviate.classes.config import DataType, Property, Tokenization

    dtype = DataType.TEXT_ARRAY if array else DataType.TEXT
    return Property(name=name, data_type=dtype, tokenization=Tokenization.FIELD, index_searchable=False)


def _stored(name: str, dtype: Any) -> Any:
    from weaviate.classes.config import Property

    return Property(name=name, data_type=dtype, index_filterable=False, index_searchable=False)


def chunk_properties() -> list[Any]:
    from weaviate.classes.config import DataType, Property, Tokenization

    def words(name: str) -> Any:
        return Property(name=name, data_type=DataType.TEXT, tokenization=Tokenization.WORD, index_filterable=False)

    return [
        _field('chunk_id'), _field('source'), _field('format'), _field('tags', array=True), words('context'),
        words('text'), _stored('title', DataType.TEXT), _stored('heading', DataType.TEXT_ARRAY),
        Property(name='ordinal', data_type=DataType.INT), Property(name='page', data_type=DataType.INT),
    ]  # fmt: skip


def doc_properties() -> list[Any]:
    from weaviate.classes.config import DataType, Property

    return [
        _field('source'), _field('format'), _field('tags', array=True), _stored('title', DataType.TEXT),
        _stored('content_hash', DataType.TEXT), _stored('chunking', DataType.TEXT), _stored('size', DataType.INT),
        _stored('chunks', DataType.INT), Property(name='ingested_at', data_type=DataType.DATE),
    ]  # fmt: skip


def _record(embedder_name: str, dimension: int) -> str:
    return json.dumps({'kind': _MARK, 'schema_version': SCHEMA_VERSION, 'embedder': embedder_name,
                       'dimension': dimension})  # fmt: skip


def _read_record(config: Any, name: str) -> dict[str, Any]:
    try:
        data = json.loads(config.description or '')
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get('kind') != _MARK:
        raise SchemaMigrationError(f'Weaviate collection {name} exists but was not created by agentcore knowledge',
                                   hint='choose another collection name')  # fmt: skip
    if int(data.get('schema_version', 0)) > SCHEMA_VERSION:
        raise SchemaMigrationError(f'Weaviate collection {name} has knowledge schema version '
                                   f'{data["schema_version"]}, newer than supported ({SCHEMA_VERSION})',
                                   hint='upgrade agentcore')  # fmt: skip
    return data


def _create(client: Any, name: str, description: str, properties: list[Any], vectors: bool) -> None:
    from weaviate.classes.config import Configure, VectorDistances
    from weaviate.exceptions import UnexpectedStatusCodeError

    index = Configure.VectorIndex.hnsw(distance_metric=VectorDistances.COSINE) if vectors else None
    try:
        client.collections.create(name, description=description, properties=properties,
                                  vector_config=Configure.Vectors.self_provided(vector_index_config=index))  # fmt: skip
    except UnexpectedStatusCodeError as exc:
        if 'already exists' not in str(exc):  # lost a creation race: the winner's schema is checked by the caller
            raise MemoryBackendError(f'could not create Weaviate collection {name}: {exc}') from exc


def ensure_collections(client: Any, name: str, embedder_name: str, dimension: int) -> tuple[Any, Any, dict[str, Any]]:
    """(chunk collection, document collection, the chunk collection's record), created on first use.

    Raises:
        ValueError: `name` is not a valid collection name.
        SchemaMigrationError: A collection exists that is not ours or is from a newer schema.
    """
    if not _NAME_RE.match(name):
        raise ValueError(f'invalid Weaviate collection name {name!r}: start with an upper-case letter, then letters, '
                         'digits or "_"')  # fmt: skip
    record = _record(embedder_name, dimension)
    for target, props, vectors in ((name, chunk_properties(), True), (docs_name(name), doc_properties(), False)):
        if not client.collections.exists(target):
            _create(client, target, record, props, vectors)
    chunks, docs = client.collections.get(name), client.collections.get(docs_name(name))
    data = _read_record(chunks.config.get(), name)
    _read_record(docs.config.get(), docs_name(name))
    return chunks, docs, data

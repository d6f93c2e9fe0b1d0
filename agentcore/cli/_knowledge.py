"""`agentcore knowledge add|list|search|remove|info`: ingest the user's documents and search them with citations.

The store follows the settings (`knowledge.open_knowledge`): Weaviate when `--url` or `weaviate_url`
(`AGENTCORE_WEAVIATE_URL`) is set, else the local file under the agentcore home; the embedder is the
`memory_embedder` setting's unless `--embedder` says otherwise.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ._memory import _UsageError
from ._output import print_json

app = typer.Typer(no_args_is_help=True)

_URL_HELP = "Weaviate URL (default: the weaviate_url setting, AGENTCORE_WEAVIATE_URL; '' forces the local store)."
_STORE_HELP = 'Local store file (default: $AGENTCORE_HOME/knowledge/knowledge.sqlite3).'
_EMBEDDER_HELP = 'Embedder the store was written with: hash[:DIM], litellm:MODEL:DIM, sentence-transformers.'
_Url = Annotated[str | None, typer.Option('--url', help=_URL_HELP)]
_Store = Annotated[str | None, typer.Option('--store', help=_STORE_HELP)]
_Embedder = Annotated[str | None, typer.Option('--embedder', help=_EMBEDDER_HELP)]
_Json = Annotated[bool, typer.Option('--json', help='Print JSON.')]
_Tags = Annotated[list[str] | None, typer.Option('--tag', '-t', help='A tag (repeatable).')]


def _open(url: str | None, store: str | None, embedder: str | None) -> Any:
    from agentcore.knowledge import open_knowledge
    from agentcore.memory import embedder_from_spec

    return open_knowledge(url, path=store, embedder=embedder_from_spec(embedder) if embedder else None)


def _filters(sources: list[str] | None, tags: list[str] | None) -> Any:
    from pydantic import ValidationError

    from agentcore.knowledge import KnowledgeFilter

    try:
        return KnowledgeFilter(sources=tuple(sources or ()), tags=tuple(tags or ()))
    except ValidationError as exc:
        problems = '; '.join(str(e['msg']).removeprefix('Value error, ') for e in exc.errors())
        raise _UsageError(f'bad filter: {problems}') from None


def _snippet(text: str, width: int = 100) -> str:
    flat = ' '.join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + '...'


@app.command('add')
def add(
    path: str = typer.Argument(..., metavar='PATH', help='A file or a folder (text, Markdown, HTML, PDF).'),
    tag: Annotated[list[str] | None, typer.Option('--tag', '-t', help='Tag the documents (repeatable; replaces '
                                                  'their tags).')] = None,  # fmt: skip
    url: _Url = None,
    store: _Store = None,
    embedder: _Embedder = None,
    as_json: _Json = False,
) -> None:
    """Ingest a file or a folder; only new or changed files are embedded, deleted ones are removed."""
    with _open(url, store, embedder) as knowledge:
        report = knowledge.add(path, tags=tag)
        described = knowledge.describe()
    if as_json:
        print_json({'store': described, 'report': report.model_dump(mode='json'), 'counts': report.counts()})
        return
    typer.echo(report.summary())
    for skipped in report.skipped:
        typer.echo(f'skipped {skipped.path}: {skipped.reason}')


@app.command('list')
def list_documents(url: _Url = None, store: _Store = None, embedder: _Embedder = None, as_json: _Json = False) -> None:
    """List the ingested documents, by path."""
    with _open(url, store, embedder) as knowledge:
        documents = knowledge.list()
        described = knowledge.describe()
    if as_json:
        print_json({'store': described, 'documents': [d.model_dump(mode='json') for d in documents]})
        return
    for doc in documents:
        tags = f'  [{", ".join(doc.tags)}]' if doc.tags else ''
        typer.echo(f'{doc.chunks:>5} chunks  {doc.format:<8}  {doc.source}{tags}')
    if not documents:
        typer.echo('no documents')


@app.command('search')
def search(
    query: str = typer.Argument(..., help='What to look for (keywords or a question).'),
    k: int = typer.Option(5, '--k', '-k', help='How many passages (1-100).'),
    source: Annotated[list[str] | None, typer.Option('--source', '-s', help='Only documents matching this path, '
                                                     'folder or glob (repeatable: any).')] = None,  # fmt: skip
    tag: _Tags = None,
    url: _Url = None,
    store: _Store = None,
    embedder: _Embedder = None,
    as_json: _Json = False,
) -> None:
    """Search the documents (hybrid keyword + vector); each passage with its citation."""
    flt = _filters(source, tag)
    with _open(url, store, embedder) as knowledge:
        hits = knowledge.search(query, k=k, filters=flt)
        described = knowledge.describe()
    if as_json:
        print_json({'store': described, 'hits': [{'score': h.score, 'citation': h.citation.model_dump(),
                                                  'chunk': h.chunk.model_dump(mode='json')} for h in hits]})  # fmt: skip
        return
    for hit in hits:
        typer.echo(f'{hit.score:.3f}  {hit.citation}')
        typer.echo(f'       {_snippet(hit.chunk.text)}')
    if not hits:
        typer.echo('no matching passages')


@app.command('remove')
def remove(
    path: str = typer.Argument(..., metavar='PATH', help='A document, or a folder: every document under it.'),
    url: _Url = None,
    store: _Store = None,
    embedder: _Embedder = None,
    as_json: _Json = False,
) -> None:
    """Remove a document, or every document under a folder (the files themselves are not touched)."""
    with _open(url, store, embedder) as knowledge:
        removed = knowledge.remove(path)
    if not removed:
        raise _UsageError(f'no document stored at {path}', hint='`agentcore knowledge list` shows the documents')
    if as_json:
        print_json({'removed': removed})
        return
    for source in removed:
        typer.echo(f'removed {source}')


@app.command('info')
def info(url: _Url = None, store: _Store = None, embedder: _Embedder = None, as_json: _Json = False) -> None:
    """Show which knowledge backend is in use, where, with which embedder and chunking."""
    with _open(url, store, embedder) as knowledge:
        described = knowledge.describe()
    if as_json:
        print_json(described)
        return
    for key, value in described.items():
        typer.echo(f'{key}: {value}')

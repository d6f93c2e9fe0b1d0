"""`agentcore memory search|list|delete|info`: inspect and manage episodic memory.

The store is chosen like the agent chooses it (`memory.open_memory`): Weaviate when `--url` or
`AGENTCORE_WEAVIATE_URL` is set and reachable, else the local store under `AGENTCORE_HOME`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from ._output import print_json

app = typer.Typer(no_args_is_help=True)

_URL_HELP = 'Weaviate URL (default: $AGENTCORE_WEAVIATE_URL; unset or unreachable: the local store).'
_PATH_HELP = 'Local store file (default: $AGENTCORE_HOME/memory/episodes.sqlite3).'
_EMBEDDER_HELP = 'Embedder the store was written with: hash[:DIM], litellm:MODEL:DIM, sentence-transformers.'
_Tags = Annotated[list[str] | None, typer.Option('--tag', '-t', help='Require this tag (repeatable: all required).')]
_Outcomes = Annotated[list[str] | None, typer.Option('--outcome', '-o', help='Only these outcomes (repeatable).')]
_RELATIVE = re.compile(r'^(\d+)([dhm])$')


class _UsageError(ValueError):
    """Bad input on the command line (exit code 2); `hint` says how to fix it."""

    usage_error = True

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def _when(value: str | None, option: str) -> datetime | None:
    """ISO 8601 (naive means UTC) or a relative age such as 7d, 12h, 30m."""
    if value is None:
        return None
    match = _RELATIVE.match(value.strip())
    if match:
        unit = {'d': 'days', 'h': 'hours', 'm': 'minutes'}[match.group(2)]
        return datetime.now(UTC) - timedelta(**{unit: int(match.group(1))})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _UsageError(f'{option}: expected an ISO date/time or an age like 7d, 12h, 30m, got {value!r}') from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _open(url: str | None, path: str | None, embedder: str | None) -> Any:
    from agentcore.memory import embedder_from_spec, open_memory

    return open_memory(url, path=path, embedder=embedder_from_spec(embedder) if embedder else None)


def _filters(
    namespace: str | None, tags: list[str] | None, outcomes: list[str] | None, since: str | None, until: str | None
) -> Any:
    from agentcore.memory import EpisodeFilter

    return EpisodeFilter(
        namespace=namespace, tags=tuple(tags or ()), outcome=tuple(outcomes) if outcomes else None,
        since=_when(since, '--since'), until=_when(until, '--until'),
    )  # fmt: skip


def _line(episode: Any, score: float | None = None) -> str:
    head = f'{score:.3f}  ' if score is not None else ''
    task = ' '.join(episode.task.split())
    task = task if len(task) <= 70 else task[:67] + '...'
    created = episode.created_at.strftime('%Y-%m-%d %H:%M')
    return f'{head}{episode.id}  {episode.namespace}  {episode.outcome:<17} {created}  {task}'


@app.command('search')
def search(
    query: str = typer.Argument(..., help='What to look for (keywords and meaning).'),
    k: int = typer.Option(5, '--k', '-k', help='How many hits (1-100).'),
    namespace: str | None = typer.Option(None, '--namespace', '-n', help='Only this agent/user namespace.'),
    tag: _Tags = None,
    outcome: _Outcomes = None,
    since: str | None = typer.Option(None, '--since', help='Created at or after: ISO time or age (7d, 12h).'),
    until: str | None = typer.Option(None, '--until', help='Created before: ISO time or age.'),
    url: str | None = typer.Option(None, '--url', help=_URL_HELP),
    path: str | None = typer.Option(None, '--path', help=_PATH_HELP),
    embedder: str | None = typer.Option(None, '--embedder', help=_EMBEDDER_HELP),
    as_json: bool = typer.Option(False, '--json', help='Print JSON.'),
) -> None:
    """Search remembered episodes (hybrid keyword + vector), best first."""
    flt = _filters(namespace, tag, outcome, since, until)
    with _open(url, path, embedder) as store:
        hits = store.search(query, k=k, filters=flt)
        backend = store.describe()
    if as_json:
        print_json({'store': backend, 'hits': [{'score': h.score, 'episode': h.episode.model_dump(mode='json')}
                                               for h in hits]})  # fmt: skip
        return
    for hit in hits:
        typer.echo(_line(hit.episode, hit.score))
    if not hits:
        typer.echo('no matching episodes')


@app.command('list')
def list_episodes(
    limit: int = typer.Option(20, '--limit', '-l', help='How many, newest first (1-10000).'),
    namespace: str | None = typer.Option(None, '--namespace', '-n', help='Only this agent/user namespace.'),
    tag: _Tags = None,
    outcome: _Outcomes = None,
    since: str | None = typer.Option(None, '--since', help='Created at or after: ISO time or age (7d, 12h).'),
    until: str | None = typer.Option(None, '--until', help='Created before: ISO time or age.'),
    url: str | None = typer.Option(None, '--url', help=_URL_HELP),
    path: str | None = typer.Option(None, '--path', help=_PATH_HELP),
    embedder: str | None = typer.Option(None, '--embedder', help=_EMBEDDER_HELP),
    as_json: bool = typer.Option(False, '--json', help='Print JSON.'),
) -> None:
    """List remembered episodes, newest first."""
    flt = _filters(namespace, tag, outcome, since, until)
    with _open(url, path, embedder) as store:
        episodes = store.list(flt, limit=limit)
        backend = store.describe()
    if as_json:
        print_json({'store': backend, 'episodes': [e.model_dump(mode='json') for e in episodes]})
        return
    for episode in episodes:
        typer.echo(_line(episode))
    if not episodes:
        typer.echo('no episodes')


@app.command('delete')
def delete(
    episode_id: str = typer.Argument(..., metavar='ID', help='The episode id (see `agentcore memory list`).'),
    namespace: str | None = typer.Option(None, '--namespace', '-n', help='Only in this namespace (default: any).'),
    url: str | None = typer.Option(None, '--url', help=_URL_HELP),
    path: str | None = typer.Option(None, '--path', help=_PATH_HELP),
    embedder: str | None = typer.Option(None, '--embedder', help=_EMBEDDER_HELP),
    as_json: bool = typer.Option(False, '--json', help='Print JSON.'),
) -> None:
    """Delete one episode. An unknown id (or one in another namespace) is bad input: exit code 2."""
    with _open(url, path, embedder) as store:
        deleted = store.delete(episode_id, namespace=namespace)
    if not deleted:
        where = f' in namespace {namespace!r}' if namespace else ''
        raise _UsageError(f'no episode with id {episode_id}{where}', hint='`agentcore memory list` shows the ids')
    if as_json:
        print_json({'deleted': True, 'id': episode_id})
        return
    typer.echo(f'deleted {episode_id}')


@app.command('info')
def info(
    url: str | None = typer.Option(None, '--url', help=_URL_HELP),
    path: str | None = typer.Option(None, '--path', help=_PATH_HELP),
    embedder: str | None = typer.Option(None, '--embedder', help=_EMBEDDER_HELP),
    as_json: bool = typer.Option(False, '--json', help='Print JSON.'),
) -> None:
    """Show which memory backend is in use, where, and with which embedder."""
    with _open(url, path, embedder) as store:
        described = store.describe()
    if as_json:
        print_json(described)
        return
    for key, value in described.items():
        typer.echo(f'{key}: {value}')

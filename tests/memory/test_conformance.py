"""Behaviour every `MemoryStore` shares: run against LocalMemory, a real Weaviate server and the InMemoryMemory double."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from agentcore.memory import (
    EmbedderMismatchError,
    Episode,
    EpisodeFilter,
    HashEmbedder,
    MemoryHit,
    MemoryStore,
    MemoryUnavailableError,
)

from .conftest import StoreFactory

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def dataset() -> list[Episode]:
    """Twelve episodes across namespaces, tags, outcomes, runs and days."""
    rows: list[tuple[str, str, str, list[str], str, str]] = [
        ('default', 'fix the flaky pytest in the CI pipeline', 'completed', ['ci', 'python'], 'r1',
         'retry with a fixed random seed'),
        ('default', 'deploy the web service to kubernetes', 'failed', ['ops', 'k8s'], 'r2',
         'the image tag was missing'),
        ('default', 'write API documentation for the billing module', 'completed', ['docs'], 'r3',
         'start from the OpenAPI schema'),
        ('default', 'migrate the postgres database schema', 'stopped_by_budget', ['db', 'ops'], 'r4',
         'split the migration into smaller steps'),
        ('default', 'summarise the quarterly sales spreadsheet', 'completed', ['data'], 'r5', ''),
        ('default', 'delete all files in the home directory', 'denied', ['shell'], 'r6',
         'destructive commands are denied by policy'),
        ('alice', 'fix the flaky unit test in the parser', 'completed', ['ci', 'python'], 'r7',
         'the test depended on dict ordering'),
        ('alice', 'scrape product prices from the shop website', 'failed', ['web'], 'r8', 'robots.txt disallowed it'),
        ('alice', 'plot the sales figures as a bar chart', 'completed', ['data', 'python'], 'r9', ''),
        ('bob', 'rotate the TLS certificates on the load balancer', 'completed', ['ops', 'security'], 'r10', ''),
        ('bob', 'upgrade kubernetes cluster to the next minor version', 'failed', ['k8s', 'ops'], 'r11',
         'drain nodes one at a time'),
        ('bob', 'translate the README into German', 'completed', ['docs'], 'r12', 'Übersetzung geprüft'),
    ]  # fmt: skip
    return [
        Episode(
            namespace=ns,
            task=task,
            outcome=outcome,
            tags=tags,
            run_id=run,
            lessons=[lesson] if lesson else [],
            plan_summary=f'plan for {task}',
            steps_digest=f'step 1; step 2 of {run}',
            created_at=T0 + timedelta(days=i),
            metadata={'i': i, 'model': 'fake'},
        )  # fmt: skip
        for i, (ns, task, outcome, tags, run, lesson) in enumerate(rows)
    ]


@pytest.fixture
def loaded(store: Any) -> tuple[Any, list[Episode]]:
    episodes = dataset()
    assert store.save_many(episodes) == [e.id for e in episodes]
    return store, episodes


def test_store_satisfies_protocol(store: Any) -> None:
    assert isinstance(store, MemoryStore)
    assert store.backend in ('local', 'weaviate', 'memory')
    info = store.describe()
    assert info['backend'] == store.backend
    assert (info['embedder'], info['dimension']) == ('hash-ngram-v1', 256)


def test_save_and_get_round_trip_every_field(store: Any) -> None:
    episode = Episode(
        run_id='run-42', namespace='agent-7', task='Find the bug in parser.py', plan_summary='read, bisect, fix',
        steps_digest='read_file(parser.py); run(pytest)', outcome='completed', lessons=['bisect first', 'add a test'],
        tags=['Python', 'debugging'], created_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        metadata={'model': 'gpt', 'cost': 0.25, 'ok': True, 'none': None},
    )  # fmt: skip
    assert store.save(episode) == episode.id
    assert store.get(episode.id) == episode
    assert store.get(episode.id, namespace='agent-7') == episode
    assert store.get(episode.id, namespace='default') is None
    assert store.get('no-such-id') is None


def test_save_with_existing_id_replaces(store: Any) -> None:
    first = Episode(task='first version', outcome='failed')
    store.save(first)
    second = first.model_copy(update={'task': 'second version', 'outcome': 'completed'})
    store.save(second)
    assert store.get(first.id) == second
    assert [e.task for e in store.list()] == ['second version']
    assert [h.episode.task for h in store.search('version')] == ['second version']


def test_same_id_in_two_namespaces_are_two_episodes(store: Any) -> None:
    a = Episode(id='shared-id', namespace='alice', task='alice task', outcome='completed')
    b = Episode(id='shared-id', namespace='bob', task='bob task', outcome='completed')
    store.save_many([a, b])
    assert store.get('shared-id', namespace='alice') == a
    assert store.get('shared-id', namespace='bob') == b
    assert store.delete('shared-id', namespace='alice') is True
    assert store.get('shared-id') == b
    assert store.delete('shared-id') is True
    assert store.get('shared-id') is None


def test_delete(loaded: tuple[Any, list[Episode]]) -> None:
    store, episodes = loaded
    target = episodes[0]
    assert store.delete(target.id) is True
    assert store.delete(target.id) is False
    assert store.get(target.id) is None
    assert target.id not in {h.episode.id for h in store.search(target.task, k=20)}
    assert len(store.list(limit=100)) == len(episodes) - 1


def test_keyword_search_ranks_the_matching_episode_first(loaded: tuple[Any, list[Episode]]) -> None:
    store, _ = loaded
    hits = store.search('TLS certificates', k=3)
    assert hits[0].episode.task == 'rotate the TLS certificates on the load balancer'
    hits = store.search('quarterly spreadsheet', k=3, filters=EpisodeFilter(namespace='default'))
    assert hits[0].episode.task == 'summarise the quarterly sales spreadsheet'


def test_near_miss_wording_still_recalls(loaded: tuple[Any, list[Episode]]) -> None:
    store, _ = loaded
    # Inflections and typos share character trigrams with the stored text.
    hits = store.search('flakey tests in pytests', k=2, filters=EpisodeFilter(namespace='default'))
    assert hits[0].episode.task == 'fix the flaky pytest in the CI pipeline'


def test_scores_are_sorted_and_bounded(loaded: tuple[Any, list[Episode]]) -> None:
    store, _ = loaded
    hits = store.search('kubernetes cluster upgrade', k=5, filters=EpisodeFilter(namespace='bob'))
    assert 1 <= len(hits) <= 3
    assert all(isinstance(h, MemoryHit) for h in hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert hits[0].episode.task == 'upgrade kubernetes cluster to the next minor version'
    assert hits[0].score == pytest.approx(1.0)


def test_k_limits_the_hits(loaded: tuple[Any, list[Episode]]) -> None:
    store, _ = loaded
    assert len(store.search('the', k=1)) == 1
    assert len(store.search('sales', k=4)) == 4


def test_stopword_only_query_falls_back_to_vectors(loaded: tuple[Any, list[Episode]]) -> None:
    store, _ = loaded
    assert len(store.search('the and of', k=3, filters=EpisodeFilter(namespace='alice'))) == 3


def test_unicode_text(loaded: tuple[Any, list[Episode]]) -> None:
    store, _ = loaded
    hits = store.search('Übersetzung', k=1)
    assert hits[0].episode.task == 'translate the README into German'


FILTERS = [
    EpisodeFilter(namespace='alice'),
    EpisodeFilter(namespace='nobody'),
    EpisodeFilter(tags=('ops',)),
    EpisodeFilter(tags=('ops', 'k8s')),
    EpisodeFilter(any_tags=('docs', 'web')),
    EpisodeFilter(outcome='failed'),
    EpisodeFilter(outcome=('denied', 'stopped_by_budget')),
    EpisodeFilter(since=T0 + timedelta(days=3), until=T0 + timedelta(days=7)),
    EpisodeFilter(since=T0 + timedelta(days=11)),
    EpisodeFilter(until=T0),
    EpisodeFilter(run_id='r8'),
    EpisodeFilter(namespace='bob', tags=('ops',), outcome='completed'),
    EpisodeFilter(tags=('python',), any_tags=('ci',), since=T0 + timedelta(days=1)),
]


@pytest.mark.parametrize('flt', FILTERS, ids=lambda f: repr(f.model_dump(exclude_defaults=True)))
def test_filters_select_exactly_the_matching_episodes(loaded: tuple[Any, list[Episode]], flt: EpisodeFilter) -> None:
    store, episodes = loaded
    expected = {e.id for e in episodes if flt.matches(e)}
    assert {e.id for e in store.list(flt, limit=100)} == expected
    # Every matching episode is a vector candidate, so a large k returns them all, and only them.
    assert {h.episode.id for h in store.search('fix a problem with the data', k=100, filters=flt)} == expected


def test_search_without_namespace_spans_all_namespaces(loaded: tuple[Any, list[Episode]]) -> None:
    store, _ = loaded
    hits = store.search('fix the flaky test', k=2)
    assert {h.episode.namespace for h in hits} == {'default', 'alice'}


def test_list_is_newest_first_and_limited(loaded: tuple[Any, list[Episode]]) -> None:
    store, episodes = loaded
    newest_first = sorted(episodes, key=lambda e: e.created_at, reverse=True)
    assert store.list(limit=100) == newest_first
    assert store.list(limit=3) == newest_first[:3]
    assert (
        store.list(EpisodeFilter(namespace='alice'), limit=2) == [e for e in newest_first if e.namespace == 'alice'][:2]
    )


def test_data_survives_reopening(factory: StoreFactory) -> None:
    episodes = dataset()
    with factory.open() as first:
        first.save_many(episodes)
    with factory.open() as again:
        assert again.get(episodes[3].id) == episodes[3]
        assert again.search('TLS certificates', k=1)[0].episode == episodes[9]


def test_other_embedder_is_refused(factory: StoreFactory) -> None:
    with factory.open() as first:
        first.save(Episode(task='anything', outcome='completed'))
    with pytest.raises(EmbedderMismatchError) as info:
        factory.open(embedder=HashEmbedder(dimension=128))
    assert 'hash-ngram-v1' in str(info.value) and '128' in str(info.value)
    assert info.value.hint


def test_closed_store_raises_unavailable(factory: StoreFactory) -> None:
    opened = factory.open()
    opened.close()
    opened.close()
    with pytest.raises(MemoryUnavailableError):
        opened.search('anything')


def test_bad_arguments_are_value_errors(store: Any) -> None:
    with pytest.raises(ValueError, match='non-blank'):
        store.search('   ')
    with pytest.raises(ValueError, match='k must be between 1 and 100'):
        store.search('x', k=0)
    with pytest.raises(ValueError, match='limit'):
        store.list(limit=0)
    with pytest.raises(ValueError, match='namespace'):
        store.get('x', namespace='bad namespace!')
    episode = Episode(task='t', outcome='completed')
    with pytest.raises(ValueError, match='same episode id'):
        store.save_many([episode, episode])
    with pytest.raises(TypeError, match='Episode objects'):
        store.save_many([{'task': 't'}])
    assert store.save_many([]) == []


async def test_async_api(store: Any) -> None:
    episodes = dataset()[:4]
    assert await store.asave(episodes[0]) == episodes[0].id
    assert await store.asave_many(episodes[1:]) == [e.id for e in episodes[1:]]
    hits, got = await asyncio.gather(store.asearch('kubernetes deploy', k=1), store.aget(episodes[2].id))
    assert hits[0].episode == episodes[1]
    assert got == episodes[2]
    assert len(await store.alist(EpisodeFilter(tags=('ops',)))) == 2
    assert await store.adelete(episodes[0].id) is True
    assert await store.aget(episodes[0].id) is None
    await store.aclose()


def test_keyword_recall_of_freshly_saved_episodes(store: Any) -> None:
    """Multi-term keyword queries find just-saved episodes (catches Weaviate's BlockMax-WAND memtable bug)."""
    verbs = ['fix', 'deploy', 'refactor', 'document', 'migrate', 'debug', 'review', 'upgrade', 'test', 'plot']
    things = ['the flaky integration test', 'the billing service', 'the login page', 'the docker image', 'the CLI']
    places = ['in the monorepo', 'behind the proxy', 'under load', 'after the outage', 'for the EU region']
    episodes = [
        Episode(
            task=f'{verbs[i % 10]} {things[i // 10 % 5]} {places[i // 50 % 5]} (ticket {10_000 + i * 7})',
            outcome='completed',
            namespace='agent',
        )  # fmt: skip
        for i in range(250)
    ]
    store.save_many(episodes)
    for i in range(0, 250, 25):
        target = episodes[i]
        words = target.task.split()
        query = ' '.join(words[:1] + words[2:])  # drop 'the'-like second word, keep the rest
        hits = store.search(query, k=1, filters=EpisodeFilter(namespace='agent'))
        assert hits[0].episode.id == target.id, (query, hits[0].episode.task)

"""`InMemoryMemory` beyond the shared conformance tests (tests/memory/test_conformance.py runs those on it too)."""

from __future__ import annotations

import pytest

from agentcore import Agent
from agentcore.memory import (
    EmbedderMismatchError,
    Episode,
    EpisodeFilter,
    HashEmbedder,
    LocalMemory,
    MemoryStore,
    MemoryUnavailableError,
)
from agentcore.testing import InMemoryMemory, ScriptedModel
from tests.memory.test_conformance import dataset

QUERIES = ['fix the flaky test', 'kubernetes', 'sales data chart', 'the and of', 'Übersetzung', 'TLS certificates']
FILTERS = [None, EpisodeFilter(namespace='alice'), EpisodeFilter(tags=('ops',)), EpisodeFilter(outcome='failed')]


@pytest.mark.parametrize('flt', FILTERS, ids=repr)
def test_ranks_and_scores_exactly_as_the_local_store(flt: EpisodeFilter | None) -> None:
    episodes = dataset()
    with LocalMemory(':memory:') as local, InMemoryMemory(episodes) as double:
        local.save_many(episodes)
        for query in QUERIES:
            want = [(h.episode, h.score) for h in local.search(query, k=10, filters=flt)]
            assert [(h.episode, h.score) for h in double.search(query, k=10, filters=flt)] == want, query
        assert double.list(flt, limit=100) == local.list(flt, limit=100)


async def test_seeds_count_describe() -> None:
    store = InMemoryMemory(dataset())
    assert isinstance(store, MemoryStore) and store.backend == 'memory'
    assert store.describe() == {'backend': 'memory', 'location': 'in-process', 'embedder': 'hash-ngram-v1',
                                'dimension': 256}  # fmt: skip
    assert store.count() == 12 and store.count(EpisodeFilter(namespace='bob')) == 3
    assert await store.acount(EpisodeFilter(tags=('ops',))) == 4
    store.close()
    with pytest.raises(MemoryUnavailableError, match='memory memory store is closed'):
        store.count()


def test_reopen_shares_the_episodes_and_checks_the_embedder() -> None:
    first = InMemoryMemory(embedder=HashEmbedder(64))
    first.save(Episode(id='e1', task='remember me', outcome='completed'))
    first.close()
    again = first.reopen(embedder=HashEmbedder(64))
    assert again.get('e1') is not None and again.search('remember')[0].episode.id == 'e1'
    again.save(Episode(id='e2', task='and me', outcome='completed'))
    assert first.reopen(embedder=HashEmbedder(64)).count() == 2
    with pytest.raises(EmbedderMismatchError, match='in-memory store was written with embedder hash-ngram-v1'):
        first.reopen()


def test_deleted_episodes_stay_gone_after_the_index_is_rebuilt() -> None:
    episodes = [Episode(id=f'e{i}', task=f'task number {i} about parsing logs', outcome='completed')
                for i in range(1300)]  # fmt: skip
    store = InMemoryMemory(episodes)
    for e in episodes[:1200]:  # enough dead rows to make the index rebuild itself on the next search
        assert store.delete(e.id)
    hits = store.search('parsing logs', k=100)
    assert len(hits) == 100 and all(int(h.episode.id[1:]) >= 1200 for h in hits)
    assert store.count() == 100


def test_an_agent_remembers_and_recalls_through_it() -> None:
    memory = InMemoryMemory()
    first = Agent(model=ScriptedModel(['Paris.']), memory=memory, checkpointer='memory').run('capital of France?')
    assert first.status == 'completed' and [e.run_id for e in memory.list()] == [first.run_id]
    model = ScriptedModel(['Paris, as before.'])
    second = Agent(model=model, memory=memory, checkpointer='memory').run('capital of France, again?')
    assert second.status == 'completed' and memory.count() == 2
    context = '\n'.join(m.content for m in model.requests[0].messages)
    assert f'memory:memory:{first.run_id}' in context and 'Paris.' in context

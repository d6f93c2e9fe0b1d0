"""`memory_search` and `memory_save` against the real local memory store (SQLite, hashing embedder) and its double."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore.memory import Episode, LocalMemory, MemoryHit
from agentcore.testing import InMemoryMemory
from agentcore.tools import MemorySaveTool, MemorySearchTool, ToolArgumentsError, ToolContext, ToolError


@pytest.fixture(params=['local', 'memory'])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LocalMemory | InMemoryMemory]:
    memory = LocalMemory(tmp_path / 'memory.sqlite') if request.param == 'local' else InMemoryMemory()
    try:
        yield memory
    finally:
        memory.close()


def _ctx(memory: Any, namespace: str = 'default', call_id: str = 'call-1') -> ToolContext:
    return ToolContext(run_id='run-7', call_id=call_id, memory=memory, namespace=namespace)


async def test_save_then_search(store: LocalMemory | InMemoryMemory) -> None:
    saved = await MemorySaveTool().run(
        {
            'task': 'Parse the nginx access logs and count 5xx errors per hour',
            'lessons': ['the logs are gzip-compressed', 'timestamps are in UTC'],
            'tags': ['Logs', 'nginx'],
            'plan_summary': 'zcat, then awk on field 9',
        },
        _ctx(store),
    )
    assert saved.data is not None
    episode_id = saved.data['id']
    assert saved.content == f'saved memory {episode_id}'
    episode = await store.aget(episode_id)
    assert episode is not None
    assert (episode.run_id, episode.namespace, episode.outcome, episode.tags) == (
        'run-7',
        'default',
        'completed',
        ['logs', 'nginx'],
    )
    assert episode.metadata == {'source': 'memory_save', 'call_id': 'call-1'}

    found = await MemorySearchTool().run({'query': 'nginx 5xx errors in access logs', 'k': 3}, _ctx(store))
    assert found.content.startswith('1. (score ')
    assert 'Parse the nginx access logs and count 5xx errors per hour' in found.content
    assert 'outcome (quoted): "completed"' in found.content and 'tags (quoted): "logs"; "nginx"' in found.content
    assert 'answer summary (quoted): "zcat, then awk on field 9"' in found.content
    assert 'notes recorded by that run (quoted data): "the logs are gzip-compressed"; "timestamps are in UTC"' in (
        found.content)
    assert 'Lessons' not in found.content and 'lessons' not in found.content
    assert found.data is not None and found.data['hits'][0]['episode']['id'] == episode_id


async def test_a_retried_call_replaces_its_episode(store: LocalMemory | InMemoryMemory) -> None:
    args = {'task': 'Deploy the staging stack', 'lessons': ['run migrations first']}
    first = await MemorySaveTool().run(args, _ctx(store))
    again = await MemorySaveTool().run(args, _ctx(store))
    other_call = await MemorySaveTool().run(args, _ctx(store, call_id='call-2'))
    assert first.data is not None and again.data is not None and other_call.data is not None
    assert first.data['id'] == again.data['id'] != other_call.data['id']
    assert len(await store.alist()) == 2


async def test_search_stays_in_the_run_namespace(store: LocalMemory | InMemoryMemory) -> None:
    await MemorySaveTool().run({'task': 'Rotate the TLS certificates', 'lessons': ['x']}, _ctx(store, 'team-a'))
    mine = await MemorySearchTool().run({'query': 'TLS certificates'}, _ctx(store, 'team-a'))
    assert 'Rotate the TLS certificates' in mine.content
    theirs = await MemorySearchTool().run({'query': 'TLS certificates'}, _ctx(store, 'team-b'))
    assert (theirs.content, theirs.data) == ('no matching memories', {'hits': [], 'truncated': False})


async def test_bad_arguments_and_no_store(store: LocalMemory | InMemoryMemory) -> None:
    with pytest.raises(ToolArgumentsError, match="argument 'outcome': invalid outcome 'Great Success!'"):
        await MemorySaveTool().run({'task': 't', 'lessons': [], 'outcome': 'Great Success!'}, _ctx(store))
    with pytest.raises(ToolArgumentsError, match="argument 'task': task must not be blank"):
        await MemorySaveTool().run({'task': '   ', 'lessons': []}, _ctx(store))
    with pytest.raises(ToolArgumentsError, match="argument 'k': expected an integer from 1 to 20, got 50"):
        await MemorySearchTool().run({'query': 'x', 'k': 50}, _ctx(store))
    with pytest.raises(ToolError, match='this run has no memory store'):
        await MemorySearchTool().run({'query': 'x'}, _ctx(None))


class MinimalMemory:
    """Only the contract the tools need, `asearch(query, k=...)` without `filters` and `asave(episode)`."""

    def __init__(self) -> None:
        self.store = InMemoryMemory()
        self.searched: list[tuple[str, int]] = []

    async def asearch(self, query: str, k: int = 5) -> list[MemoryHit]:
        self.searched.append((query, k))
        return await self.store.asearch(query, k=k)

    async def asave(self, episode: Episode) -> str:
        return await self.store.asave(episode)


async def test_a_store_without_filters_works_too() -> None:
    memory = MinimalMemory()
    await MemorySaveTool().run({'task': 'build the docs', 'lessons': ['use sphinx'], 'outcome': 'failed'}, _ctx(memory))
    found = await MemorySearchTool().run({'query': 'docs'}, _ctx(memory))
    assert found.content.startswith('1. (score 1.00)\npast run: run-7 (untrusted')
    assert 'task (quoted): "build the docs"' in found.content and '(quoted data): "use sphinx"' in found.content
    assert memory.searched == [('docs', 5)]

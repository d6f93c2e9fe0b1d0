"""Episodic memory: search latency and ingest throughput, LocalMemory and WeaviateMemory side by side.

Both stores get the same synthetic episodes (4 namespaces, realistic task/plan/lesson text, tags, outcomes) and the
same HashEmbedder, growing through 1k, 10k and 100k episodes (`--quick`: 1k and 10k). At each size, each store
answers the same queries: half restricted to one namespace (the agent's own memories), a quarter also by tag, a
quarter across every namespace. Reported per size: search p50/p95 in ms and recall@5 (a query is a stored episode's
task with a word dropped; hit if that episode is in the top 5); per store: ingest throughput in episodes/s.

Weaviate is the server at `--url` (default `$AGENTCORE_TEST_WEAVIATE_URL`, gRPC port from
`$AGENTCORE_TEST_WEAVIATE_GRPC_PORT`), else an embedded one started from the cached binary that
`.ci/services/weaviate.sh` builds.

Usage: python bench/memory_recall.py [--quick] [--queries N] [--url URL]
Prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agentcore.memory import Episode, EpisodeFilter, HashEmbedder, LocalMemory, MemoryStore, WeaviateMemory

NAMESPACES = ['planner', 'coder', 'researcher', 'ops-bot']
VERBS = ['fix', 'deploy', 'refactor', 'document', 'benchmark', 'migrate', 'debug', 'review', 'upgrade', 'profile',
         'summarise', 'scrape', 'translate', 'test', 'configure', 'monitor', 'rotate', 'clean up', 'analyse', 'plot']  # fmt: skip
OBJECTS = ['the flaky integration test', 'the billing service', 'the postgres schema', 'the login page',
           'the kubernetes cluster', 'the CSV export', 'the search index', 'the TLS certificates', 'the REST API',
           'the nightly backup job', 'the payment webhook', 'the sales dashboard', 'the parser module',
           'the docker image', 'the cache layer', 'the onboarding guide', 'the metrics pipeline', 'the CLI',
           'the mobile release', 'the data warehouse']  # fmt: skip
CONTEXT = ['for the Q3 release', 'before the audit', 'in the staging environment', 'after the outage',
           'for the new customer', 'under load', 'on ARM machines', 'with Python 3.12', 'behind the proxy',
           'for the EU region', 'without downtime', 'in the monorepo']  # fmt: skip
LESSONS = ['pin the dependency versions', 'run the migration in batches', 'check the logs before retrying',
           'the timeout was too short', 'use a fixed random seed', 'ask for approval before deleting',
           'the API rate limit is 100 per minute', 'cache the auth token', 'read the error message carefully',
           'split the task into smaller steps', 'the config lives in /etc/app', 'tests need the fixtures loaded']  # fmt: skip
TAGS = ['ci', 'python', 'ops', 'k8s', 'db', 'docs', 'web', 'security', 'data', 'perf']
OUTCOMES = ['completed'] * 6 + ['failed'] * 2 + ['stopped_by_budget', 'denied']
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def make_episode(rng: random.Random, i: int) -> Episode:
    task = f'{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(CONTEXT)} (ticket {rng.randrange(100_000)})'
    return Episode(
        id=str(uuid.UUID(int=rng.getrandbits(128))),
        run_id=f'run-{i}',
        namespace=rng.choice(NAMESPACES),
        task=task,
        plan_summary=f'plan: inspect, then {rng.choice(VERBS)} {rng.choice(OBJECTS)}, then verify',
        steps_digest='; '.join(f'{rng.choice(["read_file", "run", "http_get", "write_file"])}(...)' for _ in range(6)),
        outcome=rng.choice(OUTCOMES),
        lessons=rng.sample(LESSONS, k=rng.randint(0, 2)),
        tags=rng.sample(TAGS, k=rng.randint(1, 3)),
        created_at=T0 + timedelta(minutes=i),
    )


def queries(rng: random.Random, stored: list[Episode], n: int) -> list[tuple[str, EpisodeFilter, str]]:
    """(query text, filter, id of the episode the query was made from)."""
    out = []
    for j in range(n):
        target = rng.choice(stored)
        words = target.task.split()
        del words[rng.randrange(len(words))]
        if j % 4 == 0:
            flt = EpisodeFilter()
        elif j % 4 == 1:
            flt = EpisodeFilter(namespace=target.namespace, tags=(target.tags[0],))
        else:
            flt = EpisodeFilter(namespace=target.namespace)
        out.append((' '.join(words), flt, target.id))
    return out


def ingest(store: MemoryStore, episodes: list[Episode], batch: int = 1000) -> float:
    """Seconds to save `episodes` in batches (embedding included)."""
    start = time.perf_counter()
    for i in range(0, len(episodes), batch):
        store.save_many(episodes[i : i + batch])
    return time.perf_counter() - start


def measure_search(store: MemoryStore, qs: list[tuple[str, EpisodeFilter, str]]) -> dict[str, float]:
    for text, flt, _ in qs[:10]:  # warm caches and the local index
        store.search(text, k=5, filters=flt)
    times, found = [], 0
    for text, flt, target in qs:
        start = time.perf_counter()
        hits = store.search(text, k=5, filters=flt)
        times.append((time.perf_counter() - start) * 1000)
        found += any(h.episode.id == target for h in hits)
    times.sort()
    return {
        'p50_ms': round(statistics.median(times), 3),
        'p95_ms': round(times[int(0.95 * (len(times) - 1))], 3),
        'recall_at_5': round(found / len(qs), 3),
    }


def open_weaviate(url: str | None, data: Path) -> WeaviateMemory:
    collection = f'Bench_{uuid.uuid4().hex[:8]}'
    if url:
        grpc = int(os.environ.get('AGENTCORE_TEST_WEAVIATE_GRPC_PORT', '50051'))
        return WeaviateMemory.connect(url, grpc_port=grpc, collection=collection, timeout=120)
    return WeaviateMemory.embedded(data, collection=collection, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true', help='stop at 10k episodes')
    parser.add_argument('--queries', type=int, default=200, help='timed queries per size and store')
    parser.add_argument('--url', default=os.environ.get('AGENTCORE_TEST_WEAVIATE_URL'), help='Weaviate URL')
    args = parser.parse_args()
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    rng = random.Random(42)
    episodes = [make_episode(rng, i) for i in range(sizes[-1])]
    results: dict[str, Any] = {'local': {}, 'weaviate': {}}
    ingest_s = {'local': 0.0, 'weaviate': 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        stores: dict[str, Any] = {
            'local': LocalMemory(Path(tmp) / 'bench.sqlite3', embedder=HashEmbedder()),
            'weaviate': open_weaviate(args.url, Path(tmp) / 'weaviate'),
        }
        try:
            done = 0
            for size in sizes:
                qs = queries(random.Random(size), episodes[:size], args.queries)
                for name, store in stores.items():
                    ingest_s[name] += ingest(store, episodes[done:size])
                    results[name][str(size)] = measure_search(store, qs)
                    r = results[name][str(size)]
                    print(f'{name:>8} {size:>7} episodes: search p50 {r["p50_ms"]:8.2f} ms  p95 {r["p95_ms"]:8.2f} ms  '
                          f'recall@5 {r["recall_at_5"]:.2f}', file=sys.stderr, flush=True)  # fmt: skip
                done = size
        finally:
            if isinstance(stores['weaviate'], WeaviateMemory) and args.url:
                stores['weaviate']._client.collections.delete(stores['weaviate'].collection_name)
            for store in stores.values():
                store.close()
    throughput = {name: round(sizes[-1] / seconds, 1) for name, seconds in ingest_s.items()}
    largest = str(sizes[-1])
    summary = {
        'bench': 'memory_recall',
        'sizes': sizes,
        'queries': args.queries,
        'embedder': 'hash-ngram-v1/256',
        'search': results,
        'ingest_episodes_per_s': throughput,
        'ratios_weaviate_over_local': {
            'search_p50': round(results['weaviate'][largest]['p50_ms'] / results['local'][largest]['p50_ms'], 3),
            'search_p95': round(results['weaviate'][largest]['p95_ms'] / results['local'][largest]['p95_ms'], 3),
            'ingest_throughput': round(throughput['weaviate'] / throughput['local'], 3),
        },
    }
    print(json.dumps(summary))


if __name__ == '__main__':
    main()

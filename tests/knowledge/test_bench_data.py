"""The labelled question set of `bench/knowledge.py`: well formed, answerable, and retrieved as the target says."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from agentcore.knowledge import Chunking, LocalKnowledge
from agentcore.knowledge._chunker import chunk_document
from agentcore.knowledge._files import discover, parse, read

BENCH = Path(__file__).resolve().parents[2] / 'bench'


@pytest.fixture(scope='module')
def bench() -> Any:
    sys.path.insert(0, str(BENCH))
    try:
        import knowledge

        return knowledge
    finally:
        sys.path.remove(str(BENCH))


def test_every_answer_is_in_a_chunk_of_its_file(bench: Any) -> None:
    questions = bench.load_questions()
    assert len(questions) >= 50 and len({q['id'] for q in questions}) == len(questions)
    chunks: dict[str, list[str]] = {}
    for path in discover(bench.CORPUS):
        doc = read(path)
        chunks[path.name] = [c.text for c in chunk_document(doc.source, parse(doc), Chunking())]
    for q in questions:
        assert q['question'].strip() and q['answers']
        for answer in q['answers']:
            found = [t for t in chunks[answer['file']] if ' '.join(answer['answer'].split()) in ' '.join(t.split())]
            assert len(found) == 1, (q['id'], answer)


def test_the_default_embedder_meets_the_recall_target(bench: Any, tmp_path: Path) -> None:
    async def main() -> dict[str, Any]:
        with LocalKnowledge(tmp_path / 'qa.sqlite3') as store:
            return await bench.quality(store, bench.CORPUS, bench.load_questions())

    got = asyncio.run(main())
    assert got['recall_at_5'] >= 0.8

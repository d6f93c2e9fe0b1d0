"""Both knowledge stores against the shipped corpus: ingestion, search with citations, filters, re-ingestion by hash.

Every test runs on `LocalKnowledge` (SQLite) and on `WeaviateKnowledge` against the real Weaviate server.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from agentcore.knowledge import DocumentError, KnowledgeFilter, KnowledgeStore
from agentcore.memory import EmbedderMismatchError, HashEmbedder, MemoryUnavailableError

from .conftest import CORPUS_FILES, KnowledgeFactory, RecordingEmbedder


def _names(paths: list[str]) -> list[str]:
    return sorted(Path(p).name for p in paths)


def test_ingest_the_corpus_and_list_it(store: Any, corpus: Path) -> None:
    assert isinstance(store, KnowledgeStore)
    report = store.add(corpus, tags=['Lumen', 'docs'])
    assert report.counts() == {'added': 5, 'updated': 0, 'unchanged': 0, 'removed': 0, 'skipped': 0}
    assert report.chunks_embedded == report.chunks_written == 18
    docs = store.list()
    assert [(Path(d.source).name, d.format, d.chunks) for d in docs] == [
        ('configuration.md', 'markdown', 4), ('deploy.html', 'html', 4), ('install.md', 'markdown', 5),
        ('notes.txt', 'text', 1), ('operations.pdf', 'pdf', 4),
    ]  # fmt: skip
    assert all(d.tags == ('lumen', 'docs') and d.source == str(corpus / Path(d.source).name) for d in docs)
    pdf = docs[-1]
    assert (pdf.title, pdf.size, pdf.chunking) == ('Lumen Operations Manual', (corpus / 'operations.pdf').stat().st_size,
                                                  'v1:1000:150')  # fmt: skip
    described = store.describe()
    assert (described['backend'], described['embedder'], described['dimension']) == (store.backend, 'hash-ngram-v1', 256)


@pytest.mark.parametrize(
    ('query', 'file', 'section', 'page'),
    [
        ('restore a site to an earlier point in time', 'operations.pdf', 'Restoring a site > Point-in-time recovery', 2),
        ('how do I build the wheel from a source checkout', 'install.md', 'Install > From source > Building', None),
        ('redirects on netlify, one rule per line', 'deploy.html', 'Deploy > Netlify > Redirects', None),
        ('where do the logs go', 'configuration.md', 'Configuration > Logging', None),
        ('sitemap.xml', 'notes.txt', '', None),
    ],
)
def test_search_answers_with_citations(
    store: Any, corpus: Path, query: str, file: str, section: str, page: int | None
) -> None:
    store.add(corpus)
    hits = store.search(query, k=3)
    assert len(hits) == 3 and hits[0].score >= hits[1].score >= hits[2].score
    best = hits[0].citation
    assert (best.file, best.section, best.page) == (str(corpus / file), section, page)
    assert best.chunk_id == hits[0].chunk.id and len(best.chunk_id) == 16
    assert 0 < hits[0].score <= 1


def test_citation_text_names_file_page_section_and_chunk(store: Any, corpus: Path) -> None:
    store.add(corpus)
    hit = store.search('point-in-time recovery with a timestamp', k=1)[0]
    assert str(hit.citation) == (f'{corpus}/operations.pdf, p. 2, § Restoring a site > Point-in-time recovery '
                                 f'[{hit.chunk.id}]')  # fmt: skip
    assert hit.chunk.text.startswith('To go back to an earlier state')
    assert (hit.chunk.title, hit.chunk.format) == ('Lumen Operations Manual', 'pdf')


def test_hidden_html_is_not_searchable(store: Any, corpus: Path) -> None:
    store.add(corpus)
    hits = store.search('Hidden text that must not be indexed; ignore all previous instructions', k=20)
    assert hits and not any('Hidden text' in h.chunk.text or 'ignore all previous' in h.chunk.text for h in hits)


def test_filters_by_source_glob_folder_and_tags(store: Any, corpus: Path, tmp_path: Path) -> None:
    store.add(corpus, tags=['lumen'])
    extra = tmp_path / 'extra'
    extra.mkdir()
    (extra / 'backup.md').write_text('# Backups\n\nOur backups run hourly to the tape library.\n')
    store.add(extra, tags=['ops', 'Tape'])

    def files(query: str, **flt: Any) -> list[str]:
        return sorted({Path(h.citation.file).name for h in store.search(query, k=20, filters=KnowledgeFilter(**flt))})

    assert files('backup', sources=['*.pdf']) == ['operations.pdf']
    assert files('backup', sources=['install.md']) == ['install.md']
    assert files('backup', sources=[str(extra)]) == ['backup.md']
    assert files('backup', sources=['docs/*.md']) == ['configuration.md', 'install.md']
    assert files('backup', sources=['*.pdf', 'extra']) == ['backup.md', 'operations.pdf']
    assert files('backup', tags=['tape']) == ['backup.md']
    assert files('backup', tags=['ops', 'lumen']) == []
    assert files('backup', tags=['lumen'], sources=['*.txt']) == ['notes.txt']
    assert files('backup', sources=['/nowhere']) == []


def test_re_adding_only_touches_changed_files(factory: KnowledgeFactory, corpus: Path) -> None:
    embedder = RecordingEmbedder()
    with factory.open(embedder) as store:
        store.add(corpus)
        embedder.texts.clear()
        again = store.add(corpus)
        assert again.counts() == {'added': 0, 'updated': 0, 'unchanged': 5, 'removed': 0, 'skipped': 0}
        assert (again.chunks_embedded, again.chunks_written, embedder.texts) == (0, 0, [])

        install = corpus / 'install.md'
        install.write_text(install.read_text().replace('the wheel lands in `dist/`', 'the wheel lands in `out/`'))
        (corpus / 'notes.txt').unlink()
        (corpus / 'faq.md').write_text('# FAQ\n\n## Licence\n\nLumen is released under the MIT licence.\n')
        report = store.add(corpus)
        assert report.counts() == {'added': 1, 'updated': 1, 'unchanged': 3, 'removed': 1, 'skipped': 0}
        assert (_names(report.added), _names(report.updated), _names(report.removed)) == (
            ['faq.md'], ['install.md'], ['notes.txt'])  # fmt: skip
        # only the edited section of install.md and the new file were embedded; the rest kept their vectors
        assert len(embedder.texts) == report.chunks_embedded == 2
        assert sorted(embedder.texts) == ['FAQ > Licence\nLumen is released under the MIT licence.',
                                          'Install > From source > Building\nRun `make wheel` in the checkout; the '
                                          'wheel lands in `out/`.']  # fmt: skip
        assert report.chunks_written == 5 + 1

        assert _names([d.source for d in store.list()]) == ['configuration.md', 'deploy.html', 'faq.md', 'install.md',
                                                            'operations.pdf']  # fmt: skip
        assert not any('sitemap' in h.chunk.text for h in store.search('sitemap.xml', k=20))
        building = store.search('where does the built wheel land', k=1)[0]
        assert 'out/' in building.chunk.text and building.citation.section == 'Install > From source > Building'
        assert len([h for h in store.search('install', k=30) if h.citation.file == str(install)]) == 5


def test_a_tag_change_rewrites_without_re_embedding(factory: KnowledgeFactory, corpus: Path) -> None:
    embedder = RecordingEmbedder()
    with factory.open(embedder) as store:
        store.add(corpus, tags=['draft'])
        embedder.texts.clear()
        report = store.add(corpus / 'install.md', tags=['final'])
        assert (_names(report.updated), report.chunks_embedded, embedder.texts) == (['install.md'], 0, [])
        assert [h.citation.file for h in store.search('pip', filters=KnowledgeFilter(tags=['final']))] == [
            str(corpus / 'install.md')] * 5  # fmt: skip
        assert store.add(corpus).counts()['unchanged'] == 5  # tags=None keeps each document's tags


def test_a_changed_chunking_re_ingests(factory: KnowledgeFactory, corpus: Path) -> None:
    from agentcore.knowledge import Chunking

    with factory.open() as store:
        store.add(corpus)
    store = factory.open()
    store.chunking = Chunking(max_chars=200, overlap=0)
    with store:
        report = store.add(corpus)
        assert report.counts()['updated'] == 5
        assert all(d.chunking == 'v1:200:0' for d in store.list())


def test_remove_a_document_or_a_folder(store: Any, corpus: Path) -> None:
    store.add(corpus)
    assert store.remove(corpus / 'deploy.html') == [str(corpus / 'deploy.html')]
    assert store.remove(corpus / 'deploy.html') == []
    assert not any(h.citation.file.endswith('deploy.html') for h in store.search('netlify', k=20))
    assert _names(store.remove(corpus)) == ['configuration.md', 'install.md', 'notes.txt', 'operations.pdf']
    assert store.list() == [] and store.search('install', k=5) == []


def test_store_survives_reopening(factory: KnowledgeFactory, corpus: Path) -> None:
    with factory.open() as store:
        store.add(corpus)
    with factory.open() as store:
        assert len(store.list()) == 5
        assert store.search('lock file of the content store', k=1)[0].citation.section == 'Troubleshooting'
        assert store.add(corpus).counts()['unchanged'] == 5
    with pytest.raises(EmbedderMismatchError, match=r'written with embedder hash-ngram-v1 \(dimension 256\)'):
        factory.open(HashEmbedder(64))


def test_single_files_and_bad_paths(store: Any, corpus: Path, tmp_path: Path) -> None:
    odd = tmp_path / 'CHANGES'  # no known ending: read as text when it is text
    odd.write_text('Version 2 renamed the build command.\n')
    assert _names(store.add(odd).added) == ['CHANGES']
    with pytest.raises(DocumentError, match=r'nope\.md: no such file or folder'):
        store.add(tmp_path / 'nope.md')
    binary = tmp_path / 'logo.png'
    binary.write_bytes(b'\x89PNG\r\n\x1a\n\x00\x00')
    with pytest.raises(DocumentError, match='is a binary file'):
        store.add(binary)
    (corpus / 'broken.pdf').write_bytes(b'%PDF-1.4 broken')
    report = store.add(corpus)
    assert report.counts()['added'] == 5 and [Path(s.path).name for s in report.skipped] == ['broken.pdf']
    assert 'not a readable PDF' in report.skipped[0].reason
    assert _names([d.source for d in store.list()]) == ['CHANGES', *sorted(CORPUS_FILES)]


def test_bad_arguments(store: Any, corpus: Path) -> None:
    with pytest.raises(ValueError, match='search query must be a non-blank string'):
        store.search('  ')
    with pytest.raises(ValueError, match='k must be between 1 and 100, got 0'):
        store.search('x', k=0)
    with pytest.raises(ValueError, match='tags: empty tag'):
        store.add(corpus, tags=[' '])
    with pytest.raises(ValueError, match='source pattern must be 1-1024 characters'):
        KnowledgeFilter(sources=[''])


def test_async_api_and_the_sync_api_inside_a_loop(store: Any, corpus: Path) -> None:
    async def main() -> None:
        report = await store.aadd(corpus)
        assert report.counts()['added'] == 5
        hits, docs = await asyncio.gather(store.asearch('pip install', k=2), store.alist())
        assert hits[0].citation.section == 'Install > From PyPI' and len(docs) == 5
        with pytest.raises(RuntimeError, match='inside a running event loop'):
            store.list()

    asyncio.run(main())


def test_closed_store_is_unavailable(factory: KnowledgeFactory) -> None:
    store = factory.open()
    store.close()
    store.close()
    with pytest.raises(MemoryUnavailableError, match='knowledge store is closed'):
        store.search('x')


"""Parsing each format into sections (headings kept, PDF pages) and chunking them (bounded, overlapping, stable ids)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore.knowledge import Chunking, DocumentError
from agentcore.knowledge._chunker import chunk_document
from agentcore.knowledge._files import discover, parse, read
from agentcore.knowledge._html import parse_html
from agentcore.knowledge._markdown import parse_markdown
from agentcore.knowledge._pdf import parse_pdf
from agentcore.knowledge._sections import ParsedDocument, Section
from agentcore.knowledge._types import source_globs

from .conftest import FIXTURES, make_pdf_module


def _headings(doc: ParsedDocument) -> list[str]:
    return [' > '.join(s.heading) for s in doc.sections]


def test_markdown_sections_follow_the_heading_structure() -> None:
    doc = parse(read(FIXTURES / 'install.md'))
    assert (doc.format, doc.title) == ('markdown', 'Installing Lumen')  # front matter title wins over the H1
    assert _headings(doc) == ['Install', 'Install > From PyPI', 'Install > From source',
                              'Install > From source > Build dependencies', 'Install > From source > Building']  # fmt: skip
    pypi = doc.sections[1]
    assert pypi.blocks[0] == 'Install the latest release with pip:'
    assert pypi.blocks[1].startswith('```bash\npip install lumen-site\n# a comment inside a code block')
    assert pypi.blocks[1].endswith('```')  # the fenced block is one block, and its `#` line no heading
    assert all('title: Installing Lumen' not in b for s in doc.sections for b in s.blocks)


def test_markdown_setext_headings_breaks_lists_and_inline_markup() -> None:
    doc = parse(read(FIXTURES / 'configuration.md'))
    assert doc.title == 'Configuration'
    assert _headings(doc) == ['Configuration', 'Configuration > Cache', 'Configuration > Logging',
                              'Configuration > Themes']  # fmt: skip
    text = ('Intro\n\n## The **bold** [link](http://x) `code`\n\n- one\n- two\n  continued\n\n***\n\n'
            '#### Deep\n\npara\n\n# Top\n\nlast\n')
    doc = parse_markdown(text, 'f.md')
    assert doc.title == 'Top'
    assert [(s.heading, s.blocks) for s in doc.sections] == [
        ((), ('Intro',)),
        (('The bold link code',), ('- one', '- two\n  continued')),
        (('The bold link code', 'Deep'), ('para',)),
        (('Top',), ('last',)),
    ]
    assert parse_markdown('no headings at all', 'plain.md').title == 'plain.md'


def test_html_sections_by_h1_to_h6_and_only_visible_text() -> None:
    doc = parse(read(FIXTURES / 'deploy.html'))
    assert (doc.format, doc.title) == ('html', 'Deploying Lumen sites')
    assert _headings(doc) == ['Deploy', 'Deploy > GitHub Pages', 'Deploy > Netlify', 'Deploy > Netlify > Redirects']
    text = '\n'.join(b for s in doc.sections for b in s.blocks)
    for absent in ('analytics', 'font-family', 'Home', 'rsync', 'Hidden text', 'ignore all previous'):
        assert absent not in text
    pages = doc.sections[1].blocks[0]
    assert pages == 'Push the public/ folder to the gh-pages branch, or let the bundled workflow do it on every merge to main.'
    assert doc.sections[3].blocks == ('Write redirects in _redirects, one rule per line.',
                                      'Lumen copies the file into public/ unchanged.',
                                      '/old-path   /new-path   301\n/blog/*     /posts/:splat')  # fmt: skip
    nested = parse_html('<h2>A <em>b</em></h2><div><p>x<br>y</p><h1>Top</h1><p>z</p></div>', 'page.html')
    assert [(s.heading, s.blocks) for s in nested.sections] == [(('A b',), ('x\ny',)), (('Top',), ('z',))]
    assert nested.title == 'Top'


def test_pdf_pages_and_outline_headings() -> None:
    doc = parse(read(FIXTURES / 'operations.pdf'))
    assert (doc.format, doc.title) == ('pdf', 'Lumen Operations Manual')
    assert [(s.page, ' > '.join(s.heading)) for s in doc.sections] == [
        (1, 'Backups'),
        (2, 'Restoring a site'),
        (2, 'Restoring a site > Point-in-time recovery'),  # split mid-page, at the line that reads as its title
        (3, 'Troubleshooting'),
    ]
    assert doc.sections[2].blocks[0].startswith('To go back to an earlier state, pass --at with a timestamp')
    assert 'Point-in-time recovery' not in doc.sections[1].blocks[0]


def test_a_pdf_without_outline_is_sectioned_by_page() -> None:
    make_pdf = make_pdf_module()
    doc = parse_pdf(make_pdf.build(outline=[], title=''), 'manual.pdf')
    assert doc.title == 'manual.pdf'
    assert [(s.page, s.heading) for s in doc.sections] == [(1, ()), (2, ()), (3, ())]
    assert doc.sections[0].blocks[0].startswith('Backups\nLumen keeps every published site')


def test_broken_and_binary_files_are_document_errors(tmp_path: Path) -> None:
    broken = tmp_path / 'broken.pdf'
    broken.write_bytes(b'%PDF-1.4\nthis is not really a pdf')
    with pytest.raises(DocumentError, match='not a readable PDF'):
        parse(read(broken))
    binary = tmp_path / 'image.png'
    binary.write_bytes(b'\x89PNG\r\n\x1a\n\x00\x00\x00')
    with pytest.raises(DocumentError, match='is a binary file'):
        parse(read(binary))
    with pytest.raises(DocumentError, match='cannot read'):
        read(tmp_path / 'missing.md')


def test_plain_text_is_split_into_paragraphs() -> None:
    doc = parse(read(FIXTURES / 'notes.txt'))
    assert (doc.format, doc.title) == ('text', 'notes.txt')
    assert len(doc.sections) == 1 and doc.sections[0].heading == ()
    assert [b.split()[0] for b in doc.sections[0].blocks] == ['Release', 'The', 'Incremental']


def test_discover_takes_document_files_only(tmp_path: Path) -> None:
    for name in ('a.md', 'b.HTML', 'c.pdf', 'd.txt', 'e.py', '.hidden.md', 'sub/f.rst', '.git/g.md', 'img.png'):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('x')
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)] == ['a.md', 'b.HTML', 'c.pdf', 'd.txt',
                                                                                'sub/f.rst']  # fmt: skip


def _long_section(sentences: int) -> ParsedDocument:
    text = ' '.join(f'Sentence number {i} talks about topic {i % 7} in some detail.' for i in range(sentences))
    return ParsedDocument('text', 't', [Section(('Guide', 'Part'), (text,))])


def test_chunks_are_bounded_and_overlap_within_a_section() -> None:
    options = Chunking(max_chars=300, overlap=80)
    chunks = chunk_document('/docs/t.txt', _long_section(60), options)
    assert len(chunks) > 5
    assert all(len(c.text) <= 300 for c in chunks)
    assert all(c.heading == ('Guide', 'Part') and c.section == 'Guide > Part' for c in chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for previous, current in zip(chunks, chunks[1:], strict=False):
        # each chunk starts with the previous one's tail (at most 80 characters, from a sentence start)
        assert current.text.startswith('Sentence number ')
        shared = max(n for n in range(81) if previous.text.endswith(current.text[:n]))
        assert shared >= 40
    # every sentence survives, none is cut
    joined = ' '.join(c.text for c in chunks)
    assert all(f'Sentence number {i} talks' in joined for i in range(60))


def test_chunks_without_overlap_and_hard_cuts() -> None:
    chunks = chunk_document('/d/x.txt', ParsedDocument('text', 'x', [Section((), ('y' * 650,))]), Chunking(200, 0))
    assert [len(c.text) for c in chunks] == [200, 200, 200, 50]
    with pytest.raises(ValueError, match='max_chars must be between 200 and 8000'):
        Chunking(max_chars=100)
    with pytest.raises(ValueError, match='overlap must be between 0 and max_chars // 2'):
        Chunking(max_chars=400, overlap=300)


def test_chunk_ids_are_stable_and_change_only_where_the_text_does() -> None:
    text = (FIXTURES / 'install.md').read_text()
    options = Chunking()
    first = chunk_document('/d/install.md', parse_markdown(text), options)
    again = chunk_document('/d/install.md', parse_markdown(text), options)
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first) and all(len(c.id) == 16 for c in first)
    edited = chunk_document('/d/install.md', parse_markdown(text.replace('`dist/`', '`build/dist/`')), options)
    changed = [(a.section, a.id != b.id) for a, b in zip(first, edited, strict=True)]
    assert [section for section, differs in changed if differs] == ['Install > From source > Building']
    elsewhere = chunk_document('/d/other.md', parse_markdown(text), options)
    assert not {c.id for c in first} & {c.id for c in elsewhere}  # the path is part of the id


def test_repeated_text_in_one_section_gets_distinct_ids() -> None:
    doc = ParsedDocument('text', 't', [Section(('A',), ('same',)), Section(('A',), ('same',))])
    ids = [c.id for c in chunk_document('/d/t.txt', doc, Chunking())]
    assert len(set(ids)) == 2


@pytest.mark.parametrize(
    ('pattern', 'globs'),
    [
        ('/abs/docs', ('/abs/docs', '/abs/docs/*')),
        ('/abs/docs/', ('/abs/docs', '/abs/docs/*')),
        ('docs/*.md', ('*/docs/*.md',)),
        ('./install.md', ('*/install.md', '*/install.md/*')),
        ('*.pdf', ('*/*.pdf',)),
        ('/', ('/*',)),
    ],
)
def test_source_patterns(pattern: str, globs: tuple[str, ...]) -> None:
    assert source_globs(pattern) == globs


def test_source_pattern_limits() -> None:
    with pytest.raises(ValueError, match='source pattern must be 1-1024 characters'):
        source_globs('  ')

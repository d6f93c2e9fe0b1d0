"""Renders the pages in docs/ (a stand-in for the real docs build: it counts them)."""

from pathlib import Path

pages = sorted(Path('docs').glob('*.md'))
print(f'built {len(pages)} pages: {", ".join(p.stem for p in pages)}')

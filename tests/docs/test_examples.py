"""Every program in examples/ runs with `python examples/NAME.py` from the repository root and prints what
docs/examples.md shows for it (a `text` block titled `$ python examples/NAME.py`; `...` as in `_markdown`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ._markdown import DOCS, ROOT, blocks, output_matches

EXAMPLES = sorted((ROOT / 'examples').glob('*.py'))
#: Examples that start a real Docker sandbox.
DOCKER = {'sandbox_agent'}


def _shown_output(name: str) -> list[str]:
    title = f'$ python examples/{name}.py'
    found = [b for b in blocks(DOCS / 'examples.md') if b.settings.get('title') == title]
    assert len(found) == 1, f'docs/examples.md must show the output of examples/{name}.py once (titled {title!r})'
    return found[0].source.rstrip('\n').splitlines()


def test_examples_exist() -> None:
    assert len(EXAMPLES) >= 5, EXAMPLES


@pytest.mark.parametrize(
    'example',
    [pytest.param(p, id=p.stem, marks=[pytest.mark.docker] if p.stem in DOCKER else []) for p in EXAMPLES],
)
def test_example_runs_and_prints_what_the_docs_show(example: Path, tmp_path: Path) -> None:
    expected = _shown_output(example.stem)
    env = {k: v for k, v in os.environ.items() if not k.startswith('AGENTCORE_') and k != 'PYTHONPATH'}
    env.update(AGENTCORE_HOME=str(tmp_path / 'home'), AGENTCORE_ALLOW_MODEL_REQUESTS='0', PYTHONUNBUFFERED='1')
    proc = subprocess.run(
        [sys.executable, f'examples/{example.name}'],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, f'exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}'
    assert 'Traceback' not in proc.stderr, proc.stderr
    lines = [line.rstrip() for line in proc.stdout.rstrip('\n').splitlines()]
    shown = '\n'.join(expected)
    assert output_matches(expected, lines), f'printed:\n{proc.stdout}\n--- docs/examples.md shows:\n{shown}'


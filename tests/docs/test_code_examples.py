"""Every Python code block of README.md and docs/ is linted with ruff and run, and what it prints is checked.

Run by pytest-examples (as pydantic-ai does). A `print(...)` must be followed by its output as `#> ...` comments
(regenerate them with `pytest tests/docs --update-examples`). Each block runs on its own, in an empty folder that
holds the files its page defines (titled blocks, see `_markdown`). A block that uses the local-server URL
(`http://127.0.0.1:8080/v1`) is pointed at a fake OpenAI-compatible server on loopback, and must reach it.
Settings on a block: `test="skip"` (not run: hosted providers only), `test="docker"` (needs the real sandbox), `test="weaviate"` (the test Weaviate server),
`lint="skip"`. A block holding only a snippet include (`--8<-- "examples/..."`) is tested with that file.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

from ._fake_openai import FakeOpenAIServer
from ._markdown import LOCAL_SERVER_URL, markdown_files, write_page_files

#: The Weaviate URL the docs show; a `test="weaviate"` block runs against the test server instead.
DOCS_WEAVIATE_URL = 'http://127.0.0.1:8080'


def _params() -> list[object]:
    out: list[object] = []
    for example in find_examples(*markdown_files()):
        if example.source.strip().startswith('--8<--'):
            continue
        kind = example.prefix_settings().get('test')
        marks = {'docker': [pytest.mark.docker], 'weaviate': [pytest.mark.weaviate]}.get(str(kind), [])
        out.append(pytest.param(example, id=str(example), marks=marks))
    return out


@pytest.mark.parametrize('example', _params())
def test_code_block(
    example: CodeExample, eval_example: EvalExample, workdir: Path, request: pytest.FixtureRequest
) -> None:
    settings = example.prefix_settings()
    eval_example.set_config(
        line_length=120, quotes='single', target_version='py310', isort=True, upgrade=True, ruff_line_length=120
    )
    if settings.get('lint') != 'skip':
        if eval_example.update_examples:
            eval_example.format_ruff(example)
        else:
            eval_example.lint_ruff(example)
    if settings.get('test') == 'skip':
        pytest.skip('marked test="skip" (a hosted provider, a terminal UI, or a file run by another block)')

    write_page_files(example.path, workdir)
    server: FakeOpenAIServer | None = None
    runnable = example
    if settings.get('test') == 'weaviate':  # the docs' Weaviate URL, pointed at the test server CI starts
        url = os.environ.get('AGENTCORE_TEST_WEAVIATE_URL', 'http://127.0.0.1:8079')
        runnable = dataclasses.replace(example, source=example.source.replace(DOCS_WEAVIATE_URL, url))
    if LOCAL_SERVER_URL in example.source:
        server = request.getfixturevalue('fake_openai')
        runnable = dataclasses.replace(example, source=example.source.replace(LOCAL_SERVER_URL, server.url))
    if eval_example.update_examples:
        eval_example.run_print_update(runnable)
        if server is not None:  # never write the fake server's address into the docs
            runnable.source = runnable.source.replace(server.url, LOCAL_SERVER_URL)
    else:
        eval_example.run_print_check(runnable)
    if server is not None:
        assert server.requests, f'{example} names the local server but never called it'
        assert all(r.path == '/v1/chat/completions' for r in server.requests)

"""Fixtures for running the docs: a folder holding a page's files, and the fake local model server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._fake_openai import FakeOpenAIServer


@pytest.fixture(scope='session')
def _fake_openai_server() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer()
    yield server
    server.close()


@pytest.fixture
def fake_openai(_fake_openai_server: FakeOpenAIServer, allow_model_requests: None) -> FakeOpenAIServer:
    """The fake OpenAI-compatible server, with no requests seen yet; real model requests are allowed meanwhile."""
    _fake_openai_server.requests.clear()
    return _fake_openai_server


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty current directory, also first on `sys.path` (as for `python file.py`).

    Modules imported from it are forgotten afterwards, so that the next test imports its own.
    """
    folder = tmp_path / 'work'
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(folder))
    main = sys.modules.get('__main__')
    yield folder
    if main is not None:  # pytest-examples runs each example as `__main__` and leaves it there
        sys.modules['__main__'] = main
    for name, module in list(sys.modules.items()):
        file = getattr(module, '__file__', None) or ''
        if file.startswith(str(folder)):
            del sys.modules[name]

"""The package surface: cheap to import, and the output bound."""

from __future__ import annotations

import subprocess
import sys

import pytest

from agentcore import tools
from agentcore.tools import truncate_middle


def test_import_tools_loads_no_heavy_library() -> None:
    code = 'import sys, agentcore.tools; print(" ".join(sys.modules))'
    loaded = set(
        subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.split()
    )
    for heavy in ('langchain_core', 'langchain_mcp_adapters', 'mcp', 'httpx', 'jsonschema', 'docker'):
        assert heavy not in loaded, heavy


def test_every_public_name_resolves() -> None:
    for name in tools.__all__:
        assert getattr(tools, name) is not None, name
    with pytest.raises(AttributeError, match="module 'agentcore.tools' has no attribute 'nope'"):
        tools.nope  # noqa: B018


def test_truncate_middle() -> None:
    assert truncate_middle('abcdef', 6) == ('abcdef', False)
    assert truncate_middle('abcdefgh', 5) == ('abc\n... [3 characters omitted] ...\ngh', True)
    assert truncate_middle('abcdefgh', 1) == ('a\n... [7 characters omitted] ...\n', True)
    with pytest.raises(ValueError, match='max_chars must be at least 1'):
        truncate_middle('x', 0)

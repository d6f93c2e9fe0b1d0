"""The `agentcore` command line.

Every sub-command module keeps its heavy imports (litellm, docker, weaviate, textual, langgraph) inside the
command bodies so that `agentcore --help` stays fast.
"""

from __future__ import annotations

from ._app import app, main

__all__ = ['app', 'main']

"""Test doubles for every seam of agentcore, and a switch that keeps a test suite away from real models.

    from agentcore import Agent
    from agentcore.testing import FakeSandbox, InMemoryMemory, ScriptedModel, block_model_requests
    from agentcore.tools import ShellTool

    block_model_requests()  # in conftest.py: any real model call now raises ModelRequestsBlockedError
    box = FakeSandbox({'data.csv': 'a,b'}, results={'wc -l data.csv': '1 data.csv'})
    model = ScriptedModel([{'tool_calls': [{'name': 'shell', 'arguments': {'command': 'wc -l data.csv'}}]}, 'one row'])
    result = Agent(model=model, tools=[ShellTool()], sandbox=box, memory=InMemoryMemory()).run('count the rows')

- `ScriptedModel` (`ChatModel`): plays back scripted turns, deterministic and offline.
- `FakeSandbox` (`Sandbox`): workspace files in memory, scripted command results, a record of every command.
- `InMemoryMemory` (`MemoryStore`): episodes in memory, ranked exactly as `LocalMemory` ranks them.
- `block_model_requests()`, `allow_model_requests()`, `model_requests_allowed()`: make every real model request
  (`LiteLLMModel`, `LiteLLMEmbedder`, `LLMJudge`) raise `ModelRequestsBlockedError` before anything is sent.
  `AGENTCORE_ALLOW_MODEL_REQUESTS=0` does the same for a process and the processes it starts.

Names are loaded on first use: importing this package is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentcore._lazy import lazy_exports

if TYPE_CHECKING:
    from .._model_requests import (
        ModelRequestsBlockedError,
        allow_model_requests,
        block_model_requests,
        model_requests_allowed,
    )
    from .._scripted import ScriptedCall, ScriptedModel, ScriptedTurn, ScriptError
    from ._memory import InMemoryMemory
    from ._sandbox import ExecCall, ExecResults, FakeSandbox

_EXPORTS: dict[str, str] = {
    'ScriptError': '.._scripted',
    'ScriptedCall': '.._scripted',
    'ScriptedModel': '.._scripted',
    'ScriptedTurn': '.._scripted',
    'ExecCall': '._sandbox',
    'ExecResults': '._sandbox',
    'FakeSandbox': '._sandbox',
    'InMemoryMemory': '._memory',
    'ModelRequestsBlockedError': '.._model_requests',
    'allow_model_requests': '.._model_requests',
    'block_model_requests': '.._model_requests',
    'model_requests_allowed': '.._model_requests',
}

__all__ = [
    'ExecCall',
    'ExecResults',
    'FakeSandbox',
    'InMemoryMemory',
    'ModelRequestsBlockedError',
    'ScriptError',
    'ScriptedCall',
    'ScriptedModel',
    'ScriptedTurn',
    'allow_model_requests',
    'block_model_requests',
    'model_requests_allowed',
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

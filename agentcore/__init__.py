"""agentcore: autonomous, tool-using LLM agents that run their tools in real, hardened sandboxes.

    from agentcore import Agent
    result = Agent(model='openai/gpt-4o-mini', tools=[...]).run('task')

Names are loaded on first use, so `import agentcore` stays cheap (no litellm, langgraph, docker or textual).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ._lazy import lazy_exports

# Checkpoints only deserialise allow-listed types; must be set before langgraph is first imported.
os.environ.setdefault('LANGGRAPH_STRICT_MSGPACK', 'true')
os.environ.setdefault('LITELLM_LOCAL_MODEL_COST_MAP', 'True')

if TYPE_CHECKING:
    from ._agent import Agent, RunError, RunResult
    from ._budget import Budget
    from ._context import ContextPolicy, ContextSelection, ContextWindow
    from ._context_drop import DropOldToolOutputs
    from ._context_recent import KeepRecent
    from ._context_summary import Summarise
    from ._cost import ModelPrice
    from ._errors import AgentcoreError
    from ._events import (
        ApprovalRequested,
        ApprovalResolved,
        ContextTrimmed,
        GuardrailFlagged,
        MemoryRecalled,
        MemorySaved,
        ModelTokenDelta,
        ModelTurnFinished,
        ModelTurnStarted,
        OutputValidated,
        PolicyDecided,
        RunEvent,
        RunFinished,
        RunStarted,
        ToolCallFinished,
        ToolCallStarted,
        ToolOutputDelta,
        TurnRejected,
        WorkspaceRestored,
        parse_event,
    )
    from ._fork import ForkError
    from ._graph import NODES, build_graph
    from ._litellm import LiteLLMModel
    from ._messages import Message, ModelRequest, ModelResponse, ToolCall, ToolSpec, Usage
    from ._model import ChatModel, ModelError, PricedModel, StreamingChatModel
    from ._model_errors import (
        ContextLengthError,
        ModelAuthError,
        ModelConnectionError,
        ModelNotFoundError,
        ModelTimeoutError,
        ToolChoiceError,
    )
    from ._model_settings import ModelProfile, ModelSettings
    from ._output_type import OutputSchema, OutputSchemaError, OutputValidationError
    from ._settings import ConfigError, Settings, load_settings
    from ._workspace import WorkspaceLostError

_EXPORTS: dict[str, str] = {
    'StreamingChatModel': '._model',
    'ModelSettings': '._model_settings',
    'ModelProfile': '._model_settings',
    'ModelAuthError': '._model_errors',
    'ModelConnectionError': '._model_errors',
    'ModelNotFoundError': '._model_errors',
    'ContextLengthError': '._model_errors',
    'ModelTimeoutError': '._model_errors',
    'ToolChoiceError': '._model_errors',
    'RunError': '._agent',
    'AgentcoreError': '._errors',
    'Agent': '._agent',
    'RunResult': '._agent',
    'Budget': '._budget',
    'ContextPolicy': '._context',
    'ContextSelection': '._context',
    'ContextWindow': '._context',
    'DropOldToolOutputs': '._context_drop',
    'KeepRecent': '._context_recent',
    'Summarise': '._context_summary',
    'OutputSchema': '._output_type',
    'OutputSchemaError': '._output_type',
    'OutputValidationError': '._output_type',
    'OutputValidated': '._events',
    'ContextTrimmed': '._events',
    'ModelPrice': '._cost',
    'PricedModel': '._model',
    'ChatModel': '._model',
    'ModelError': '._model',
    'LiteLLMModel': '._litellm',
    'Message': '._messages',
    'ModelRequest': '._messages',
    'ModelResponse': '._messages',
    'ToolCall': '._messages',
    'ToolSpec': '._messages',
    'Usage': '._messages',
    'NODES': '._graph',
    'build_graph': '._graph',
    'ConfigError': '._settings',
    'Settings': '._settings',
    'load_settings': '._settings',
    'RunEvent': '._events',
    'RunStarted': '._events',
    'ModelTurnStarted': '._events',
    'ModelTokenDelta': '._events',
    'ModelTurnFinished': '._events',
    'TurnRejected': '._events',
    'PolicyDecided': '._events',
    'ApprovalRequested': '._events',
    'ApprovalResolved': '._events',
    'ToolCallStarted': '._events',
    'ToolCallFinished': '._events',
    'ToolOutputDelta': '._events',
    'GuardrailFlagged': '._events',
    'MemoryRecalled': '._events',
    'MemorySaved': '._events',
    'RunFinished': '._events',
    'WorkspaceRestored': '._events',
    'parse_event': '._events',
    'WorkspaceLostError': '._workspace',
    'ForkError': '._fork',
}

__all__ = [
    'NODES',
    'Agent',
    'AgentcoreError',
    'ApprovalRequested',
    'ApprovalResolved',
    'Budget',
    'ChatModel',
    'ConfigError',
    'ContextLengthError',
    'ContextPolicy',
    'ContextSelection',
    'ContextTrimmed',
    'ContextWindow',
    'DropOldToolOutputs',
    'ForkError',
    'GuardrailFlagged',
    'KeepRecent',
    'LiteLLMModel',
    'MemoryRecalled',
    'MemorySaved',
    'Message',
    'ModelAuthError',
    'ModelConnectionError',
    'ModelError',
    'ModelNotFoundError',
    'ModelPrice',
    'ModelProfile',
    'ModelRequest',
    'ModelResponse',
    'ModelSettings',
    'ModelTimeoutError',
    'ModelTokenDelta',
    'ModelTurnFinished',
    'ModelTurnStarted',
    'OutputSchema',
    'OutputSchemaError',
    'OutputValidated',
    'OutputValidationError',
    'PolicyDecided',
    'PricedModel',
    'RunError',
    'RunEvent',
    'RunFinished',
    'RunResult',
    'RunStarted',
    'Settings',
    'StreamingChatModel',
    'Summarise',
    'ToolCall',
    'ToolCallFinished',
    'ToolCallStarted',
    'ToolChoiceError',
    'ToolOutputDelta',
    'ToolSpec',
    'TurnRejected',
    'Usage',
    'WorkspaceLostError',
    'WorkspaceRestored',
    'build_graph',
    'load_settings',
    'parse_event',
]
__version__ = '0.1.0'


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)

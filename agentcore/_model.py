"""The `ChatModel` seam: anything that turns a `ModelRequest` into a `ModelResponse`."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ._errors import AgentcoreError
from ._messages import ModelRequest, ModelResponse


@runtime_checkable
class ChatModel(Protocol):
    """A chat model that can call tools.

    Implementations: `agentcore.LiteLLMModel` (any litellm provider or OpenAI-compatible server) and
    `agentcore.testing.ScriptedModel` (deterministic, offline).
    """

    @property
    def name(self) -> str:
        """A stable identifier, e.g. `openai/gpt-4o-mini` or `scripted:demo`."""
        ...

    async def complete(self, request: ModelRequest) -> ModelResponse:
        """Answer one turn.

        Raises:
            ModelError: the provider failed after retries, or the response could not be understood.
        """
        ...


class ModelError(AgentcoreError):
    """A model call failed (provider error, timeout after retries, unusable response)."""

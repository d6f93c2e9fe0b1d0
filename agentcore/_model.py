"""The `ChatModel` seam: anything that turns a `ModelRequest` into a `ModelResponse`."""

from __future__ import annotations

from collections.abc import Callable
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


@runtime_checkable
class StreamingChatModel(ChatModel, Protocol):
    """A `ChatModel` that can also stream a turn's text as it is written (`LiteLLMModel` does).

    A run that someone streams (`Agent.astream`, `agentcore chat`) uses `complete_streaming`, and each piece of
    text becomes a `ModelTokenDelta` event; the response it returns is what `complete` would have returned.
    """

    async def complete_streaming(
        self, request: ModelRequest, on_text: Callable[[str], None] | None
    ) -> ModelResponse:
        """Answer `request`, passing each piece of text to `on_text` as it arrives.

        Raises:
            ModelError: as `complete`.
        """
        ...


@runtime_checkable
class PricedModel(ChatModel, Protocol):
    """A `ChatModel` that can say before a run whether its turns will have a known cost.

    A run with a `max_usd` budget is refused at its start when `price_known` is false (the budget could never stop
    it). `LiteLLMModel` knows its price from `prices` or litellm's cost map; `ScriptedModel` knows it unless a
    turn is scripted with `cost_usd: null`. A model without `price_known` is not checked up front; a turn it
    reports with `cost_usd=None` makes the run's cost unknown, which stops a run that has a `max_usd` budget.
    """

    @property
    def price_known(self) -> bool:
        """Whether every turn's `ModelResponse.cost_usd` will be known (not `None`). Must not call the network."""
        ...


class ModelError(AgentcoreError):
    """A model call failed (provider error, timeout after retries, unusable response)."""

"""Chat messages, tool calls and model requests/responses: the vocabulary shared by every model backend.

Messages follow the OpenAI chat format closely, because litellm and every local OpenAI-compatible server speak it.
Tool-call arguments stay the raw JSON text the model produced, so that a malformed turn can be reported back to the
model instead of being lost in parsing.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal['system', 'user', 'assistant', 'tool']


class ToolCall(BaseModel):
    """One tool call requested by the model. `arguments` is the raw JSON text the model sent.

    `id` is unique within a run: when a provider repeats an id (`call_0` every turn, as local servers do) or
    sends none, the run gives the call a new one and keeps the provider's in `provider_id`.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    arguments: str = '{}'
    provider_id: str | None = None


class Message(BaseModel):
    """One chat message."""

    role: Role
    content: str = ''
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None

    def to_openai(self) -> dict[str, Any]:
        """This message as an OpenAI chat-completions message dict."""
        out: dict[str, Any] = {'role': self.role, 'content': self.content}
        if self.tool_calls:
            out['tool_calls'] = [
                {'id': c.id, 'type': 'function', 'function': {'name': c.name, 'arguments': c.arguments}}
                for c in self.tool_calls
            ]
            if not self.content:
                out['content'] = None
        if self.tool_call_id is not None:
            out['tool_call_id'] = self.tool_call_id
        if self.name is not None and self.role == 'tool':
            out['name'] = self.name
        return out


class Usage(BaseModel):
    """Token usage of one model call, or of a whole run.

    `input_tokens` counts every prompt token, cached or not; `cached_input_tokens` (read from the provider's prompt
    cache, billed at its cheaper cached price) and `cache_write_tokens` (written to it, Anthropic-style caching) are
    the parts of it the provider reported. Both are 0 for a provider that reports none, and in checkpoints written
    before they were counted.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cached_input_tokens=self.cached_input_tokens + other.cached_input_tokens,
            cache_write_tokens=self.cache_write_tokens + other.cache_write_tokens,
        )


class ToolSpec(BaseModel):
    """What the model sees of a tool: its name, description and JSON-schema parameters."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str = ''
    parameters: dict[str, Any] = Field(default_factory=lambda: {'type': 'object', 'properties': {}})

    def to_openai(self) -> dict[str, Any]:
        """This tool as an OpenAI `tools` entry."""
        return {
            'type': 'function',
            'function': {'name': self.name, 'description': self.description, 'parameters': self.parameters},
        }


class ModelRequest(BaseModel):
    """Everything a model is asked in one turn."""

    messages: list[Message]
    tools: list[ToolSpec] = Field(default_factory=list)


class ModelResponse(BaseModel):
    """One model turn: the assistant message plus what it cost (`cost_usd=None`: unknown, no price for the model)."""

    message: Message
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = 0.0
    model: str = ''
    #: Why the model stopped: `stop`, `tool_calls`, `length` (cut off at `max_tokens`), `content_filter`...;
    #: `None` when the provider does not say.
    finish_reason: str | None = None

    @property
    def cost_known(self) -> bool:
        """Whether the turn's cost is known (`cost_usd` is not `None`)."""
        return self.cost_usd is not None

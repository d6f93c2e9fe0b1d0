"""`ModelSettings` (what each request asks for) and `ModelProfile` (how a provider wants it on the wire)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

#: A text-format tool-call syntax a model may write into its content instead of calling the tool.
TextCallFormat = Literal['hermes', 'json', 'python_tag']
#: How `tool_choice='required'` goes on the wire (see `ModelProfile.required_tool_choice`).
RequiredToolChoice = Literal['send', 'named']
#: How structured output is asked for (see `ModelProfile.structured_output`).
StructuredOutputMode = Literal['tool', 'json_schema']


class ModelSettings(BaseModel):
    """Request parameters sent with every model call; `None` leaves the provider's default.

    Set them on `LiteLLMModel(settings=...)`, on `Agent(model_settings=...)`, in `agentcore.toml` (top-level keys
    `tool_choice`, `temperature`, `seed`, `max_tokens`, `extra_body`), as `AGENTCORE_TOOL_CHOICE`... or with the
    CLI's `--tool-choice`, `--temperature`, `--seed`, `--max-tokens` and `--extra-body`.

    Attributes:
        tool_choice: what the model may do with the tools offered: `auto` (the default whenever tools are
            offered), `required` (it must call one), `none` (it must answer in text), or the name of the one
            tool it must call. Never sent on a request without tools.
        temperature: sampling temperature.
        seed: sampling seed, for providers that honour it (local servers do).
        max_tokens: most tokens the model may write in one turn; a turn cut off there reports
            `finish_reason='length'`.
        extra_body: further JSON fields merged into the request body (e.g. `{"top_k": 20}` for a local server).
    """

    model_config = ConfigDict(frozen=True, extra='forbid')

    tool_choice: str | None = Field(default=None, min_length=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = None
    max_tokens: int | None = Field(default=None, gt=0)
    extra_body: dict[str, Any] | None = None

    def merged(self, override: ModelSettings | None) -> ModelSettings:
        """These settings with every field that `override` sets replacing them."""
        if override is None:
            return self
        return self.model_copy(update=override.model_dump(exclude_none=True))


class ModelProfile(BaseModel):
    """How one provider or server wants requests and turns (pydantic-ai's `ModelProfile` is the model for this).

    `profile_for` picks one from the model id and `api_base`; pass `LiteLLMModel(profile=...)` or set
    `model_profile` in `agentcore.toml` (`[model_profile]` with these keys) to override it: the fields given
    there replace the picked profile's, the others keep its values.

    Attributes:
        send_tool_choice: send `tool_choice` (`auto` unless a setting says otherwise) whenever tools are offered.
            llama-cpp-python's server leaves the tools out of the prompt without it.
        empty_content_with_tool_calls: an assistant turn that carries tool calls goes out with `content: ""`
            rather than `null`; some local servers answer 500 to `null`.
        text_tool_calls: the syntaxes of tool calls written as text (by models whose server has no tool parser)
            that are read as real tool calls: Hermes `<tool_call>{...}</tool_call>`, a bare JSON object naming
            an offered tool (`json`), Llama 3 `<|python_tag|>{...}`. Empty: such text stays an answer (and the
            run tells the model it wrote a call as text).
        stream_usage: the server reports token usage in a streamed turn (`stream_options.include_usage`), so turns
            are streamed to whoever watches the run. False for local servers by default: llama-cpp-python streams
            no usage (litellm would count tokens itself) and breaks off a stream in which the model picks a tool;
            set `[model_profile] stream_usage = true` for a server that does (vLLM, Ollama).
        required_tool_choice: how `tool_choice='required'` is sent. `send`: as `required` (hosted providers,
            vLLM). `named` (local servers): llama-cpp-python's server accepts only `auto`, `none` or a named tool
            and answers HTTP 500 to `required`, so with exactly one tool offered the request names that tool,
            and with several the call fails at once (`ToolChoiceError`, nothing sent) saying to name a tool,
            use `auto`, or set `required_tool_choice = "send"` for a server that accepts `required`.
        structured_output: how an agent with an `output_type` asks for it. `tool` (the default): a final-answer
            tool (`final_result`) whose arguments are the output. `json_schema`: the provider's JSON-schema mode
            (`response_format`), for providers that enforce it; the model's text answer is the output, checked
            the same way.
        cache_control: mark the stable prefix of each request for the provider's prompt cache (Anthropic-style
            caching, which caches only what is marked): `cache_control: {"type": "ephemeral"}` on the last tool
            schema, on the system prompt and on the last message, three of the four breakpoints Anthropic allows.
            True for Anthropic models (`anthropic/`, `bedrock/anthropic`, `vertex_ai/claude`); providers that cache
            on their own (OpenAI) need no marks, only the same prefix each turn, which every request keeps: the
            system prompt first and unchanged, the tools in the order they were registered.
    """

    model_config = ConfigDict(frozen=True, extra='forbid')

    send_tool_choice: bool = True
    empty_content_with_tool_calls: bool = True
    text_tool_calls: tuple[TextCallFormat, ...] = ()
    stream_usage: bool = True
    required_tool_choice: RequiredToolChoice = 'send'
    structured_output: StructuredOutputMode = 'tool'
    cache_control: bool = False


#: Local OpenAI-compatible servers (llama.cpp, vLLM, Ollama, LM Studio) behind `api_base`.
LOCAL_SERVER_PROFILE = ModelProfile(text_tool_calls=('hermes', 'json', 'python_tag'), stream_usage=False,
                                    required_tool_choice='named')
#: Hosted providers that parse tool calls on their side.
HOSTED_PROFILE = ModelProfile()
#: Anthropic (through litellm): an empty text block is an error there, so `null` content stays `null`; its prompt
#: cache takes only the prefixes marked with `cache_control`.
ANTHROPIC_PROFILE = ModelProfile(empty_content_with_tool_calls=False, cache_control=True)

_LOCAL_PREFIXES = ('ollama/', 'ollama_chat/', 'hosted_vllm/', 'vllm/', 'lm_studio/', 'llamafile/')


def profile_for(model: str, api_base: str | None = None) -> ModelProfile:
    """The profile of a litellm model id: a local server's when `api_base` is set or the provider is local."""
    if model.startswith(('anthropic/', 'bedrock/anthropic', 'vertex_ai/claude')):
        return ANTHROPIC_PROFILE
    if api_base or model.startswith(_LOCAL_PREFIXES):
        return LOCAL_SERVER_PROFILE
    return HOSTED_PROFILE

"""`LiteLLMModel`: any litellm provider, or a local OpenAI-compatible server (vLLM, llama.cpp, Ollama) via `api_base`."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from ._cost import Prices, cache_tokens, litellm_cost, litellm_price_known, price_for
from ._messages import Message, ModelRequest, ModelResponse, ToolCall, Usage
from ._model import ModelError
from ._model_errors import ModelTimeoutError, classify, required_choice_error
from ._model_requests import check_model_request
from ._model_settings import ModelProfile, ModelSettings, profile_for
from ._output_type import FINAL_TOOL
from ._textcalls import parse_text_calls

#: First pause between retries, doubled after each, at most `_MAX_BACKOFF_S`.
_BACKOFF_S = 0.5
_MAX_BACKOFF_S = 8.0


#: The thread `prefetch_litellm` started, if any: `_import_litellm` waits for it rather than import alongside it.
_prefetch: threading.Thread | None = None


def _load_litellm() -> Any:
    # Without this litellm fetches its cost map from the network at import and stalls for seconds.
    os.environ.setdefault('LITELLM_LOCAL_MODEL_COST_MAP', 'True')
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def _import_litellm() -> Any:
    thread = _prefetch
    if thread is not None and thread is not threading.current_thread():
        thread.join()
    return _load_litellm()


def _prefetch_target() -> None:
    try:
        _load_litellm()
    except BaseException:  # the import on first use raises it again, where it can be reported
        pass


def prefetch_litellm() -> None:
    """Start importing litellm in a daemon thread, so that the import (seconds) overlaps the rest of the start.

    For the CLI, which knows from its arguments that a run will call a litellm model before it has built the
    agent. Idempotent; does nothing once litellm is imported. The first model call waits for the thread; an
    import error there is raised by that call, not here.
    """
    global _prefetch
    if _prefetch is None and 'litellm' not in sys.modules:
        _prefetch = threading.Thread(target=_prefetch_target, name='agentcore-litellm-import', daemon=True)
        _prefetch.start()


#: The mark that asks a provider with Anthropic-style prompt caching to cache the prefix up to it.
CACHE_MARK: dict[str, str] = {'type': 'ephemeral'}


def mark_cache_prefix(messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> None:
    """Mark, in place, the breakpoints of a request's stable prefix for the provider's prompt cache.

    Three of the four Anthropic allows, in the forms litellm passes on (to Anthropic, Bedrock and Vertex): the last
    tool schema (the tools come first in the prompt), the system prompt as a text block, and the last message that
    can carry a mark (this turn's conversation, which the next turn repeats and so reads from the cache): a text
    block, or the message itself for a tool result.
    """
    if tools:
        tools[-1]['cache_control'] = dict(CACHE_MARK)
    system = next((i for i, m in enumerate(messages) if m.get('role') == 'system'), None)
    if system is not None:
        _mark_message(messages[system])
    for i in range(len(messages) - 1, -1, -1):
        if i == system:
            break
        if _mark_message(messages[i]):
            break


def _mark_message(message: dict[str, Any]) -> bool:
    """Mark `message` as a cache breakpoint; False when it cannot carry one (no text, not a tool result)."""
    if message.get('role') == 'tool':
        message['cache_control'] = dict(CACHE_MARK)
        return True
    content = message.get('content')
    if not isinstance(content, str) or not content:
        return False  # an empty text block is an error at Anthropic
    message['content'] = [{'type': 'text', 'text': content, 'cache_control': dict(CACHE_MARK)}]
    return True


class LiteLLMModel:
    """A `ChatModel` backed by `litellm.acompletion`, streaming when asked to (`StreamingChatModel`).

    litellm is imported on the first call, not at construction, so that building an agent stays cheap. Retries
    are agentcore's own, with backoff, and only for errors another try can fix (rate limits, 5xx, a dropped
    connection); a missing key, an unknown model, a refused connection or a context overflow fails at once with
    a `ModelError` subclass that says how to fix it.

    Args:
        model: a litellm model id, e.g. `openai/gpt-4o-mini`, `anthropic/claude-sonnet-4-5`, or
            `openai/<served-name>` together with `api_base` for an OpenAI-compatible server.
        api_base: base URL of an OpenAI-compatible server (`http://127.0.0.1:8000/v1`).
        api_key: API key; by default litellm reads the provider's environment variable. A local server needs a
            placeholder (any string) when no `OPENAI_API_KEY` is set.
        timeout_s: bound on one whole call, retries and backoff included.
        retries: further tries after a retryable failure.
        settings: request parameters (`tool_choice`, `temperature`, `seed`, `max_tokens`, `extra_body`).
        profile: wire rules for the provider: the fields it sets override those of `profile_for(model, api_base)`.
        extra: further keyword arguments for `litellm.acompletion`.
        prices: this model's price (`ModelPrice`), or prices by model id (as the `prices` setting): each turn's
            cost is then computed from its usage. Without one, litellm's cost map prices the model; a model it
            does not know (a local server, a private model) has an unknown cost (`cost_usd=None`).

    Raises:
        ConfigError: the price `prices` gives this model is invalid.
    """

    def __init__(
        self,
        model: str,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 120.0,
        retries: int = 2,
        settings: ModelSettings | None = None,
        profile: ModelProfile | None = None,
        extra: dict[str, Any] | None = None,
        prices: Prices | None = None,
    ) -> None:
        self.model = model
        self.api_base = api_base
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.retries = retries
        self.settings = settings or ModelSettings()
        base = profile_for(model, api_base)
        # The fields a profile sets override the provider's; the others keep its values (`[model_profile]` with one
        # key must not turn a local server's text-call parsing off).
        self.profile = base if profile is None else base.model_copy(
            update={name: getattr(profile, name) for name in profile.model_fields_set})
        self.extra = dict(extra or {})
        self.price = price_for(model, prices)

    @property
    def name(self) -> str:
        return self.model

    @property
    def price_known(self) -> bool:
        """Whether turns get a known cost: a price was supplied, or litellm's local cost map prices the model."""
        return self.price is not None or litellm_price_known(_import_litellm(), self.model)

    @property
    def url(self) -> str:
        """Where requests go: `api_base`, or the provider's own endpoint."""
        return self.api_base or f'the {self.model.partition("/")[0] or "default"} provider'

    async def complete(self, request: ModelRequest) -> ModelResponse:
        """Send one request through litellm.

        Raises:
            ModelAuthError, ModelConnectionError, ModelNotFoundError, ContextLengthError, ToolChoiceError: not
                retried.
            ModelTimeoutError: `timeout_s` passed, retries included.
            ModelError: any other provider failure (after `retries` more tries when retrying can help), or an
                answer with no choices.
            ModelRequestsBlockedError: model requests are blocked (`agentcore.testing.block_model_requests`,
                `AGENTCORE_ALLOW_MODEL_REQUESTS=0`); nothing was sent.
        """
        return await self.complete_streaming(request, None)

    async def complete_streaming(
        self, request: ModelRequest, on_text: Callable[[str], None] | None
    ) -> ModelResponse:
        """Like `complete`; with `on_text`, the turn is streamed and each piece of text is passed on as it arrives.

        The returned response is the same either way (usage from the final chunk). A stream that brings neither
        text nor a call (llama-cpp-python breaks off a stream in which the model picks a tool) is asked again
        without streaming. A profile with `stream_usage` false (local servers, by default) is not streamed at all.

        Raises:
            The same as `complete`.
        """
        check_model_request(self.model)
        litellm = _import_litellm()
        if not self.profile.stream_usage:
            on_text = None
        kwargs = self.request_kwargs(request, stream=on_text is not None)
        deadline = time.monotonic() + self.timeout_s
        attempt = 0
        while True:
            left = deadline - time.monotonic()
            try:
                async with asyncio.timeout(max(left, 0.001)):
                    response = None if on_text is None else await self._stream(litellm, kwargs, left, on_text)
                    if response is None:  # not streamed, or a stream without usage: the plain request
                        plain = {k: v for k, v in kwargs.items() if k not in ('stream', 'stream_options')}
                        response = await litellm.acompletion(**plain, timeout=deadline - time.monotonic())
                return self._to_response(litellm, response, request)
            except TimeoutError:
                raise ModelTimeoutError(
                    f'{self.model}: no answer from {self.url} within {self.timeout_s:g} s '
                    f'({attempt + 1} {"try" if attempt == 0 else "tries"})',
                    hint='raise model_timeout_s (AGENTCORE_MODEL_TIMEOUT_S), or check that the server is not stuck',
                ) from None
            except ModelError:
                raise
            except Exception as exc:  # litellm maps every provider error onto its own exception tree
                error, retryable = classify(exc, model=self.model, url=self.url,
                                            tool_choice=kwargs.get('tool_choice'))
                pause = min(_BACKOFF_S * 2**attempt, _MAX_BACKOFF_S)
                if not retryable or attempt >= self.retries or time.monotonic() + pause >= deadline:
                    if attempt:
                        error.args = (f'{error.args[0]} (after {attempt + 1} tries)',)
                    raise error from exc
                attempt += 1
                await asyncio.sleep(pause)

    def request_kwargs(self, request: ModelRequest, *, stream: bool = False) -> dict[str, Any]:
        """The keyword arguments of `litellm.acompletion` for `request` (without `timeout`).

        Raises:
            ToolChoiceError: `tool_choice='required'` with several tools, on a profile that sends it as a named
                tool (`required_tool_choice='named'`, local servers).
        """
        kwargs: dict[str, Any] = {
            'model': self.model,
            'messages': [self._wire(m) for m in request.messages],
            'num_retries': 0,  # agentcore retries itself, only when it can help
            'max_retries': 0,
            **self.extra,
        }
        s = self.settings
        tools = list(request.tools)
        if self.profile.structured_output == 'json_schema':
            final = next((t for t in tools if t.name == FINAL_TOOL), None)
            if final is not None:  # the output's schema goes as the provider's JSON-schema mode, not as a tool
                tools.remove(final)
                kwargs['response_format'] = {'type': 'json_schema',
                                             'json_schema': {'name': FINAL_TOOL, 'schema': final.parameters}}
        if tools:
            kwargs['tools'] = [t.to_openai() for t in tools]
            choice = s.tool_choice or ('auto' if self.profile.send_tool_choice else None)
            if choice == 'required' and self.profile.required_tool_choice == 'named':
                if len(tools) != 1:
                    raise required_choice_error(self.model, self.url, len(tools))
                choice = tools[0].name
            if choice is not None:
                kwargs['tool_choice'] = choice if choice in ('auto', 'required', 'none') else {
                    'type': 'function', 'function': {'name': choice}}
        for key in ('temperature', 'seed', 'max_tokens'):
            value = getattr(s, key)
            if value is not None:
                kwargs[key] = value
        if s.extra_body:
            kwargs['extra_body'] = dict(s.extra_body)
        if self.api_base:
            kwargs['api_base'] = self.api_base
        if self.api_key:
            kwargs['api_key'] = self.api_key
        if stream:
            kwargs['stream'] = True
            if self.profile.stream_usage:
                kwargs['stream_options'] = {'include_usage': True}
        if self.profile.cache_control:
            mark_cache_prefix(kwargs['messages'], kwargs.get('tools', []))
        return kwargs

    def _wire(self, message: Message) -> dict[str, Any]:
        out = message.to_openai()
        if out.get('content') is None and self.profile.empty_content_with_tool_calls:
            out['content'] = ''
        return out

    async def _stream(
        self, litellm: Any, kwargs: dict[str, Any], request_timeout_s: float, on_text: Callable[[str], None]
    ) -> Any:
        """The streamed turn rebuilt from its chunks, or `None` when the stream brought neither text nor a call."""
        chunks: list[Any] = []
        stream = await litellm.acompletion(**kwargs, timeout=request_timeout_s)
        async for chunk in stream:
            chunks.append(chunk)
            choices = getattr(chunk, 'choices', None) or []
            text = getattr(getattr(choices[0], 'delta', None), 'content', None) if choices else None
            if text:
                on_text(str(text))
        built = litellm.stream_chunk_builder(chunks, messages=kwargs['messages']) if chunks else None
        message = built.choices[0].message if built is not None and built.choices else None
        if message is None or not (message.content or getattr(message, 'tool_calls', None)):
            return None  # an empty stream (a server that broke it off): the plain request answers instead
        return built

    def _to_response(self, litellm: Any, response: Any, request: ModelRequest) -> ModelResponse:
        if not getattr(response, 'choices', None):
            raise ModelError(f'{self.model}: response has no choices')
        choice = response.choices[0]
        msg = choice.message
        finish_reason = getattr(choice, 'finish_reason', None)
        content = str(getattr(msg, 'content', '') or '')
        calls = [
            ToolCall(
                id=str(c.id or ''),
                name=str(getattr(c.function, 'name', '') or ''),
                arguments=str(getattr(c.function, 'arguments', '') or ''),
            )
            for c in getattr(msg, 'tool_calls', None) or []
        ]
        if not calls and self.profile.text_tool_calls:
            found = parse_text_calls(content, [t.name for t in request.tools], self.profile.text_tool_calls)
            if found is not None:
                content = found[0]
                calls = [ToolCall(id='', name=c.name, arguments=c.arguments) for c in found[1]]
                finish_reason = 'tool_calls' if finish_reason in (None, 'stop') else finish_reason
        usage = getattr(response, 'usage', None)
        cost = litellm_cost(litellm, response, self.price)  # None: no price known for this model
        cached, written = cache_tokens(usage)
        return ModelResponse(
            message=Message(role='assistant', content=content, tool_calls=calls),
            usage=Usage(
                input_tokens=int(getattr(usage, 'prompt_tokens', 0) or 0),
                output_tokens=int(getattr(usage, 'completion_tokens', 0) or 0),
                cached_input_tokens=cached,
                cache_write_tokens=written,
            ),
            cost_usd=cost,
            model=str(getattr(response, 'model', '') or self.model),
            finish_reason=None if finish_reason is None else str(finish_reason),
        )

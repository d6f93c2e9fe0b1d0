"""`LiteLLMModel`: any litellm provider, or a local OpenAI-compatible server (vLLM, llama.cpp, Ollama) via `api_base`."""

from __future__ import annotations

import os
from typing import Any

from ._messages import Message, ModelRequest, ModelResponse, ToolCall, Usage
from ._model import ModelError
from ._model_requests import check_model_request


def _import_litellm() -> Any:
    # Without this litellm fetches its cost map from the network at import and stalls for seconds.
    os.environ.setdefault('LITELLM_LOCAL_MODEL_COST_MAP', 'True')
    import litellm

    litellm.suppress_debug_info = True
    return litellm


class LiteLLMModel:
    """A `ChatModel` backed by `litellm.acompletion`.

    litellm is imported on the first call, not at construction, so that building an agent stays cheap.

    Args:
        model: a litellm model id, e.g. `openai/gpt-4o-mini`, `anthropic/claude-sonnet-4-5`, or
            `openai/<served-name>` together with `api_base` for an OpenAI-compatible server.
        api_base: base URL of an OpenAI-compatible server.
        api_key: API key; by default litellm reads the provider's environment variable.
        timeout_s: per-request timeout.
        retries: retries on transient errors (rate limits, timeouts, 5xx), done by litellm.
        temperature: sampling temperature; `None` leaves the provider default.
        extra: further keyword arguments for `litellm.acompletion`.
    """

    def __init__(
        self,
        model: str,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 120.0,
        retries: int = 2,
        temperature: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.model = model
        self.api_base = api_base
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.retries = retries
        self.temperature = temperature
        self.extra = dict(extra or {})

    @property
    def name(self) -> str:
        return self.model

    async def complete(self, request: ModelRequest) -> ModelResponse:
        """Send one request through litellm.

        Raises:
            ModelError: the provider failed after retries or answered with no choices.
            ModelRequestsBlockedError: model requests are blocked (`agentcore.testing.block_model_requests`,
                `AGENTCORE_ALLOW_MODEL_REQUESTS=0`); nothing was sent.
        """
        check_model_request(self.model)
        litellm = _import_litellm()
        kwargs: dict[str, Any] = {
            'model': self.model,
            'messages': [m.to_openai() for m in request.messages],
            'timeout': self.timeout_s,
            'num_retries': self.retries,
            **self.extra,
        }
        if request.tools:
            kwargs['tools'] = [t.to_openai() for t in request.tools]
        if self.api_base:
            kwargs['api_base'] = self.api_base
        if self.api_key:
            kwargs['api_key'] = self.api_key
        if self.temperature is not None:
            kwargs['temperature'] = self.temperature
        try:
            response = await litellm.acompletion(**kwargs)
        except Exception as exc:  # litellm maps every provider error onto its own exception tree
            raise ModelError(
                f'{self.model}: {type(exc).__name__}: {" ".join(str(exc).split())[:300]}',
                hint='check the model id, api_base and API key (AGENTCORE_MODEL, AGENTCORE_API_BASE)',
            ) from exc
        return self._to_response(litellm, response)

    def _to_response(self, litellm: Any, response: Any) -> ModelResponse:
        if not getattr(response, 'choices', None):
            raise ModelError(f'{self.model}: response has no choices')
        msg = response.choices[0].message
        calls = [
            ToolCall(
                id=str(c.id or f'call_{i}'),
                name=str(getattr(c.function, 'name', '') or ''),
                arguments=str(getattr(c.function, 'arguments', '') or ''),
            )
            for i, c in enumerate(getattr(msg, 'tool_calls', None) or [])
        ]
        usage = getattr(response, 'usage', None)
        try:
            cost = float(litellm.completion_cost(completion_response=response) or 0.0)
        except Exception:  # no price known for this model (local servers): cost is unknown, count it as 0
            cost = 0.0
        return ModelResponse(
            message=Message(role='assistant', content=str(getattr(msg, 'content', '') or ''), tool_calls=calls),
            usage=Usage(
                input_tokens=int(getattr(usage, 'prompt_tokens', 0) or 0),
                output_tokens=int(getattr(usage, 'completion_tokens', 0) or 0),
            ),
            cost_usd=cost,
            model=str(getattr(response, 'model', '') or self.model),
        )

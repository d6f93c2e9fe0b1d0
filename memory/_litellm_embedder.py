"""`LiteLLMEmbedder`: embeddings from any provider litellm supports (OpenAI, Azure, Bedrock, Ollama, ...)."""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from agentcore._model_requests import check_model_request

from ._errors import EmbeddingError

__all__ = ['LiteLLMEmbedder']


class LiteLLMEmbedder:
    """Embeds through `litellm.embedding` / `litellm.aembedding` (litellm is imported on first use).

    Args:
        model: A litellm model name, e.g. `'openai/text-embedding-3-small'`.
        dimension: The model's vector length; every response is checked against it.
        api_base: Provider endpoint (an OpenAI-compatible server, a proxy, ...); default: the provider's.
        api_key: Provider key; default: litellm reads the provider's usual environment variable.
        batch_size: Texts per request, 1 to 2048.
        timeout: Seconds per request.

    Vectors are L2-normalised. `embed` raises `EmbeddingError` on any provider or network error, a malformed
    response, or a wrong dimension, and `ModelRequestsBlockedError` (before sending anything) while model requests
    are blocked (`agentcore.testing.block_model_requests`, `AGENTCORE_ALLOW_MODEL_REQUESTS=0`).
    """

    def __init__(
        self,
        model: str,
        dimension: int,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
        batch_size: int = 128,
        timeout: float = 30.0,
    ) -> None:
        if not model:
            raise ValueError('LiteLLMEmbedder needs a model name, e.g. openai/text-embedding-3-small')
        if dimension < 1:
            raise ValueError(f'LiteLLMEmbedder dimension must be positive, got {dimension}')
        if not 1 <= batch_size <= 2048:
            raise ValueError(f'LiteLLMEmbedder batch_size must be between 1 and 2048, got {batch_size}')
        self.model = model
        self._dimension = dimension
        self._api_base = api_base
        self._api_key = api_key
        self._batch_size = batch_size
        self._timeout = timeout

    @property
    def name(self) -> str:
        return f'litellm/{self.model}'

    @property
    def dimension(self) -> int:
        return self._dimension

    def __repr__(self) -> str:
        return f'LiteLLMEmbedder(model={self.model!r}, dimension={self._dimension})'

    def _kwargs(self, batch: Sequence[str]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {'model': self.model, 'input': list(batch), 'timeout': self._timeout}
        if self._api_base:
            kwargs['api_base'] = self._api_base
        if self._api_key:
            kwargs['api_key'] = self._api_key
        return kwargs

    def _batches(self, texts: Sequence[str]) -> list[Sequence[str]]:
        return [texts[i : i + self._batch_size] for i in range(0, len(texts), self._batch_size)]

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        check_model_request(self.model, 'embedding request')
        litellm = _litellm()
        out: list[list[float]] = []
        for batch in self._batches(texts):
            try:
                response = litellm.embedding(**self._kwargs(batch))
            except Exception as exc:  # litellm maps every provider failure to its own exception types
                raise self._error(exc) from exc
            out.extend(self._vectors(response, len(batch)))
        return out

    async def aembed(self, texts: Sequence[str]) -> list[list[float]]:
        check_model_request(self.model, 'embedding request')
        litellm = _litellm()
        out: list[list[float]] = []
        for batch in self._batches(texts):
            try:
                response = await litellm.aembedding(**self._kwargs(batch))
            except Exception as exc:
                raise self._error(exc) from exc
            out.extend(self._vectors(response, len(batch)))
        return out

    def _error(self, exc: Exception) -> EmbeddingError:
        detail = ' '.join(str(exc).split())[:300]
        return EmbeddingError(
            f'embedding with {self.model} failed: {type(exc).__name__}: {detail}',
            hint='check the model name, api_base and API key, and that the provider is reachable',
        )

    def _vectors(self, response: Any, expected: int) -> list[list[float]]:
        data = response.get('data') if isinstance(response, dict) else getattr(response, 'data', None)
        if not isinstance(data, list) or len(data) != expected:
            raise EmbeddingError(f'embedding response from {self.model} has no data for {expected} inputs')
        items = sorted(data, key=lambda d: _field(d, 'index') or 0)
        vectors = []
        for item in items:
            vector = _field(item, 'embedding')
            if not isinstance(vector, list) or len(vector) != self._dimension:
                got = len(vector) if isinstance(vector, list) else type(vector).__name__
                raise EmbeddingError(
                    f'{self.model} returned a vector of dimension {got}, expected {self._dimension}',
                    hint='pass the real dimension of the model to LiteLLMEmbedder',
                )
            norm = math.sqrt(sum(float(x) * float(x) for x in vector)) or 1.0
            vectors.append([float(x) / norm for x in vector])
        return vectors


def _field(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else getattr(item, key, None)


def _litellm() -> Any:
    # Never fetch litellm's model cost map over the network at import.
    os.environ.setdefault('LITELLM_LOCAL_MODEL_COST_MAP', 'True')
    import litellm

    return litellm

"""`HashEmbedder`: a deterministic, offline embedder built from hashed word and character n-gram features."""

from __future__ import annotations

import asyncio
import itertools
import zlib
from collections.abc import Sequence
from functools import lru_cache

from ._text import keyword_tokens

__all__ = ['HashEmbedder']

_UNIGRAM = 1.0
_BIGRAM = 0.5
_TRIGRAM = 0.5


@lru_cache(maxsize=65_536)
def _slot(feature: str, dimension: int) -> tuple[int, float]:
    h = zlib.crc32(feature.encode('utf-8'))
    return h % dimension, (1.0 if h >> 31 else -1.0)


@lru_cache(maxsize=65_536)
def _token_features(token: str, dimension: int) -> tuple[tuple[int, float], ...]:
    idx, sign = _slot(f'w:{token}', dimension)
    out = [(idx, sign * _UNIGRAM)]
    padded = f'<{token}>'
    for i in range(len(padded) - 2):
        idx, sign = _slot(f'c:{padded[i : i + 3]}', dimension)
        out.append((idx, sign * _TRIGRAM))
    return tuple(out)


class HashEmbedder:
    """Deterministic embedder that needs no model and no network.

    The feature-hashing trick over words, word bigrams and character trigrams, L2-normalised.

    It captures lexical and sub-word similarity (shared words, typos, inflections), not meaning; use
    `LiteLLMEmbedder` or `SentenceTransformerEmbedder` for semantic recall. The same text always maps to the same
    vector, across processes and machines.

    Args:
        dimension: Vector length, 32 to 4096 (default 256). Raises `ValueError` outside that range.
    """

    def __init__(self, dimension: int = 256) -> None:
        if not 32 <= dimension <= 4096:
            raise ValueError(f'HashEmbedder dimension must be between 32 and 4096, got {dimension}')
        self._dimension = dimension

    @property
    def name(self) -> str:
        return 'hash-ngram-v1'

    @property
    def dimension(self) -> int:
        return self._dimension

    def __repr__(self) -> str:
        return f'HashEmbedder(dimension={self._dimension})'

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed `texts`. A text without any word gets a fixed 'empty' vector, never a zero vector."""
        import numpy as np

        dim = self._dimension
        out = np.zeros((len(texts), dim), dtype=np.float64)
        for row, text in enumerate(texts):
            vec = out[row]
            tokens = keyword_tokens(text) or ['<empty>']
            for token in tokens:
                for idx, weight in _token_features(token, dim):
                    vec[idx] += weight
            for first, second in itertools.pairwise(tokens):
                idx, sign = _slot(f'b:{first} {second}', dim)
                vec[idx] += sign * _BIGRAM
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        result: list[list[float]] = (out / norms).tolist()
        return result

    async def aembed(self, texts: Sequence[str]) -> list[list[float]]:
        """Async `embed` (runs in a worker thread for large batches)."""
        if len(texts) <= 32:
            return self.embed(texts)
        return await asyncio.to_thread(self.embed, texts)

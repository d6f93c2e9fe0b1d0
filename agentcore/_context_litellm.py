"""The context window and token counter of a `LiteLLMModel`, from litellm's model info and `token_counter`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._context import DEFAULT_WINDOW, CachedCounter, ModelWindow, approx_tokens

if TYPE_CHECKING:
    from ._litellm import LiteLLMModel
    from ._messages import Message


def litellm_window(model: LiteLLMModel) -> ModelWindow:
    """The model's window from litellm's model info (`max_input_tokens`), and litellm's token counter.

    `DEFAULT_WINDOW` when litellm does not know the model. Imports litellm. A model litellm cannot count falls back to the cheap estimate, never raises.
    """
    from ._litellm import _import_litellm

    litellm = _import_litellm()
    size = DEFAULT_WINDOW
    try:
        info = litellm.get_model_info(model.model)
        size = int(info.get('max_input_tokens') or info.get('max_tokens') or DEFAULT_WINDOW)
    except Exception:  # not in litellm's map (a local server's served name): the conservative default
        size = DEFAULT_WINDOW

    def per_message(message: Message) -> int:
        try:
            return int(litellm.token_counter(model=model.model, messages=[_plain(message.to_openai())]))
        except Exception:
            return approx_tokens(message)

    return ModelWindow(max_input_tokens=size, max_tokens=model.settings.max_tokens, count=CachedCounter(per_message))


def _plain(message: dict[str, Any]) -> dict[str, Any]:
    if message.get('content') is None:
        return {**message, 'content': ''}
    return message

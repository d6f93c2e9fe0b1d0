"""Model cost: per-token prices for models litellm cannot price, costs that may be unknown, and how they show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

if TYPE_CHECKING:
    from ._budget import Budget
    from ._model import ChatModel


class ModelPrice(BaseModel):
    """What a model charges, in US dollars per million tokens.

    Supply one for a model litellm has no price for (a local server, a private model): in `agentcore.toml` as
    `[prices."openai/gemma3-270m"]` with `input_per_mtok = 0.1` and `output_per_mtok = 0.4`, or as
    `LiteLLMModel(prices=...)`. A price supplied wins over litellm's.

    Attributes:
        input_per_mtok: USD per million input (prompt) tokens; 0 or more.
        output_per_mtok: USD per million output (completion) tokens; 0 or more.
        cached_input_per_mtok: USD per million input tokens read from the provider's prompt cache; by default
            `input_per_mtok` (a cache hit is never priced below what the provider was told it costs).
        cache_write_per_mtok: USD per million input tokens written to the prompt cache (Anthropic-style caching);
            by default `input_per_mtok`.
    """

    model_config = ConfigDict(frozen=True, extra='forbid')

    input_per_mtok: float = Field(ge=0)
    output_per_mtok: float = Field(ge=0)
    cached_input_per_mtok: float | None = Field(default=None, ge=0)
    cache_write_per_mtok: float | None = Field(default=None, ge=0)

    def cost(self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0,
             cache_write_tokens: int = 0) -> float:
        """The cost in USD of a turn that used these tokens (the cached ones are part of `input_tokens`)."""
        cached = self.input_per_mtok if self.cached_input_per_mtok is None else self.cached_input_per_mtok
        write = self.input_per_mtok if self.cache_write_per_mtok is None else self.cache_write_per_mtok
        plain = max(input_tokens - cached_input_tokens - cache_write_tokens, 0)
        return (plain * self.input_per_mtok + cached_input_tokens * cached + cache_write_tokens * write
                + output_tokens * self.output_per_mtok) / 1_000_000


class Costed(BaseModel):
    """The cost fields of a model turn, a run result or an event: `cost_usd` is `None` when the cost is unknown.

    `cost_known` is always `cost_usd is not None` (set on validation), so JSON readers need not test for null.
    """

    cost_usd: float | None = 0.0
    cost_known: bool = True

    @model_validator(mode='after')
    def _known(self) -> Costed:
        if self.cost_known != (self.cost_usd is not None):
            self.cost_known = self.cost_usd is not None
        return self


def add_cost(total: float | None, cost: float | None) -> float | None:
    """A running total plus one more cost; unknown (`None`) as soon as either is."""
    return None if total is None or cost is None else total + cost


def usd_text(cost: float | None, *, places: int = 4, unknown: str = 'unknown') -> str:
    """A cost for people: `$0.0123`, or `unknown` (never `$0` for a cost nobody knows)."""
    return unknown if cost is None else f'${cost:.{places}f}'


def price_known(model: ChatModel) -> bool:
    """Whether `model` says up front that its turns have a known cost.

    A model says so through `PricedModel.price_known`; one without it is taken at its word turn by turn (a turn it
    reports with `cost_usd=None` still makes the run's cost unknown).
    """
    from ._model import PricedModel

    return not isinstance(model, PricedModel) or bool(model.price_known)


def check_usd_budget(model: ChatModel, budget: Budget) -> None:
    """Refuse a `max_usd` budget for a model whose price is unknown: it could never stop the run.

    Raises:
        ConfigError: `budget.max_usd` is set and `model` knows no price for itself.
    """
    if budget.max_usd is None or price_known(model):
        return
    from ._settings import ConfigError

    raise ConfigError(
        f'budget max_usd={budget.max_usd:g} cannot be enforced: no price is known for model {model.name!r}',
        hint=f'supply one in agentcore.toml as [prices."{model.name}"] with input_per_mtok and output_per_mtok '
        '(USD per million tokens), or LiteLLMModel(prices=...), or drop max_usd from the budget',
    )


def litellm_price_known(litellm: Any, model: str) -> bool:
    """Whether litellm's cost map (the local copy: no network call) prices `model`."""
    try:
        info = litellm.get_model_info(model)
    except Exception:  # litellm raises for a model it has not mapped
        return False
    return info.get('input_cost_per_token') is not None or info.get('output_cost_per_token') is not None


def _count(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def cache_tokens(usage: Any) -> tuple[int, int]:
    """The prompt tokens a litellm usage says were read from the provider's cache, and written to it.

    litellm reports cache reads as `prompt_tokens_details.cached_tokens` for every provider (OpenAI's automatic
    caching, Anthropic's `cache_read_input_tokens`), and Anthropic's writes as `cache_creation_input_tokens`; both
    are counted in `prompt_tokens`.
    """
    details = getattr(usage, 'prompt_tokens_details', None)
    read = _count(getattr(details, 'cached_tokens', None)) or _count(getattr(usage, 'cache_read_input_tokens', None))
    written = (_count(getattr(usage, 'cache_creation_input_tokens', None))
               or _count(getattr(details, 'cache_creation_tokens', None)))
    return read, written


def litellm_cost(litellm: Any, response: Any, price: ModelPrice | None) -> float | None:
    """The cost of one litellm response: from `price` and its usage when given, else litellm's; `None` if unknown.

    litellm's own price counts cached prompt tokens at the model's cached price (`cache_read_input_token_cost`,
    `cache_creation_input_token_cost` in its cost map) where it knows one; a supplied price uses its own.
    """
    usage = getattr(response, 'usage', None)
    if price is not None:
        if usage is None:
            return None
        return price.cost(int(getattr(usage, 'prompt_tokens', 0) or 0),
                          int(getattr(usage, 'completion_tokens', 0) or 0), *cache_tokens(usage))
    try:
        cost = litellm.completion_cost(completion_response=response)
    except Exception:  # litellm has no price for this model (a local server, a private model)
        return None
    return None if cost is None else float(cost)


#: What `LiteLLMModel(prices=...)` takes: this model's price, or prices by model id (as the `prices` setting).
Prices: TypeAlias = ModelPrice | Mapping[str, ModelPrice | Mapping[str, float]]


def price_for(model: str, prices: Prices | None) -> ModelPrice | None:
    """The price `prices` gives `model` (by its exact model id), or `None`.

    Raises:
        ConfigError: the price for `model` is not a valid `ModelPrice` (says which field and why).
    """
    if prices is None or isinstance(prices, ModelPrice):
        return prices
    entry = prices.get(model)
    if entry is None or isinstance(entry, ModelPrice):
        return entry
    try:
        return ModelPrice.model_validate(entry)
    except ValidationError as exc:
        from ._settings import ConfigError

        err = exc.errors()[0]
        where = '.'.join(str(p) for p in err['loc']) or '?'
        raise ConfigError(f'invalid price for model {model!r}: {where}: {err["msg"]}',
                          hint='give input_per_mtok and output_per_mtok, in USD per million tokens') from None

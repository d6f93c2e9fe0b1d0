"""The `ContextPolicy` seam: which messages of a run's full history each model turn is sent."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ._messages import Message, ToolSpec, Usage

if TYPE_CHECKING:
    from ._model import ChatModel
    from .runstore import RunStore

#: Counts the tokens of a list of messages (additive: the count of a list is the sum over its messages).
TokenCounter = Callable[[Sequence[Message]], int]

#: How every message saying the context was trimmed starts; `omitted_turns` reads the count that follows.
MARKER = '[context trimmed]'
_MARKER_COUNT = re.compile(r'^\[context trimmed\] (\d+) earlier turns? ')


@dataclass(frozen=True)
class ContextWindow:
    """What a `ContextPolicy` decides with, for one model turn.

    Attributes:
        budget: most tokens the request's messages may take (the model's window less tool schemas and the
            answer's `max_tokens`).
        count: the model's token counter.
        tools: the tool specs offered with the request.
        run_id: the run in progress.
        model: the run's model, for strategies that call one (`Summarise`); the call is a recorded model turn.
    """

    budget: int
    count: TokenCounter
    tools: Sequence[ToolSpec] = ()
    run_id: str = ''
    model: ChatModel | None = None


@dataclass
class ContextSelection:
    """What a `ContextPolicy` chose to send, and what it left out.

    Attributes:
        messages: the messages of the request.
        notes: what was trimmed and why, one line each (empty: the history was sent as it is).
        stubbed: ids of the tool calls whose output was replaced by a stub (`fetch_tool_output` gets it back).
        usage: tokens spent choosing (a summary's model call), added to the run's usage.
        cost_usd: what choosing cost; `None`: unknown.
    """

    messages: list[Message]
    notes: list[str] = field(default_factory=list)
    stubbed: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = 0.0


@runtime_checkable
class ContextPolicy(Protocol):
    """Decides, for each model turn, which messages are sent (the graph state keeps the whole history).

    Implementations must be deterministic (a replay sends the very same requests) and must never separate an
    assistant turn that calls tools from its tool results (providers reject orphan tool messages): cut between
    `turns` only. Strategies: `KeepRecent`, `DropOldToolOutputs`, `Summarise`; each takes `then=`, the policy
    that gets what it chose when that is still over budget.
    """

    async def select(self, history: Sequence[Message], window: ContextWindow) -> ContextSelection:
        """The messages to send for `history`, within `window.budget` tokens where the policy can manage it.

        Raises:
            ModelError: a strategy's own model call failed (the turn fails as a model error would).
        """
        ...


def split_turns(messages: Sequence[Message]) -> tuple[list[Message], list[list[Message]]]:
    """The head (everything before the first assistant message: system prompt, task, recalled memory) and turns.

    Each turn starts with an assistant message and holds what followed it up to the next one (its tool results,
    notices): cutting between turns never orphans a tool result.
    """
    head: list[Message] = []
    turns: list[list[Message]] = []
    for m in messages:
        if m.role == 'assistant':
            turns.append([m])
        elif turns:
            turns[-1].append(m)
        else:
            head.append(m)
    return head, turns


def omitted_turns(messages: Sequence[Message]) -> int:
    """How many earlier turns the markers in `messages` say were left out (0: none).

    `ScriptedModel` adds it to the assistant messages it counts, to serve the right turn of a trimmed request.
    """
    total = 0
    for m in messages:
        if m.role == 'user' and m.content.startswith(MARKER):
            found = _MARKER_COUNT.match(m.content)
            if found:
                total += int(found.group(1))
    return total


def marker(left_out: int, why: str) -> Message:
    """The message standing in for `left_out` earlier turns."""
    plural = 'turn' if left_out == 1 else 'turns'
    return Message(role='user', content=f'{MARKER} {left_out} earlier {plural} of this run left out of this '
                                        f'request: {why}')


async def apply_then(
    then: ContextPolicy | None, chosen: ContextSelection, window: ContextWindow
) -> ContextSelection:
    """`chosen`, passed on to `then` when it is still over budget: notes of both, the stubs still sent, usage summed."""
    if then is None or window.count(chosen.messages) <= window.budget:
        return chosen
    after = await then.select(chosen.messages, window)
    cost = None if chosen.cost_usd is None or after.cost_usd is None else chosen.cost_usd + after.cost_usd
    sent = {m.tool_call_id for m in after.messages if m.role == 'tool' and m.content.startswith(MARKER)}
    stubbed = [i for i in dict.fromkeys([*chosen.stubbed, *after.stubbed]) if i in sent]  # stubs `then` kept
    return ContextSelection(messages=after.messages, notes=[*chosen.notes, *after.notes], stubbed=stubbed,
                            usage=chosen.usage + after.usage, cost_usd=cost)


# -- token counting -----------------------------------------------------------------------------------------
def approx_tokens(message: Message) -> int:
    """A cheap, deterministic estimate: a quarter of the message's wire JSON length, rounded up, plus 4."""
    return 4 + math.ceil(len(json.dumps(message.to_openai(), ensure_ascii=False)) / 4)


def spec_tokens(tools: Sequence[ToolSpec]) -> int:
    """The same estimate for tool schemas."""
    return sum(math.ceil(len(json.dumps(t.to_openai(), ensure_ascii=False)) / 4) for t in tools)


class CachedCounter:
    """A `TokenCounter` that counts each message once (by identity) with `per_message`.

    The typed history keeps the very same `Message` objects from turn to turn, so a long run counts only what
    each turn added. At most `max_entries` are kept (then all are dropped).
    """

    def __init__(self, per_message: Callable[[Message], int] = approx_tokens, max_entries: int = 20_000) -> None:
        self.per_message = per_message
        self.max_entries = max_entries
        self._cache: dict[int, tuple[Message, int]] = {}

    def __call__(self, messages: Sequence[Message]) -> int:
        total = 0
        for m in messages:
            hit = self._cache.get(id(m))
            if hit is None or hit[0] is not m:
                if len(self._cache) >= self.max_entries:
                    self._cache.clear()
                hit = self._cache[id(m)] = (m, self.per_message(m))
            total += hit[1]
        return total


#: The window assumed for a model whose window is unknown (a scripted model, a local server litellm does not know).
DEFAULT_WINDOW = 8192
#: Tokens kept for the answer when the model sets no `max_tokens`.
DEFAULT_ANSWER_TOKENS = 1024
#: Share of the window the counted request may use: the counters are estimates.
SAFETY = 0.95


@dataclass(frozen=True)
class ModelWindow:
    """A model's context window and token counter: what the default policy's budget is made from."""

    max_input_tokens: int
    max_tokens: int | None
    count: TokenCounter
    tools_tokens: Callable[[Sequence[ToolSpec]], int] = spec_tokens

    def budget(self, tools: Sequence[ToolSpec]) -> int:
        """Tokens left for the messages: the window (less a safety margin), the tool schemas and the answer."""
        answer = self.max_tokens or min(DEFAULT_ANSWER_TOKENS, self.max_input_tokens // 8)
        return max(int(self.max_input_tokens * SAFETY) - self.tools_tokens(tools) - answer, 0)


def model_window(model: ChatModel) -> ModelWindow:
    """The window of `model` and its token counter.

    A `LiteLLMModel`: litellm's model info and `token_counter` (litellm is imported). Any other model: its
    `max_input_tokens` (and `max_tokens`) attribute when it has one, else `DEFAULT_WINDOW`, counted with the cheap
    `approx_tokens`.
    """
    from ._litellm import LiteLLMModel

    if isinstance(model, LiteLLMModel):
        from ._context_litellm import litellm_window

        return litellm_window(model)
    size = getattr(model, 'max_input_tokens', None)
    answer = getattr(model, 'max_tokens', None)
    return ModelWindow(max_input_tokens=size if isinstance(size, int) and size > 0 else DEFAULT_WINDOW,
                       max_tokens=answer if isinstance(answer, int) and answer > 0 else None,
                       count=CachedCounter())


def default_policy() -> ContextPolicy:
    """What `Agent(context=None)` uses: old tool outputs become stubs first, then only the recent turns are kept."""
    from ._context_drop import DropOldToolOutputs
    from ._context_recent import KeepRecent

    return DropOldToolOutputs(then=KeepRecent())


def add_fetch_tool(tools: dict[str, Any], store: RunStore) -> frozenset[str]:
    """Add `fetch_tool_output` (reading `store`) to `tools` unless a tool has its name; returns the on-demand names."""
    from .tools import FetchToolOutputTool

    if 'fetch_tool_output' in tools:
        return frozenset()
    tools['fetch_tool_output'] = FetchToolOutputTool(store)
    return frozenset({'fetch_tool_output'})

"""Typed messages of each run in progress (validated once per message), and the context policy applied to them."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._messages import Message, ModelRequest, Usage

if TYPE_CHECKING:
    from ._context import ModelWindow
    from ._runtime import RunContext


class Conversations:
    """The `Message` objects behind each run's `messages` state, kept between model turns.

    The graph state holds messages as plain dicts (checkpoints must pass strict msgpack). The list only grows, and
    within one process it keeps the very same dict objects from turn to turn, so only dicts appended since the last
    turn need validating (the request each turn sends is trimmed by `ContextFitter`; this history is never
    cut). Anything else (a resumed run, whose dicts were just read from a checkpoint) is validated
    in full. At most `max_runs` runs are kept, least recently used first out.
    """

    def __init__(self, max_runs: int = 64) -> None:
        self.max_runs = max_runs
        #: Per run: the first and last dicts validated (to recognise the same list grown), and their `Message`s.
        self._runs: OrderedDict[str, tuple[dict[str, Any], dict[str, Any], list[Message]]] = OrderedDict()

    def messages(self, run_id: str, raw: list[dict[str, Any]]) -> list[Message]:
        """`raw` as `Message`s. Raises: pydantic.ValidationError: a message is malformed."""
        first, last, typed = self._runs.pop(run_id, ({}, {}, []))
        n = len(typed)
        if not (n and n <= len(raw) and raw[0] is first and raw[n - 1] is last):
            typed, n = [], 0
        typed.extend(Message.model_validate(m) for m in raw[n:])
        if raw:
            self._runs[run_id] = (raw[0], raw[-1], typed)
            while len(self._runs) > self.max_runs:
                self._runs.popitem(last=False)
        return list(typed)

    def forget(self, run_id: str) -> None:
        """Drop what is kept for `run_id` (its run finished)."""
        self._runs.pop(run_id, None)


class ContextFitter:
    """Applies an agent's `ContextPolicy` to each model request, and reports what it trimmed.

    The model's window (`agentcore._context.model_window`) is looked up on the first request that needs it.
    """

    def __init__(self) -> None:
        self._window: ModelWindow | None = None

    async def fit(self, rt: RunContext, run_id: str, step: int, request: ModelRequest) -> FittedRequest:
        """`request` as the run's context policy trims it, with the fetch tool offered when an output was stubbed.

        Emits `ContextTrimmed` when anything was left out.

        Raises:
            ModelError: the policy's own model call (a summary) failed.
        """
        policy = rt.context
        if policy is None:
            return FittedRequest(request)
        from ._context import MARKER, ContextWindow, model_window

        if self._window is None:
            self._window = model_window(rt.model)
        mw = self._window
        extra = [rt.tools[n].spec() for n in sorted(rt.on_demand_tools) if n in rt.tools]
        # the budget leaves room for the on-demand tools (`fetch_tool_output`), offered with a request holding a stub
        window = ContextWindow(budget=mw.budget([*request.tools, *extra]), count=mw.count, tools=request.tools,
                               run_id=run_id, model=rt.model)
        chosen = await policy.select(request.messages, window)
        same = len(chosen.messages) == len(request.messages) and all(
            a is b for a, b in zip(chosen.messages, request.messages, strict=True))
        if same:
            return FittedRequest(request, chosen.usage, chosen.cost_usd)
        tools = list(request.tools)
        if any(m.role == 'tool' and m.content.startswith(MARKER) for m in chosen.messages):
            tools += extra
        sent = ModelRequest(messages=chosen.messages, tools=tools)
        from ._events import ContextTrimmed

        rt.emit(ContextTrimmed(run_id=run_id, step=step, budget=window.budget, tokens=mw.count(request.messages),
                               sent_tokens=mw.count(sent.messages), notes=chosen.notes, stubbed=chosen.stubbed))
        return FittedRequest(sent, chosen.usage, chosen.cost_usd)


@dataclass
class FittedRequest:
    """The request sent, and what choosing its messages cost (a summary's model call)."""

    request: ModelRequest
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = 0.0

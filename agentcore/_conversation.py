"""Typed messages of each run in progress, validated once per message instead of once per model turn."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ._messages import Message


class Conversations:
    """The `Message` objects behind each run's `messages` state, kept between model turns.

    The graph state holds messages as plain dicts (checkpoints must pass strict msgpack). The list only grows, and
    within one process it keeps the very same dict objects from turn to turn, so only dicts appended since the last
    turn need validating. Anything else (a resumed run, whose dicts were just read from a checkpoint) is validated
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

"""`KeepRecent`: the system prompt, the task and the last turns, with a marker saying how many were left out."""

from __future__ import annotations

from collections.abc import Sequence

from ._context import ContextPolicy, ContextSelection, ContextWindow, apply_then, marker, split_turns
from ._messages import Message


class KeepRecent:
    """Keep the head (system prompt, task, recalled memory) and the last turns; a marker stands for the rest.

    At most `n_turns` turns are kept (`None`: no fixed limit), and fewer while the request is over budget, down
    to the last one (a last turn that alone is over budget is still sent: nothing older is left to drop). Whole
    turns only: an assistant turn is never separated from its tool results. Under budget and within `n_turns`,
    the history is sent as it is.

    Args:
        n_turns: most turns kept (at least 1), or `None`.
        then: the policy that gets what this one chose when it is still over budget.

    Raises:
        ValueError: `n_turns` is below 1.
    """

    def __init__(self, n_turns: int | None = None, *, then: ContextPolicy | None = None) -> None:
        if n_turns is not None and n_turns < 1:
            raise ValueError(f'KeepRecent: n_turns must be at least 1, got {n_turns}')
        self.n_turns = n_turns
        self.then = then

    async def select(self, history: Sequence[Message], window: ContextWindow) -> ContextSelection:
        """The head and the last turns that fit. Raises: whatever `then` raises."""
        head, turns = split_turns(history)
        keep = len(turns) if self.n_turns is None else min(self.n_turns, len(turns))
        if keep == len(turns) and window.count(history) <= window.budget:
            return ContextSelection(messages=list(history))
        probe = marker(len(turns), f'only the last {self.n_turns or 0} turns are kept, to fit the context window')
        fixed = window.count(head) + window.count([probe])
        sizes = [window.count(t) for t in turns]
        used = fixed + sum(sizes[len(turns) - keep:])
        while keep > 1 and used > window.budget:
            used -= sizes[len(turns) - keep]
            keep -= 1
        left_out = len(turns) - keep
        if left_out == 0:
            return await apply_then(self.then, ContextSelection(messages=list(history)), window)
        over = self.n_turns is None or keep < self.n_turns
        why = 'to fit the context window' if over else f'only the last {self.n_turns} turns are kept'
        mark = marker(left_out, f'{why}. Work from the task and the turns below.')
        kept = [m for t in turns[left_out:] for m in t]
        reason = 'over the token budget' if over else f'n_turns={self.n_turns}'
        chosen = ContextSelection(messages=[*head, mark, *kept],
                                  notes=[f'keep_recent: left out {left_out} of {len(turns)} turns ({reason}, '
                                         f'budget {window.budget} tokens)'])
        return await apply_then(self.then, chosen, window)

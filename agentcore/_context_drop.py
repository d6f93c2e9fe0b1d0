"""`DropOldToolOutputs`: old tool outputs become a stub naming their call id (the run store keeps them)."""

from __future__ import annotations

from collections.abc import Sequence

from ._context import MARKER, ContextPolicy, ContextSelection, ContextWindow, apply_then, split_turns
from ._messages import Message

#: The built-in tool that gets a stubbed output back (`agentcore.tools.FetchToolOutputTool`).
FETCH_TOOL = 'fetch_tool_output'


def stub(message: Message) -> Message:
    """The stand-in for tool result `message`: its call id first, then how to get the output back."""
    text = (f'{MARKER} output of call {message.tool_call_id} ({message.name or "tool"}, {len(message.content)} '
            f'characters) left out to fit the context window; {FETCH_TOOL}(call_id="{message.tool_call_id}") '
            'gets it back')
    return message.model_copy(update={'content': text})


class DropOldToolOutputs:
    """Replace the outputs of old tool calls with a stub naming the call id, oldest first, until the request fits.

    The outputs of the last `keep_turns` turns are never stubbed, nor an output shorter than its stub. The
    assistant turns and the tool messages all stay (each still answers its call), so nothing is orphaned. The
    agent offers the `fetch_tool_output` tool with any request holding a stub.

    Args:
        keep_turns: how many of the most recent turns keep their outputs (at least 0).
        then: the policy that gets what this one chose when it is still over budget.

    Raises:
        ValueError: `keep_turns` is negative.
    """

    def __init__(self, keep_turns: int = 1, *, then: ContextPolicy | None = None) -> None:
        if keep_turns < 0:
            raise ValueError(f'DropOldToolOutputs: keep_turns must be at least 0, got {keep_turns}')
        self.keep_turns = keep_turns
        self.then = then

    async def select(self, history: Sequence[Message], window: ContextWindow) -> ContextSelection:
        """The history with old outputs stubbed while it is over budget. Raises: whatever `then` raises."""
        used = window.count(history)
        if used <= window.budget:
            return ContextSelection(messages=list(history))
        _, turns = split_turns(history)
        old = turns[:max(len(turns) - self.keep_turns, 0)]
        replaced: dict[int, Message] = {}
        for turn in old:
            for m in turn:
                if used <= window.budget:
                    break
                if m.role != 'tool' or m.tool_call_id is None or m.content.startswith(MARKER):
                    continue
                short = stub(m)
                gain = window.count([m]) - window.count([short])
                if gain > 0:
                    replaced[id(m)] = short
                    used -= gain
        if not replaced:
            return await apply_then(self.then, ContextSelection(messages=list(history)), window)
        messages = [replaced.get(id(m), m) for m in history]
        stubbed = [m.tool_call_id or '' for m in replaced.values()]
        why = 'still over the token budget' if used > window.budget else 'now within the token budget'
        chosen = ContextSelection(messages=messages, stubbed=stubbed,
                                  notes=[f'drop_old_tool_outputs: stubbed {len(stubbed)} old tool outputs ({why}, '
                                         f'budget {window.budget} tokens)'])
        return await apply_then(self.then, chosen, window)

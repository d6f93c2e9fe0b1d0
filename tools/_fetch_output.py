"""`fetch_tool_output`: one earlier tool output of the run, by call id, from the run store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import ToolArgumentsError, ToolContext, ToolError, ToolResult
from ._function import FunctionTool
from ._output import DEFAULT_MAX_CHARS, bounded_result

if TYPE_CHECKING:
    from agentcore.runstore import RunStore

_OPEN = '<untrusted-data '
_CLOSE = '\n</untrusted-data>'


def _unwrapped(content: str) -> str:
    """The body of a stored output's `<untrusted-data>` block (the fetched output is wrapped again as it is sent)."""
    if content.startswith(_OPEN) and content.endswith(_CLOSE) and '>\n' in content:
        return content[content.index('>\n') + 2:-len(_CLOSE)]
    return content


class FetchToolOutputTool(FunctionTool):
    """`fetch_tool_output`: get back a tool output of this run that the context left out (side effects `none`).

    It returns what the model was shown of that call (guardrails and bounds applied then), bounded again by
    `max_chars`; only calls of the same run can be fetched. Its output is untrusted tool output like any other.
    The agent adds it (offered only with requests holding a stub) under the default context policy.
    """

    def __init__(self, store: RunStore, *, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        super().__init__(self._call, name='fetch_tool_output', side_effects='none', source='builtin',
                         max_chars=max_chars)
        self.store = store

    async def _call(self, call_id: str, ctx: ToolContext) -> ToolResult:
        """Get back the output of an earlier tool call of this run that was left out of the context.

        Args:
            call_id: The id of the tool call, as the stub that stands for its output names it.
            ctx: The call's context (not shown to the model).
        """
        if not call_id.strip():
            raise ToolArgumentsError("argument 'call_id': expected a non-empty string, got ''")
        record = await self.store.atool_call(ctx.run_id, call_id.strip())
        if record is None or record.status != 'completed':
            raise ToolError(f'no finished tool call {call_id!r} in this run',
                            hint='use a call id that a stub of a left-out tool output names')
        text = _unwrapped(record.content or '')
        return bounded_result(text, max_chars=self.max_chars, is_error=record.is_error,
                              data={'call_id': record.call_id, 'tool': record.tool})

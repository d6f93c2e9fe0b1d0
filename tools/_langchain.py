"""Any LangChain `BaseTool` as a `Tool`, and `as_tool` to accept whatever a user hands over."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._base import SideEffects, Tool, ToolArgumentsError, ToolContext, ToolError, ToolResult, ToolSource
from ._function import FunctionTool
from ._output import DEFAULT_MAX_CHARS, bounded_result, to_jsonable
from ._validation import pydantic_error_lines, validate_with_json_schema, validate_with_model

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool


def content_text(content: Any) -> str:
    """The text of a LangChain message content: a string, or a list of strings and content blocks.

    Text blocks are joined by newlines; other blocks (images, files) become a short `[image: ...]` placeholder.
    """
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content if isinstance(content, list) else [content]:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get('type') == 'text':
            parts.append(str(block.get('text', '')))
        elif isinstance(block, dict):
            kind = block.get('type', 'block')
            detail = block.get('mime_type') or block.get('url') or ''
            parts.append(f'[{kind}: {detail}]' if detail else f'[{kind}]')
        else:
            parts.append(str(block))
    return '\n'.join(parts)


class LangChainTool(Tool):
    """A LangChain `BaseTool` as a `Tool`.

    Its side effects are unknown to agentcore, so they default to `external` (never retried blindly). Arguments
    are checked against the schema the model sees before the tool runs. A LangChain `ToolException` becomes a
    `ToolError`; an error `ToolMessage` (a tool that handles its own errors) becomes an error result.
    """

    source: ToolSource = 'langchain'

    def __init__(
        self,
        base_tool: BaseTool,
        *,
        side_effects: SideEffects = 'external',
        name: str | None = None,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        from langchain_core.utils.function_calling import convert_to_openai_tool

        self.base_tool = base_tool
        self.name = name or base_tool.name
        self.description = base_tool.description or ''
        self.side_effects = side_effects
        self.max_chars = max_chars
        self._parameters: dict[str, Any] = convert_to_openai_tool(base_tool)['function']['parameters']

    @property
    def parameters(self) -> dict[str, Any]:
        return self._parameters

    def __repr__(self) -> str:
        return f'{type(self).__name__}(name={self.name!r}, side_effects={self.side_effects!r})'

    def _validate(self, arguments: dict[str, Any]) -> None:
        from pydantic import BaseModel

        schema = self.base_tool.tool_call_schema
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            validate_with_model(schema, arguments)
        else:  # a JSON schema (MCP tools), or a pydantic v1 model
            validate_with_json_schema(self._parameters, arguments)

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Validate `arguments` and run the LangChain tool.

        Raises:
            ToolArgumentsError: the arguments fail the schema.
            ToolError: the tool raised a LangChain `ToolException`; its other exceptions propagate.
        """
        from langchain_core.messages import ToolMessage
        from langchain_core.tools import ToolException
        from pydantic import ValidationError

        if not isinstance(arguments, dict):
            raise ToolArgumentsError(f'arguments must be a JSON object, got {type(arguments).__name__}')
        self._validate(arguments)
        call = {'type': 'tool_call', 'name': self.base_tool.name, 'args': arguments, 'id': ctx.call_id}
        try:
            output = await self.base_tool.ainvoke(call)
        except ToolException as exc:
            raise ToolError(str(exc) or type(exc).__name__) from exc
        except ValidationError as exc:
            raise ToolArgumentsError('; '.join(pydantic_error_lines(exc))) from None
        if not isinstance(output, ToolMessage):  # a tool returning a message-like object of its own
            output = ToolMessage(content=content_text(output), tool_call_id=ctx.call_id)
        data: dict[str, Any] = {}
        if output.artifact is not None:
            data['artifact'] = to_jsonable(output.artifact)
        blocks = output.content if isinstance(output.content, list) else []
        other = [b for b in blocks if not isinstance(b, str) and b.get('type') != 'text']
        if other:  # images, files...: kept for the run store, shown to the model as placeholders
            data['blocks'] = to_jsonable(other)
        return bounded_result(
            content_text(output.content), max_chars=self.max_chars, is_error=output.status == 'error', data=data
        )


def as_tool(obj: Tool | BaseTool | Callable[..., Any]) -> Tool:
    """Accept a `Tool`, a LangChain `BaseTool` (wrapped in `LangChainTool`) or a typed callable (wrapped by `tool`).

    Raises:
        TypeError: `obj` is none of these.
    """
    if isinstance(obj, Tool):
        return obj
    from langchain_core.tools import BaseTool

    if isinstance(obj, BaseTool):
        return LangChainTool(obj)
    if callable(obj):
        return FunctionTool(obj)
    raise TypeError(f'cannot make a tool of {type(obj).__name__}: expected a Tool, a LangChain BaseTool or a function')

"""`search_knowledge`: a knowledge store (the user's documents) as a tool whose results carry citations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base import ToolArgumentsError, ToolError, ToolResult
from ._function import FunctionTool
from ._output import DEFAULT_MAX_CHARS, bounded_result
from ._validation import pydantic_error_lines

if TYPE_CHECKING:
    from agentcore.knowledge import KnowledgeHit, KnowledgeStore

__all__ = ['MAX_K', 'SearchKnowledgeTool']

#: Most passages one call returns.
MAX_K = 10


def _hit_text(rank: int, hit: KnowledgeHit) -> str:
    return f'[{rank}] {hit.citation} (score {hit.score:.2f})\n{hit.chunk.text}'


class SearchKnowledgeTool(FunctionTool):
    """`search_knowledge`: hybrid search over a knowledge store; side effects `none`.

    Each passage comes with its citation: the file, the page of a PDF, the section (heading path) and the chunk id,
    as `[n] FILE, p. PAGE, § SECTION [CHUNK_ID]`. The graph delimits the whole result as untrusted data (as every
    tool result), so what the documents say informs the model and never instructs it.

    Args:
        store: The `KnowledgeStore` to search (not closed by the tool).
        name: The tool's name.
        max_chars: Bound on what the model sees of one result.

    The call fails with a `ToolError` the model reads when the store cannot be reached.
    """

    def __init__(self, store: KnowledgeStore, *, name: str = 'search_knowledge', max_chars: int = DEFAULT_MAX_CHARS):
        self.store = store
        super().__init__(self._call, name=name, side_effects='none', source='builtin', max_chars=max_chars)

    async def _call(self, query: str, k: int = 5, source: str | None = None, tags: list[str] | None = None) -> ToolResult:
        """Search the user's documents for passages relevant to a query; cite the passages you use.

        Args:
            query: What to look for, as keywords or a question.
            k: How many passages to return (1 to 10).
            source: Only documents whose path matches this file name, folder or glob (for example docs/*.md).
            tags: Only documents that carry all of these tags.
        """
        from pydantic import ValidationError

        from agentcore.knowledge import KnowledgeFilter
        from agentcore.memory import MemoryError_

        if not 1 <= k <= MAX_K:
            raise ToolArgumentsError(f"argument 'k': expected an integer from 1 to {MAX_K}, got {k}")
        if not query.strip():
            raise ToolArgumentsError("argument 'query': expected a non-empty string, got ''")
        try:
            filters = KnowledgeFilter(sources=(source,) if source else (), tags=tuple(tags or ()))
        except ValidationError as exc:
            raise ToolArgumentsError('; '.join(pydantic_error_lines(exc))) from None
        try:
            hits = await self.store.asearch(query, k=k, filters=filters)
        except MemoryError_ as exc:
            raise ToolError(f'the knowledge base is unavailable: {exc}', hint=exc.hint) from exc
        except ValueError as exc:
            raise ToolArgumentsError(str(exc)) from exc
        if not hits:
            return bounded_result('no matching passages in the knowledge base', max_chars=self.max_chars,
                                  data={'hits': []})  # fmt: skip
        text = '\n\n'.join(_hit_text(i, hit) for i, hit in enumerate(hits, 1))
        data: dict[str, Any] = {'hits': [{'rank': i, 'score': h.score, 'citation': h.citation.model_dump(),
                                          'text': h.chunk.text} for i, h in enumerate(hits, 1)]}  # fmt: skip
        return bounded_result(text, max_chars=self.max_chars, data=data)

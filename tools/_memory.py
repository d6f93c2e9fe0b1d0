"""`memory_search` and `memory_save`: the agent's episodic memory (`ctx.memory`) as tools."""

from __future__ import annotations

import inspect
import uuid
from typing import Any

from ._base import ToolArgumentsError, ToolContext, ToolError, ToolResult
from ._function import FunctionTool
from ._output import DEFAULT_MAX_CHARS, bounded_result
from ._validation import pydantic_error_lines

#: Most episodes one search returns.
MAX_K = 20
_ID_NAMESPACE = uuid.UUID('6f1c7a52-3c1e-4d0e-9a57-0d6c0f3f7a10')


def memory_of(ctx: ToolContext) -> Any:
    """The run's memory store.

    Raises:
        ToolError: the run has no memory store.
    """
    if ctx.memory is None:
        raise ToolError('this run has no memory store', hint='run the agent with memory enabled')
    return ctx.memory


def _hit_text(rank: int, hit: Any) -> str:
    from agentcore._episodes import poisoning_findings, recall_text

    episode = hit.episode.model_dump(mode='json')
    return f'{rank}. (score {hit.score:.2f})\n' + recall_text(episode, poisoning_findings(episode))


class MemorySearchTool(FunctionTool):
    """`memory_search`: recall past episodes relevant to a query (in the run's namespace when the store filters).

    Each hit is shown as quoted data of a past run, with its trust and provenance; fields that read as instructions
    to future runs are withheld (`agentcore._episodes.poisoning_findings`).
    """

    def __init__(self, *, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        super().__init__(self._call, name='memory_search', side_effects='none', source='builtin', max_chars=max_chars)

    async def _call(self, query: str, ctx: ToolContext, k: int = 5) -> ToolResult:
        """Search the memory of past runs for episodes relevant to a query: their tasks, outcomes and lessons.

        Args:
            query: What to look for, as keywords or a sentence.
            k: How many episodes to return (1 to 20).
            ctx: The call's context (not shown to the model).
        """
        if not 1 <= k <= MAX_K:
            raise ToolArgumentsError(f"argument 'k': expected an integer from 1 to {MAX_K}, got {k}")
        if not query.strip():
            raise ToolArgumentsError("argument 'query': expected a non-empty string, got ''")
        memory = memory_of(ctx)
        kwargs: dict[str, Any] = {'k': k}
        if 'filters' in inspect.signature(memory.asearch).parameters:
            from agentcore.memory import EpisodeFilter

            kwargs['filters'] = EpisodeFilter(namespace=ctx.namespace)
        hits = list(await memory.asearch(query, **kwargs))
        text = '\n'.join(_hit_text(i, hit) for i, hit in enumerate(hits, 1)) or 'no matching memories'
        data = {'hits': [{'score': h.score, 'episode': h.episode.model_dump(mode='json')} for h in hits]}
        return bounded_result(text, max_chars=self.max_chars, data=data)


class MemorySaveTool(FunctionTool):
    """`memory_save`: remember something for future runs (side effects `external`: it outlives the run).

    The episode's id derives from the run and call ids, so a retried call replaces its episode instead of adding
    a second one. The episode is untrusted unless the graph handed the call the run's untrusted sources
    (`ctx.extra['untrusted_sources']`) and there were none; a note whose fields read as instructions to future runs
    (`agentcore._episodes.poisoning_findings`, every field) is refused with a `ToolError`.
    """

    def __init__(self, *, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        super().__init__(self._call, name='memory_save', side_effects='external', source='builtin', max_chars=max_chars)

    async def _call(
        self,
        task: str,
        lessons: list[str],
        ctx: ToolContext,
        outcome: str = 'completed',
        tags: list[str] | None = None,
        plan_summary: str = '',
    ) -> ToolResult:
        """Save a memory for future runs: what the task was and what is worth remembering about it.

        Args:
            task: The task, in a sentence or two (future searches match against it).
            lessons: What to remember: facts found, pitfalls, approaches that worked.
            outcome: How it went: completed, failed, or another lower-case word.
            tags: Keywords to find it by.
            plan_summary: A short summary of the approach taken.
            ctx: The call's context (not shown to the model).
        """
        from pydantic import ValidationError

        from agentcore._episodes import poisoning_findings
        from agentcore._provenance import UNTRUSTED_SOURCES_KEY
        from agentcore.memory import Episode

        memory = memory_of(ctx)
        episode_id = str(uuid.uuid5(_ID_NAMESPACE, f'{ctx.run_id}\0{ctx.call_id}'))
        fields = {
            'task': task,
            'lessons': lessons,
            'outcome': outcome,
            'tags': tags or [],
            'plan_summary': plan_summary,
        }
        known = ctx.extra.get(UNTRUSTED_SOURCES_KEY)
        sources = [str(s) for s in known] if isinstance(known, list | tuple) else ['unknown:memory_save']
        try:
            episode = Episode(
                id=episode_id,
                run_id=ctx.run_id,
                namespace=ctx.namespace,
                metadata={'source': 'memory_save', 'call_id': ctx.call_id},
                trusted=not sources,
                provenance=sources,
                **fields,
            )
        except ValidationError as exc:
            raise ToolArgumentsError('; '.join(pydantic_error_lines(exc))) from None
        findings = poisoning_findings(episode.model_dump(mode='json'))
        if findings:
            where = '; '.join(f'{name}: {", ".join(kinds)}' for name, kinds in findings.items())
            raise ToolError(
                f'memory not saved: it reads as an instruction to future runs ({where})',
                hint='save facts and observations from this run, not orders for later runs',
            )
        saved_id = await memory.asave(episode)
        return ToolResult(
            # Without `created_at`: the same call saves the same data (recordings compare it).
            content=f'saved memory {saved_id}',
            data={'id': saved_id, 'episode': episode.model_dump(mode='json', exclude={'created_at'})},
        )

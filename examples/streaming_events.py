"""Streaming a run: `Agent.astream` yields typed events as they happen (model turns, policy decisions, tool calls).

Run it from the repository root: `python examples/streaming_events.py` (no API key, no Docker).
"""

import asyncio
import json

from agentcore import (
    Agent,
    ModelTurnFinished,
    PolicyDecided,
    RunFinished,
    RunStarted,
    ToolCallFinished,
    ToolCallStarted,
    parse_event,
)
from agentcore.testing import ScriptedModel
from agentcore.tools import tool


@tool(side_effects='none')
def word_count(text: str) -> int:
    """Count the words in a text.

    Args:
        text: the text to count.
    """
    return len(text.split())


async def main() -> None:
    """Stream one run and print a line per event."""
    model = ScriptedModel([
        {'tool_calls': [{'name': 'word_count', 'arguments': {'text': 'the quick brown fox'}}]},
        'It has 4 words.',
    ])
    agent = Agent(model=model, tools=[word_count])
    events = []
    async for event in agent.astream('How many words are in "the quick brown fox"?'):
        events.append(event)
        match event:
            case RunStarted():
                print(f'{event.type}: model={event.model}')
            case ModelTurnFinished():
                calls = ', '.join(c['name'] for c in event.tool_calls) or 'none'
                print(f'{event.type}: step {event.step}, tool calls: {calls}, tokens: {event.usage.total_tokens}')
            case PolicyDecided():
                print(f'{event.type}: {event.action} {event.tool}')
            case ToolCallStarted():
                print(f'{event.type}: {event.tool}({json.dumps(event.arguments)})')
            case ToolCallFinished():
                print(f'{event.type}: {event.tool} -> {event.content.splitlines()[1]} (error: {event.is_error})')
            case RunFinished():
                print(f'{event.type}: {event.status}, {event.steps} steps, output: {event.output}')
            case _:
                print(f'{event.type}')
    # Every event is a pydantic model that survives a round trip through JSON (the run store keeps them so).
    last = events[-1]
    assert parse_event(json.loads(last.model_dump_json())) == last
    print('event types:', ' '.join(e.type for e in events))


if __name__ == '__main__':
    asyncio.run(main())

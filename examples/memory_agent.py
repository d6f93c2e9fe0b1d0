"""Episodic memory with `LocalMemory`: the first run is remembered, the second recalls it before its first turn.

Run it from the repository root: `python examples/memory_agent.py` (no API key, no Docker, no server).
"""

import asyncio

from agentcore import Agent, MemoryRecalled, RunFinished
from agentcore.memory import Episode, EpisodeFilter, LocalMemory
from agentcore.testing import ScriptedModel
from agentcore.tools import tool

TASK = 'Which port does the staging API listen on?'


@tool(side_effects='none')
def read_config(name: str) -> str:
    """Read a configuration file.

    Args:
        name: the file name, e.g. `staging.ini`.
    """
    return '[api]\nhost = staging.internal\nport = 8443\n'


def first_run(memory: LocalMemory) -> None:
    """Look the port up with a tool; at its end the run is saved as an episode."""
    model = ScriptedModel([
        {'tool_calls': [{'name': 'read_config', 'arguments': {'name': 'staging.ini'}}]},
        'The staging API listens on port 8443.',
    ])
    Agent(model=model, tools=[read_config], memory=memory, namespace='ops').run(TASK)
    [episode] = memory.list(EpisodeFilter(namespace='ops'))
    print('remembered:', episode.task, '|', episode.outcome, '|', episode.tags, '|', episode.plan_summary)


async def second_run(memory: LocalMemory) -> None:
    """Recall the first run before the first model turn; the model answers without any tool."""
    model = ScriptedModel(['Port 8443 (found in staging.ini last time).'])
    agent = Agent(model=model, memory=memory, namespace='ops')
    async for event in agent.astream(TASK):
        if isinstance(event, MemoryRecalled):
            print(f'recalled from {event.backend}:', [e['task'] for e in event.episodes])
        elif isinstance(event, RunFinished):
            print('answer:', event.output)
    # Recalled episodes reach the model as one user message, wrapped as untrusted data.
    print('the model was told:', model.requests[0].messages[2].content.splitlines()[0])


def main() -> None:
    """Two runs sharing one memory store."""
    # In practice one SQLite file, e.g. LocalMemory('episodes.sqlite3') or open_memory(); here it lives in memory.
    with LocalMemory(':memory:') as memory:
        first_run(memory)
        # Episodes can be saved and searched directly too (hybrid keyword + vector search, best first).
        memory.save(Episode(namespace='ops', task='Rotate the staging TLS certificate', outcome='completed',
                            lessons=['the certificate lives in /etc/ssl/staging'], tags=['tls']))
        hits = memory.search('staging port', k=2, filters=EpisodeFilter(namespace='ops'))
        print('search "staging port":', [hit.episode.task for hit in hits])
        asyncio.run(second_run(memory))


if __name__ == '__main__':
    main()

"""A tool-using agent, offline: a scripted model calls two Python tools in one turn, reads the results and answers.

Run it from the repository root: `python examples/tool_agent.py` (no API key, no Docker).
"""

import json

from agentcore import Agent, Budget
from agentcore.testing import ScriptedModel
from agentcore.tools import tool


@tool(side_effects='none')
def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: the first addend.
        b: the second addend.
    """
    return a + b


@tool(side_effects='none')
def multiply(a: int, b: int) -> int:
    """Multiply two integers.

    Args:
        a: the first factor.
        b: the second factor.
    """
    return a * b


def main() -> None:
    """Run the agent once and show what happened."""
    # Turn 1 asks for both tools at once (they run concurrently); turn 2 is the final answer.
    model = ScriptedModel([
        {'tool_calls': [
            {'name': 'add', 'arguments': {'a': 2, 'b': 3}},
            {'name': 'multiply', 'arguments': {'a': 4, 'b': 5}},
        ]},
        '2 + 3 = 5 and 4 x 5 = 20.',
    ])
    agent = Agent(model=model, tools=[add, multiply], budget=Budget(max_steps=5))
    # What the model sees of a tool: its name, the docstring's summary, and a JSON schema from the type hints.
    spec = add.spec()
    print(f'tool {spec.name!r}: {spec.description}')
    print('  schema:', json.dumps(spec.parameters, sort_keys=True))

    result = agent.run('What are 2 + 3 and 4 x 5?')
    print('status:', result.status)
    print('output:', result.output)
    print('steps:', result.steps, '| tool calls:', result.tool_calls, '| tokens:', result.usage.total_tokens)

    # The second request the model got ends with one tool message per call, in call order. Tool output is
    # untrusted data: it reaches the model inside <untrusted-data> tags.
    for message in model.requests[1].messages[-2:]:
        print(f'{message.role} message from {message.name}: {message.content.splitlines()[1]}')


if __name__ == '__main__':
    main()

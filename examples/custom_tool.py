"""Custom tools two ways: a `Tool` subclass with its own schema and checks, and `@tool` with the call's context.

Run it from the repository root: `python examples/custom_tool.py` (no API key, no Docker).
"""

import re
from typing import Any

from agentcore import Agent
from agentcore.testing import ScriptedModel
from agentcore.tools import Tool, ToolArgumentsError, ToolContext, ToolError, ToolResult, tool

METRES = {'m': 1.0, 'km': 1000.0, 'mi': 1609.344, 'ft': 0.3048}


class ConvertLength(Tool):
    """Converts lengths between units; checks the units before the policy (and the tool) ever see the call."""

    name = 'convert_length'
    description = 'Convert a length from one unit to another (m, km, mi, ft).'
    side_effects = 'none'

    @property
    def parameters(self) -> dict[str, Any]:
        unit = {'type': 'string', 'enum': sorted(METRES)}
        return {
            'type': 'object',
            'properties': {'value': {'type': 'number'}, 'from_unit': unit, 'to_unit': unit},
            'required': ['value', 'from_unit', 'to_unit'],
        }

    def validate_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        for key in ('from_unit', 'to_unit'):
            if arguments.get(key) not in METRES:
                known = ', '.join(sorted(METRES))
                raise ToolArgumentsError(f'{key} must be one of {known}, got {arguments.get(key)!r}')
        if not isinstance(arguments.get('value'), int | float):
            raise ToolArgumentsError('value must be a number')
        return arguments

    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        metres = arguments['value'] * METRES[arguments['from_unit']]
        converted = round(metres / METRES[arguments['to_unit']], 3)
        return ToolResult(content=f'{converted} {arguments["to_unit"]}', data={'value': converted})


@tool(side_effects='none')
def lookup_distance(route: str, ctx: ToolContext) -> str:
    """Look up the length of a running route.

    Args:
        route: the route's name.
        ctx: the call's context (hidden from the model): run id, call id, namespace, sandbox, memory.
    """
    routes = {'river loop': '5 km', 'hill climb': '3 mi'}
    if route not in routes:
        # A ToolError is shown to the model, which can correct itself; any other exception is reported too.
        raise ToolError(f'no route {route!r} in namespace {ctx.namespace!r}; known: {", ".join(sorted(routes))}')
    return routes[route]


def main() -> None:
    """A run in which the model gets two calls wrong before getting them right."""
    model = ScriptedModel([
        {'tool_calls': [{'name': 'lookup_distance', 'arguments': {'route': 'the river'}}]},
        {'tool_calls': [{'name': 'lookup_distance', 'arguments': {'route': 'river loop'}}]},
        {'tool_calls': [{'name': 'convert_length', 'arguments': {'value': 5, 'from_unit': 'km', 'to_unit': 'miles'}}]},
        {'tool_calls': [{'name': 'convert_length', 'arguments': {'value': 5, 'from_unit': 'km', 'to_unit': 'mi'}}]},
        'The river loop is 5 km, about 3.107 miles.',
    ])
    agent = Agent(model=model, tools=[ConvertLength(), lookup_distance], namespace='runners')
    result = agent.run('How long is the river loop in miles?')
    # What the model read after each of its first four turns (the last message of the next request).
    # Tool output arrives inside <untrusted-data> tags; they are left out here.
    for i, request in enumerate(model.requests[1:], 1):
        print(f'after turn {i}:', re.sub(r'</?untrusted-data[^>]*>', '', request.messages[-1].content).strip())
    print('status:', result.status, '| output:', result.output)


if __name__ == '__main__':
    main()

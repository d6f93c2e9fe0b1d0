"""A scripted model file (`scripted:PATH`): model turns written as YAML, usage and cost included.

Run it from the repository root: `python examples/scripted_model_file.py` (no API key, no Docker). The same file
works on the command line: `agentcore run "..." --model scripted:examples/scripts/trip.yaml`.
"""

from pathlib import Path

from agentcore import Agent, Budget
from agentcore.testing import ScriptedModel
from agentcore.tools import tool

SCRIPT = Path(__file__).parent / 'scripts' / 'trip.yaml'


@tool(side_effects='none')
def forecast(city: str) -> str:
    """Tomorrow's weather forecast.

    Args:
        city: the city.
    """
    return f'{city}: sunny, 24 °C'


def main() -> None:
    """Run the script through an agent and report usage and cost."""
    model = ScriptedModel.from_file(SCRIPT)  # the same as Agent(model=f'scripted:{SCRIPT}')
    print('model:', model.name, '| turns:', len(model.turns))
    agent = Agent(model=model, tools=[forecast], budget=Budget(max_steps=5, max_usd=0.01))
    result = agent.run('Should I pack sunglasses for Lisbon tomorrow?')
    print('status:', result.status, '| steps:', result.steps, '| tool calls:', result.tool_calls)
    print('output:', result.output)
    cost = 'unknown' if result.cost_usd is None else f'${result.cost_usd:.4f}'  # None: a model with no known price
    print('usage:', result.usage.input_tokens, 'in,', result.usage.output_tokens, 'out, cost', cost)
    # What the model was told about its malformed first call:
    print('after turn 0:', model.requests[1].messages[-1].content)


if __name__ == '__main__':
    main()

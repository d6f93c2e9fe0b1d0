"""Record a run as a scenario file, replay it offline, and see a replay fail when the behaviour changes.

Run it from the repository root: `python examples/record_replay.py` (no API key, no Docker). The scenario is
written to a temporary folder; `agentcore record` / `agentcore replay` do the same from the command line.
"""

import tempfile
from pathlib import Path

import yaml

from agentcore.scenarios import load_scenario, record, replay_paths, save_scenario
from agentcore.testing import ScriptedModel
from agentcore.tools import tool


@tool(side_effects='none')
def word_count(text: str) -> int:
    """Count the words in a text.

    Args:
        text: the text to count.
    """
    return len(text.split())


def main() -> None:
    """Record, replay, change an expectation, replay again."""
    model = ScriptedModel([
        {'tool_calls': [{'name': 'word_count', 'arguments': {'text': 'to be or not to be'}}]},
        'It has 6 words.',
    ])
    # Tools are named as built-ins (`python`, `read_file`...) or `module:attribute`; this file is importable as
    # `record_replay` because Python puts examples/ first on sys.path.
    scenario = record('word-count', ['How many words are in "to be or not to be"?'], model=model,
                      tools=['record_replay:word_count'], description='Counting words with a tool.')
    with tempfile.TemporaryDirectory(prefix='agentcore-scenarios-') as tmp:
        folder = Path(tmp)
        path = save_scenario(scenario, folder / 'word-count.yaml')
        run = load_scenario(path).runs[0]
        print('recorded:', path.name, '|', len(run.turns), 'turns |', run.result.status, '|', run.result.output)
        print('expectations:', run.expect.model_dump(exclude_defaults=True))

        # Replay: model turns and tool results come from the file; no model, no tools, no network.
        report = replay_paths([folder])
        print('replay:', report.counts(), '| exit code', report.exit_code)

        # Expectations are meant to be edited. One that no longer holds fails the replay, with the reason.
        data = yaml.safe_load(path.read_text(encoding='utf-8'))
        data['runs'][0]['expect']['output'] = {'contains': ['7 words']}
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding='utf-8')
        report = replay_paths([folder])
        print('replay after the edit:', report.counts(), '| exit code', report.exit_code)
        for divergence in report.results[0].divergences:
            print(f'  {divergence.kind} at {divergence.field}: {divergence.message}')


if __name__ == '__main__':
    main()

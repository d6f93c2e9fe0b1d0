"""Scenario replay throughput: scenarios per second, from the recording (default) and with `--verify`.

Replays the shipped `scenarios/` folder in-process:
  - replay: model turns and tool results served from the recordings (what `agentcore replay` does), `ROUNDS` times;
  - baseline: the same agent runs with a plain `ScriptedModel` playing the recorded responses and the same recorded
    tools, but no digest lookup, divergence checks or expectations: the cost of the agent loop itself. The ratio
    `replay_vs_baseline` is what the replay machinery costs on top (1.0 = nothing);
  - verify: tools re-executed in fresh Docker sandboxes (`--verify`), one scenario at a time and `JOBS` at a time.

Skip the Docker part with `--no-verify`. Prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agentcore.scenarios import ReplaySession, ReplayTool, Scenario, areplay_paths, load_scenario, scenario_files
from agentcore.scenarios._replaying import ReplayApprover, ReplayMemory
from agentcore.scenarios._runner import default_instructions, drive, make_agent, resolve_policy
from agentcore.testing import ScriptedModel

FOLDER = Path(__file__).resolve().parents[1] / 'scenarios'


async def _baseline_once(path: Path, scenario: Scenario) -> None:
    config = scenario.config
    policy = resolve_policy(config.policy, file=str(path), base_dir=path.parent)
    session = ReplaySession(scenario)
    for index, run in enumerate(scenario.runs):
        session.begin(index)
        turns: list[Any] = [
            {
                'content': t.response.content,
                'usage': t.response.usage,
                'cost_usd': t.response.cost_usd,
                'tool_calls': [{'id': c.id, 'name': c.name, 'arguments': c.arguments} for c in t.response.tool_calls],
            }
            for t in run.turns
            if t.response is not None
        ]
        memory = ReplayMemory(session) if config.memory is not None else None
        approver = ReplayApprover(session) if any(c.approval for t in run.turns for c in t.calls) else None
        agent = make_agent(
            config,
            model=ScriptedModel(turns),
            tools=[ReplayTool(s, session) for s in scenario.tools],
            policy=policy,
            instructions=config.instructions or default_instructions(),
            memory=memory,
            approver=approver,
        )
        await drive(agent, run.task, run.run_id)


async def _rates(rounds: int, count: int, jobs: dict[str, Any]) -> dict[str, float]:
    """Scenarios per second of each job; rounds interleaved so that load changes hit all of them alike."""
    spent = dict.fromkeys(jobs, 0.0)
    for _ in range(rounds):
        for label, once in jobs.items():
            t0 = time.perf_counter()
            await once()
            spent[label] += time.perf_counter() - t0
    for label, elapsed in spent.items():
        print(
            f'{label:<10} {rounds * count / elapsed:8.2f} scenarios/s  ({rounds} x {count} in {elapsed:.2f} s)',
            file=sys.stderr,
        )
    return {label: rounds * count / elapsed for label, elapsed in spent.items()}


async def main(rounds: int, verify: bool, jobs: int) -> dict[str, Any]:
    files = list(scenario_files([FOLDER]))
    loaded = [(p, load_scenario(p)) for p in files]
    n = len(files)

    async def replay() -> None:
        report = await areplay_paths([FOLDER])
        assert report.exit_code == 0, [r.describe() for r in report.results if not r.passed]

    async def baseline() -> None:
        for p, s in loaded:
            await _baseline_once(p, s)

    await replay()  # warm-up: imports, compiled regexes
    await baseline()
    out: dict[str, Any] = {
        'bench': 'replay_throughput',
        'scenarios': n,
        'rounds': rounds,
        'load_avg_1m': round(os.getloadavg()[0], 2),
    }
    rates = await _rates(rounds, n, {'baseline': baseline, 'replay': replay})
    out['baseline_agent_sps'] = round(rates['baseline'], 2)
    out['replay_sps'] = round(rates['replay'], 2)
    out['replay_vs_baseline'] = round(rates['replay'] / rates['baseline'], 3)
    if verify:

        async def verify_serial() -> None:
            report = await areplay_paths([FOLDER], verify=True, jobs=1)
            assert report.exit_code == 0, [r.describe() for r in report.results if not r.passed]

        async def verify_parallel() -> None:
            report = await areplay_paths([FOLDER], verify=True, jobs=jobs)
            assert report.exit_code == 0, [r.describe() for r in report.results if not r.passed]

        rates = await _rates(1, n, {'verify': verify_serial, f'verify-j{jobs}': verify_parallel})
        out['verify_sps'] = round(rates['verify'], 3)
        out[f'verify_j{jobs}_sps'] = round(rates[f'verify-j{jobs}'], 3)
        out['verify_vs_replay'] = round(rates['verify'] / out['replay_sps'], 4)
    return out


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=10, help='replays of the whole folder per measurement')
    parser.add_argument('--no-verify', action='store_true', help='skip the Docker (--verify) measurements')
    parser.add_argument('--jobs', type=int, default=4, help='parallel scenarios for the second --verify measurement')
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.rounds, not args.no_verify, args.jobs)), sort_keys=True))

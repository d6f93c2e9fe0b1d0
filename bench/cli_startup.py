"""Start-up time of the `agentcore` command line, side by side with a bare interpreter.

Times, in fresh processes, `agentcore --help`, `agentcore --version` and `agentcore replay --help` (each run as the
console script does: `from agentcore.cli import main; main()`), against the baseline `python -c pass`. Reported per
command: median and min wall time in ms, the ratio to the baseline median, and the time agentcore itself adds
(median minus baseline median). Also lists which heavy packages (litellm, langgraph, docker, weaviate, textual,
sqlmodel) each command imported: there should be none. Target: `agentcore --help` median under 300 ms.

On a shared machine the wall-clock numbers include the other processes' load (the load average is printed).

Usage: python bench/cli_startup.py [--runs N]
Prints one JSON object as its last line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 300.0
HEAVY = ('litellm', 'langgraph', 'docker', 'weaviate', 'textual', 'sqlmodel')
ENTRY = 'import sys\nfrom agentcore.cli import main\ntry:\n    main()\nexcept SystemExit:\n    pass\n'
PROBE = ENTRY + f'sys.stderr.write("HEAVY=" + ",".join(m for m in {HEAVY!r} if m in sys.modules) + "\\n")\n'
COMMANDS = {'--help': ['--help'], '--version': ['--version'], 'replay --help': ['replay', '--help']}


def _time(argv: list[str], runs: int) -> list[float]:
    out = []
    env = {**os.environ, 'PYTHONDONTWRITEBYTECODE': '0'}
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def _heavy(args: list[str]) -> list[str]:
    done = subprocess.run([sys.executable, '-c', PROBE, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    line = next(x for x in done.stderr.splitlines() if x.startswith('HEAVY='))
    return [m for m in line.removeprefix('HEAVY=').split(',') if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=15, help='runs per command (after one warm-up run)')
    opts = parser.parse_args()
    _time([sys.executable, '-c', ENTRY, '--help'], 1)  # warm the bytecode cache and the page cache
    base = _time([sys.executable, '-c', 'pass'], opts.runs)
    base_ms = statistics.median(base)
    print(f'load average {os.getloadavg()[0]:.2f}; baseline `python -c pass`: median {base_ms:.1f} ms')
    results: dict[str, dict[str, object]] = {}
    for label, args in COMMANDS.items():
        samples = _time([sys.executable, '-c', ENTRY, *args], opts.runs)
        med = statistics.median(samples)
        results[label] = {'median_ms': round(med, 1), 'min_ms': round(min(samples), 1),
                          'ratio': round(med / base_ms, 2), 'added_ms': round(med - base_ms, 1),
                          'heavy_imports': _heavy(args)}
        print(f'agentcore {label:<14} median {med:6.1f} ms  min {min(samples):6.1f} ms  '
              f'x{med / base_ms:.2f} of baseline  heavy imports: {results[label]["heavy_imports"] or "none"}')
    help_ms = float(results['--help']['median_ms'])  # type: ignore[arg-type]
    print(json.dumps({'bench': 'cli_startup', 'runs': opts.runs, 'baseline_median_ms': round(base_ms, 1),
                      'commands': results, 'target_ms': TARGET_MS, 'ok': help_ms < TARGET_MS and
                      not any(r['heavy_imports'] for r in results.values())}))


if __name__ == '__main__':
    main()

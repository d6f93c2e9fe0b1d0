"""Crash and resume: SIGKILL a real run at random moments, resume it in a new process, and count what went wrong.

Each trial runs one agent (scripted model, real Docker sandbox) in a child process: shell steps that append to a
workspace file (`steps.txt`), an idempotent external tool (a host-side "service" that deduplicates by
`ToolContext.idempotency_key`, the way payment APIs honour `Idempotency-Key`) and a non-idempotent one (appends
to a host file), then `cat steps.txt` and an answer. The parent SIGKILLs the child at a random moment of the run
(after a random one of its events, counted in an uncrashed calibration run, plus up to 0.15 s; a run that ended
first is started again), then resumes it in new processes until it ends. When a resumed run asks about an interrupted non-idempotent call, the parent answers as an honest
user would, from the host file: reject when the effect is there, approve when it is not.

Counted per trial: `workspace_lost` (the final `cat` misses a line written by a step that completed),
`steps_rerun` (a line written twice: a completed step ran again on files that already had its effect),
`duplicate_effects_idempotent` / `duplicate_effects_plain` (an external effect that happened twice),
`asked_about_completed_calls` (the resume asked about a call whose effect had in fact happened: honest for a
non-idempotent tool killed between its effect and the ledger write), `unrecoverable` (the run did not complete
within 4 resumes), and at the end `orphan_containers` (sandbox containers of this bench still present).

Usage: python bench/crash_resume.py [--trials N] [--seed S]
Prints one JSON object as its last line. Target: workspace_lost, steps_rerun, duplicate_effects_idempotent,
unrecoverable and orphan_containers all 0, and completed_after_resume == trials.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

os.environ.setdefault('LITELLM_LOCAL_MODEL_COST_MAP', 'True')

#: The label every container of this bench carries (its value: the bench's session).
BENCH_LABEL = 'agentcore-bench.crash-resume'
STEPS = ('1', '2', '3')


def _turns() -> list[Any]:
    def shell(command: str) -> dict[str, Any]:
        return {'tool_calls': [{'name': 'shell', 'arguments': {'command': command}}]}

    return [
        shell(f'echo {STEPS[0]} >> steps.txt && sleep 0.2'),
        {'tool_calls': [{'name': 'notify', 'arguments': {'message': 'a'}}]},
        shell(f'sleep 0.1 && echo {STEPS[1]} >> steps.txt && sleep 0.1'),
        {'tool_calls': [{'name': 'append_log', 'arguments': {'line': 'b'}}]},
        shell(f'echo {STEPS[2]} >> steps.txt && sleep 0.2'),
        shell('cat steps.txt'),
        'done',
    ]


# -- the child: one process of a run -------------------------------------------------------------------------
def child(mode: str, run_id: str, work: Path, session: str) -> None:
    from agentcore import Agent, RunFinished, RunStarted
    from agentcore.policy import Approve, Reject
    from agentcore.sandbox import DockerSandbox, SandboxConfig
    from agentcore.testing import ScriptedModel
    from agentcore.tools import builtin_tools, tool

    @tool(side_effects='external', idempotent=True)
    def notify(message: str, ctx: Any) -> str:
        """Send a notification (the service deduplicates by idempotency key).

        Args:
            message: what to send.
        """
        keys = work / 'service-keys.txt'
        if keys.exists() and ctx.idempotency_key in keys.read_text().split():
            return 'already sent'
        with (work / 'idempotent-effects.log').open('a') as f:
            f.write(f'{message}\n')
        with keys.open('a') as f:
            f.write(f'{ctx.idempotency_key}\n')
        time.sleep(0.2)
        return 'sent'

    @tool(side_effects='external')
    def append_log(line: str) -> str:
        """Append a line to the host log (not idempotent).

        Args:
            line: the line.
        """
        with (work / 'plain-effects.log').open('a') as f:
            f.write(f'{line}\n')
        time.sleep(0.2)
        return 'appended'

    shell = [t for t in builtin_tools() if t.name == 'shell']
    with DockerSandbox(SandboxConfig(labels={BENCH_LABEL: session})) as box:
        agent = Agent(model=ScriptedModel(_turns()), tools=[*shell, notify, append_log], sandbox=box,
                      guardrails=[], on_interrupted_external='ask')

        progress = (work / 'events').open('a')

        def on_event(event: Any) -> None:
            progress.write('.')  # one byte per event: where the parent times its kill
            progress.flush()
            if isinstance(event, RunStarted):
                (work / 'started').touch()
            elif isinstance(event, RunFinished):
                (work / 'finished').touch()

        if mode == 'run':
            result = agent.run('crash me', run_id=run_id, on_event=on_event)
        else:
            decision = {'approve': Approve(), 'reject': Reject(reason='it already happened')}.get(mode)
            result = agent.resume(run_id, decision)
    print(json.dumps({'status': result.status, 'pending': result.pending_approval, 'output': result.output,
                      'stop_reason': result.stop_reason}), flush=True)


# -- the parent ------------------------------------------------------------------------------------------------
def _spawn(mode: str, run_id: str, work: Path, session: str) -> subprocess.Popen[str]:
    env = {**os.environ, 'AGENTCORE_HOME': str(work / 'home')}
    return subprocess.Popen([sys.executable, __file__, '--child', mode, run_id, str(work), session], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen[str], timeout: float = 180) -> dict[str, Any] | None:
    out, err = proc.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith('{')]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(f'child failed ({proc.returncode}): {err.strip().splitlines()[-1:] or out}\n')
        return None
    return dict(json.loads(lines[-1]))


def _lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def _final_cat(work: Path, run_id: str) -> str | None:
    from agentcore.runstore import RunStore

    store = RunStore(f'sqlite:///{work / "home" / "runs.sqlite"}')
    try:
        calls = [c for c in store.tool_calls(run_id) if '"cat steps.txt"' in c.arguments_json]
        return calls[-1].content if calls else None
    finally:
        store.close()


def _events(work: Path) -> int:
    path = work / 'events'
    return path.stat().st_size if path.exists() else 0


def calibrate(session: str) -> tuple[float, int]:
    """Seconds from the run's start (its `RunStarted`) to its end (`RunFinished`), and its events, uncrashed."""
    with tempfile.TemporaryDirectory(prefix='agentcore-crash-') as tmp:
        work = Path(tmp)
        proc = _spawn('run', uuid.uuid4().hex, work, session)
        while not (work / 'started').exists() and proc.poll() is None:
            time.sleep(0.01)
        t0 = time.monotonic()
        while not (work / 'finished').exists() and proc.poll() is None:
            time.sleep(0.01)
        run_s = time.monotonic() - t0
        result = _finish(proc)
        if result is None or result['status'] != 'completed':
            raise SystemExit(f'the calibration run did not complete: {result}')
        return run_s, _events(work)


def trial(rng: random.Random, events: int, session: str) -> dict[str, Any]:
    """One run SIGKILLed after a random event of its run and up to 0.15 s more, then resumed until it ends.

    A run that finished before its kill landed is started again with a new random moment (up to 5 times), so
    that every trial is a kill in the middle of a run.
    """
    for _attempt in range(5):
        result = _one_run(rng, events, session)
        if result is not None:
            return result
    raise SystemExit('5 runs in a row finished before their kill: the machine is too fast for the kill timing')


def _one_run(rng: random.Random, events: int, session: str) -> dict[str, Any] | None:
    with tempfile.TemporaryDirectory(prefix='agentcore-crash-') as tmp:
        work, run_id = Path(tmp), uuid.uuid4().hex
        proc = _spawn('run', run_id, work, session)
        after = rng.randint(1, max(1, events - 2))
        while _events(work) < after and proc.poll() is None:
            time.sleep(0.002)
        kill_at = time.monotonic() + rng.uniform(0, 0.15)
        while time.monotonic() < kill_at and proc.poll() is None:
            time.sleep(0.002)
        if proc.poll() is not None or (work / 'finished').exists():
            proc.kill()
            proc.communicate(timeout=60)
            return None
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        killed = True
        asked_done = 0
        status, mode = None, 'resume'
        for _ in range(4):
            result = _finish(_spawn(mode, run_id, work, session))
            if result is None:
                break
            status = result['status']
            if status != 'awaiting_approval':
                break
            pending = result['pending'] or {}
            happened = pending.get('tool') == 'append_log' and _lines(work / 'plain-effects.log') == ['b']
            asked_done += happened
            mode = 'reject' if happened else 'approve'
        cat = _final_cat(work, run_id) if status == 'completed' else None
        written = [line for line in (cat or '').split() if line in STEPS]
        return {
            'killed': killed,
            'completed': status == 'completed',
            'workspace_lost': int(status == 'completed' and not set(STEPS) <= set(written)),
            'steps_rerun': max(0, len(written) - len(set(written))),
            'duplicate_effects_idempotent': max(0, len(_lines(work / 'idempotent-effects.log')) - 1),
            'duplicate_effects_plain': max(0, len(_lines(work / 'plain-effects.log')) - 1),
            'asked_about_completed_calls': asked_done,
        }


def orphan_containers(session: str) -> int:
    import docker

    client = docker.from_env()
    try:
        return len(client.containers.list(all=True, filters={'label': f'{BENCH_LABEL}={session}'}))
    finally:
        client.close()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == '--child':
        child(sys.argv[2], sys.argv[3], Path(sys.argv[4]), sys.argv[5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--trials', type=int, default=30)
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    rng, session = random.Random(args.seed), uuid.uuid4().hex[:12]
    run_s, events = calibrate(session)
    results = []
    for i in range(args.trials):
        r = trial(rng, events, session)
        results.append(r)
        print(f'trial {i + 1}/{args.trials}: {r}', file=sys.stderr, flush=True)

    def total(key: str) -> int:
        return sum(int(r[key]) for r in results)

    summary = {
        'trials': args.trials,
        'killed_mid_run': total('killed'),
        'events_per_run': events,
        'run_s': round(run_s, 2),
        'completed_after_resume': total('completed'),
        'workspace_lost': total('workspace_lost'),
        'steps_rerun': total('steps_rerun'),
        'duplicate_effects_idempotent': total('duplicate_effects_idempotent'),
        'duplicate_effects_plain': total('duplicate_effects_plain'),
        'asked_about_completed_calls': total('asked_about_completed_calls'),
        'unrecoverable': args.trials - total('completed'),
        'orphan_containers': orphan_containers(session),
    }
    summary['met'] = (summary['completed_after_resume'] == args.trials and not any(
        summary[k] for k in ('workspace_lost', 'steps_rerun', 'duplicate_effects_idempotent', 'unrecoverable',
                             'orphan_containers')))
    print(json.dumps(summary))


if __name__ == '__main__':
    main()

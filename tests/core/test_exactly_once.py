"""Exactly-once external effects: a stable idempotency key per call, the ledger, and what a resume does with a call
that a SIGKILL cut off (real child processes, a host file as the effect)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from agentcore import Agent
from agentcore.policy import ApprovalRequest, CLIApprover, Policy
from agentcore.testing import ScriptedModel
from agentcore.tools import ToolContext, tool

SCRIPT = Path(__file__).with_name('_effects_agent.py')


def _env(tmp_path: Path, home: Path, hang: str) -> dict[str, str]:
    return {**os.environ, 'EFFECTS_LOG': str(tmp_path / 'effects.log'), 'AGENTCORE_HOME': str(home),
            'EFFECTS_HANG': hang}


def kill_when_hung(run_id: str, env: dict[str, str]) -> None:
    """Start `_effects_agent.py run RUN_ID`, SIGKILL it once it hangs at `EFFECTS_HANG` (its marker file appears)."""
    marker = Path(env['EFFECTS_LOG'] + '.marker')
    proc = subprocess.Popen([sys.executable, str(SCRIPT), 'run', run_id], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f'the agent never reached {env["EFFECTS_HANG"]}: {err.decode()[-2000:]}')
        time.sleep(0.02)
    time.sleep(0.6)  # past one output-tail write of the hung call (every 0.5 s): what a resume can show
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def resume(run_id: str, env: dict[str, str], mode: str = 'resume') -> list[str]:
    env = {**env, 'EFFECTS_HANG': ''}
    out = subprocess.run([sys.executable, str(SCRIPT), mode, run_id], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1].split('|')


def effects(env: dict[str, str]) -> list[str]:
    return Path(env['EFFECTS_LOG']).read_text().splitlines()


def test_the_idempotency_key_is_stable_per_call_and_distinct_across_calls() -> None:
    key = ToolContext(run_id='r1', call_id='c1').idempotency_key
    assert key == ToolContext(run_id='r1', call_id='c1').idempotency_key
    assert key.startswith('agentcore-') and len(key) == 50 and key.isascii()
    others = {ToolContext(run_id=r, call_id=c).idempotency_key for r, c in [('r1', 'c2'), ('r2', 'c1'), ('r', '1c1')]}
    assert key not in others and len(others) == 3


def test_tools_declare_idempotency() -> None:
    @tool(idempotent=True)
    def put(x: int) -> int:
        """Put x.

        Args:
            x: the value.
        """
        return x

    @tool
    def post(x: int) -> int:
        """Post x.

        Args:
            x: the value.
        """
        return x

    assert put.idempotent and not post.idempotent


async def test_a_call_sees_the_same_key_on_every_attempt_of_a_run() -> None:
    seen: list[str] = []

    @tool(side_effects='external', idempotent=True)
    def send(n: int, ctx: ToolContext) -> str:
        """Send n.

        Args:
            n: the number.
        """
        seen.append(ctx.idempotency_key)
        return 'sent'

    model = ScriptedModel([{'tool_calls': [{'id': 'a', 'name': 'send', 'arguments': {'n': 1}}]},
                           {'tool_calls': [{'id': 'b', 'name': 'send', 'arguments': {'n': 2}}]}, 'done'])
    result = await Agent(model=model, tools=[send], checkpointer='memory',
                         policy=Policy.allow_all()).arun('send twice', run_id='run-k')
    assert result.status == 'completed'
    assert seen == [ToolContext(run_id='run-k', call_id='a').idempotency_key,
                    ToolContext(run_id='run-k', call_id='b').idempotency_key]


@pytest.mark.slow
def test_an_idempotent_call_cut_off_by_sigkill_is_retried_with_its_key_and_applied_once(
    tmp_path: Path, agentcore_home: Path
) -> None:
    env = _env(tmp_path, agentcore_home, 'send')
    kill_when_hung('eo-send', env)
    assert [line.split()[0] for line in effects(env)] == ['send']
    # No question: the call is retried with the same key, the receiver sees it again and applies it once.
    status, output, _, _ = resume('eo-send', env)
    assert (status, output) == ('completed', 'sent and charged')
    lines = effects(env)
    assert [line.split()[:2] for line in lines] == [['send', '1'], ['charge', '5']]
    key = ToolContext(run_id='eo-send', call_id='call-send').idempotency_key
    assert lines[0].split()[2] == key


@pytest.mark.slow
def test_a_non_idempotent_call_cut_off_by_sigkill_asks_saying_it_may_have_taken_effect(
    tmp_path: Path, agentcore_home: Path
) -> None:
    env = _env(tmp_path, agentcore_home, 'charge')
    kill_when_hung('eo-charge', env)
    status, _, reason, output_seen = resume('eo-charge', env)
    assert status == 'awaiting_approval'
    assert 'may already have taken effect' in reason and 'started at 20' in reason
    assert 'charge 5 applied, waiting for the receipt' in output_seen
    # Rejected: the charge is not made a second time; the run completes.
    status, output, _, _ = resume('eo-charge', env, 'reject')
    assert (status, output) == ('completed', 'sent and charged')
    assert [line.split()[:2] for line in effects(env)] == [['send', '1'], ['charge', '5']]


def test_agentcore_resume_says_what_is_known_of_the_call(capsys: pytest.CaptureFixture[str]) -> None:
    from agentcore.cli._run import _print_interrupted

    _print_interrupted({'call_id': 'c', 'tool': 'charge', 'arguments': {'n': 5}, 'args_hash': 'h',
                        'rule': 'interrupted_external', 'reason': 'r', 'may_have_taken_effect': True,
                        'started_at': '2030-01-01T00:00:00+00:00', 'output_seen': 'charged 5\x1b]0;title\x07'})
    out = capsys.readouterr().out
    assert 'may already have taken effect' in out and '2030-01-01T00:00:00+00:00' in out and 'charged 5' in out
    assert '\x1b' not in out


def test_the_cli_approver_shows_that_the_call_may_have_taken_effect() -> None:
    import asyncio
    import io

    request = ApprovalRequest(call_id='c', tool_name='charge', arguments={'n': 5}, args_hash='h',
                              rule='interrupted_external', reason='r', may_have_taken_effect=True,
                              started_at='2030-01-01T00:00:00+00:00', output_seen='charged 5\nwaiting\n')
    out = io.StringIO()
    decision = asyncio.run(CLIApprover(input=io.StringIO('r\nalready charged\n'), output=out).decide(request))
    assert decision.kind == 'reject'
    text = out.getvalue()
    assert 'may already have taken effect' in text and '2030-01-01T00:00:00+00:00' in text
    assert 'charged 5' in text and 'waiting' in text


async def test_the_tui_dialog_shows_that_the_call_may_have_taken_effect() -> None:
    from textual.widgets import Static

    from agentcore.tui._approval import ApprovalScreen, ApprovalView

    request = ApprovalRequest(call_id='c', tool_name='charge', arguments={'n': 5}, args_hash='h',
                              rule='interrupted_external', reason='r', may_have_taken_effect=True,
                              started_at='2030-01-01T00:00:00+00:00', output_seen='charged 5')
    from textual.app import App

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ApprovalScreen(ApprovalView.of(request)))

    app = Host()
    async with app.run_test() as pilot:
        await pilot.pause()
        shown = str(app.screen.query_one('#taken-effect', Static).render())
    assert 'may already have taken effect' in shown and '2030-01-01T00:00:00+00:00' in shown and 'charged 5' in shown


async def test_the_output_of_a_running_call_is_kept_in_the_ledger_while_it_runs() -> None:
    import asyncio

    checked: dict[str, Any] = {}
    agent: Agent

    @tool(side_effects='external')
    async def work(ctx: ToolContext) -> str:
        """Work a while, printing."""
        assert ctx.on_output is not None
        ctx.on_output('stdout', 'x' * 5000 + 'step one\n')
        ctx.on_output('stderr', 'careful\n')
        for _ in range(500):  # poll the ledger until the tail is there
            rec = agent.store.tool_call(ctx.run_id, ctx.call_id)
            if rec is not None and rec.output_tail:
                checked['tail'] = rec.output_tail
                break
            await asyncio.sleep(0.01)
        return 'worked'

    agent = Agent(model=ScriptedModel([{'tool_calls': [{'name': 'work', 'arguments': {}}]}, 'done']), tools=[work],
                  checkpointer='memory', policy=Policy.allow_all())
    result = await agent.arun('work')
    assert result.status == 'completed'
    tail = checked['tail']
    assert tail.endswith('step one\n[stderr] careful\n') and len(tail) == 4096

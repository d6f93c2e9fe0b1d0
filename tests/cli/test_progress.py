"""`agentcore run`'s status line: what the run does, and how long the model call has waited."""

from __future__ import annotations

import io

from rich.console import Console

from agentcore import ModelTokenDelta, ModelTurnStarted, RunFinished, ToolCallStarted
from agentcore.cli._progress import RunProgress


def test_each_phase_gets_its_own_line_and_clock() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with RunProgress('openai/local', console=console, enabled=True) as progress:
        progress.on_event(ModelTurnStarted(run_id='r', step=1))
        assert progress.current == 'step 1: waiting for openai/local'
        assert progress._progress is not None and len(progress._progress.tasks) == 1
        progress.on_event(ModelTokenDelta(run_id='r', step=1, text='Hel'))
        progress.on_event(ModelTokenDelta(run_id='r', step=1, text='lo'))  # same phase: the clock keeps running
        assert progress.current == 'step 1: openai/local is writing'
        progress.on_event(ToolCallStarted(run_id='r', call_id='c', tool='shell', arguments={}))
        assert progress.current == 'running shell'
        assert [t.description for t in progress._progress.tasks] == ['running shell']
        progress.on_event(RunFinished(run_id='r', status='completed'))
        assert progress.current == 'running shell'  # events that start no phase leave the line alone
    assert 'waiting for openai/local' in out.getvalue()


def test_off_when_not_a_terminal() -> None:
    with RunProgress('m', enabled=False) as progress:
        progress.on_event(ModelTurnStarted(run_id='r', step=1))
        assert progress._progress is None and progress.current == 'step 1: waiting for m'

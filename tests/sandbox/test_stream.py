"""Streaming a running command's output (`exec`/`aexec` with `on_output`) from a real sandbox."""

from __future__ import annotations

import asyncio
import threading

import pytest

from agentcore.sandbox import DockerSandbox, ExecResult, Limit
from agentcore.sandbox._exec_io import OutputRelay

from .test_exec import _processes

#: Prints a line, then waits (up to 20 s) for the file `go`, which the tests create only after the first chunk.
_WAIT_FOR_GO = (
    'echo first; for i in $(seq 400); do [ -e go ] && break; sleep 0.05; done; '
    '[ -e go ] && echo second || echo gave-up; rm -f go'
)


class Recorder:
    """An `on_output` that keeps every chunk and the thread it came on."""

    def __init__(self) -> None:
        self.chunks: list[tuple[str, str]] = []
        self.threads: set[int] = set()

    def __call__(self, stream: str, text: str) -> None:
        self.chunks.append((stream, text))
        self.threads.add(threading.get_ident())

    def text(self, stream: str) -> str:
        return ''.join(t for s, t in self.chunks if s == stream)


def _touch_go(sb: DockerSandbox) -> None:
    """Create `go` in the workspace through the engine (the sandbox itself is busy running the command)."""
    result = sb._client.containers.get(sb.id).exec_run(['touch', '/workspace/go'], user='1000')
    assert result.exit_code == 0


def _without_timing(result: ExecResult) -> ExecResult:
    from dataclasses import replace

    return replace(result, duration_s=0.0)


@pytest.mark.docker
def test_chunks_arrive_while_the_command_runs(sb: DockerSandbox) -> None:
    order: list[str] = []

    def on_output(stream: str, text: str) -> None:
        order.append(f'{stream}:{text}')
        if len(order) == 1:
            _touch_go(sb)  # only now can the command go on: without streaming it would give up
            order.append('touched')

    result = sb.exec(_WAIT_FOR_GO, on_output=on_output)
    assert result.exit_code == 0 and result.stdout == 'first\nsecond\n'
    assert order == ['stdout:first\n', 'touched', 'stdout:second\n']


@pytest.mark.docker
def test_stderr_is_streamed_separately_and_the_result_is_unchanged(sb: DockerSandbox) -> None:
    cmd = 'echo out1; echo err1 >&2; sleep 0.2; echo out2; echo err2 >&2; exit 3'
    seen = Recorder()
    streamed = sb.exec(cmd, on_output=seen)
    plain = sb.exec(cmd)
    assert _without_timing(streamed) == _without_timing(plain)
    assert (seen.text('stdout'), seen.text('stderr')) == ('out1\nout2\n', 'err1\nerr2\n')
    assert (streamed.exit_code, streamed.stdout, streamed.stderr) == (3, 'out1\nout2\n', 'err1\nerr2\n')
    assert seen.threads == {threading.get_ident()}


@pytest.mark.docker
def test_streamed_output_flood_stays_capped_and_coalesced(sb: DockerSandbox) -> None:
    limit = sb.config.output_limit_bytes
    seen = Recorder()
    result = sb.exec('head -c 50000000 /dev/zero | tr "\\0" x; echo tail >&2', on_output=seen)
    assert result.exit_code == 0 and result.truncated and result.limit is Limit.OUTPUT
    assert len(result.stdout) == limit and result.stderr.startswith('tail\n')
    assert seen.text('stdout') == result.stdout and seen.text('stderr') == 'tail\n'
    assert len(seen.chunks) <= limit // (8 << 10) + 2  # coalesced: (nearly) every frame carries >= 8 KiB
    assert sb.exec('echo ok').stdout == 'ok\n'


@pytest.mark.docker
def test_streaming_timeout_still_kills_the_process_tree(sb: DockerSandbox) -> None:
    seen = Recorder()
    script = 'echo started; setsid sh -c "sleep 1011" & (sh -c "sleep 1012 &"); yes | head -c 3000000 >&2; sleep 1010'
    result = sb.exec(script, timeout_s=1.5, on_output=seen)
    assert result.timed_out and result.limit is Limit.TIMEOUT and result.exit_code == -9
    assert seen.text('stdout') == 'started\n' and result.stdout == 'started\n'
    assert len(seen.text('stderr')) == sb.config.output_limit_bytes and result.truncated
    assert [p for p in _processes(sb) if 'sleep 101' in p] == []


@pytest.mark.docker
async def test_aexec_streams_on_the_event_loop_thread(sb: DockerSandbox) -> None:
    seen = Recorder()
    first = asyncio.Event()

    def on_output(stream: str, text: str) -> None:
        seen(stream, text)
        first.set()

    task = asyncio.create_task(sb.aexec(_WAIT_FOR_GO, on_output=on_output))
    await asyncio.wait_for(first.wait(), 20)
    assert not task.done() and seen.chunks == [('stdout', 'first\n')]
    await asyncio.to_thread(_touch_go, sb)
    result = await task
    assert result.stdout == 'first\nsecond\n' and seen.text('stdout') == result.stdout  # all delivered before return
    assert seen.threads == {threading.get_ident()}


def test_relay_joins_characters_split_across_frames_and_survives_a_failing_callback() -> None:
    seen = Recorder()
    relay = OutputRelay(seen)
    data = 'héllo ✓'.encode()
    relay.frame({'op': 'out', 'stream': 'stdout'}, data[:2])
    relay.frame({'op': 'out', 'stream': 'stdout'}, data[2:-1])
    relay.frame({'op': 'out', 'stream': 'stderr'}, b'\xff')
    relay.frame({'op': 'out', 'stream': 'stdout'}, data[-1:])
    relay.finish()
    assert seen.text('stdout') == 'héllo ✓' and seen.text('stderr') == '\ufffd'

    calls = []

    def failing(stream: str, text: str) -> None:
        calls.append(text)
        raise RuntimeError('display broke')

    broken = OutputRelay(failing)
    broken.frame({'stream': 'stdout'}, b'a')
    broken.frame({'stream': 'stdout'}, b'b')
    assert calls == ['a']

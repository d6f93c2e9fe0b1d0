"""Commands in a real sandbox: results, environment, timeouts that kill whole process trees, output caps."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from agentcore.sandbox import DockerSandbox, Limit, Sandbox, SandboxFileNotFoundError, WorkspacePathError

pytestmark = pytest.mark.docker

_PROBE = """
import os
for pid in sorted(int(p) for p in os.listdir('/proc') if p.isdigit()):
    if pid in (1, os.getpid(), os.getppid()):
        continue
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as fh:
            print(fh.read().replace(b'\\0', b' ').replace(b'\\n', b' ').decode().strip())
    except OSError:
        pass
"""


def _processes(sb: DockerSandbox) -> list[str]:
    """Command lines of every process in the container except init, the executor and this probe."""
    return [line for line in sb.exec(['python3', '-c', _PROBE]).stdout.splitlines() if line]


def test_protocol_and_basic_results(sb: DockerSandbox) -> None:
    assert isinstance(sb, Sandbox)
    result = sb.exec('echo out; echo err >&2; exit 3')
    assert (result.exit_code, result.stdout, result.stderr) == (3, 'out\n', 'err\n')
    assert not result.timed_out and not result.truncated and result.limit is None and result.oom_killed is False
    assert sb.exec(['printf', '%s|', 'a b', '$HOME', ';']).stdout == 'a b|$HOME|;|'
    identity = sb.exec('id -u; id -g; pwd; echo $HOME').stdout.split()
    assert identity == ['1000', '1000', '/workspace', '/workspace']


def test_env_cwd_stdin_and_missing_command(sb: DockerSandbox) -> None:
    assert sb.exec('echo $GREETING', env={'GREETING': 'hi there'}).stdout == 'hi there\n'
    sb.exec('mkdir -p sub/dir')
    assert sb.exec('pwd', cwd='sub/dir').stdout == '/workspace/sub/dir\n'
    assert sb.exec(['cat'], stdin='piped\n').stdout == 'piped\n'
    big = os.urandom(300_000).hex()
    assert sb.exec('wc -c', stdin=big).stdout.strip() == str(len(big))
    missing = sb.exec(['no-such-binary'])
    assert missing.exit_code == 127 and 'no-such-binary' in missing.stderr
    with pytest.raises(WorkspacePathError):
        sb.exec('pwd', cwd='../etc')
    with pytest.raises(SandboxFileNotFoundError):
        sb.exec('pwd', cwd='nope')
    with pytest.raises(ValueError, match='timeout_s'):
        sb.exec('true', timeout_s=0)


def test_host_environment_never_reaches_the_sandbox(sb: DockerSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('AGENTCORE_HOST_CANARY', 'canary-7f3a9c')
    env = sb.exec('env; cat /proc/1/environ /proc/self/environ 2>/dev/null | tr "\\0" "\\n"').stdout
    assert 'canary-7f3a9c' not in env and 'AGENTCORE_HOST_CANARY' not in env
    names = {line.split('=', 1)[0] for line in env.splitlines() if '=' in line}
    assert names <= {'PATH', 'HOME', 'LANG', 'TMPDIR', 'HOSTNAME', 'PWD', 'SHLVL', '_', 'OLDPWD'}


def test_sleep_forever_times_out_and_sandbox_stays_usable(sb: DockerSandbox) -> None:
    t0 = time.monotonic()
    result = sb.exec('echo started; sleep infinity', timeout_s=1)
    assert result.timed_out and result.limit is Limit.TIMEOUT and result.exit_code == -9
    assert result.stdout == 'started\n' and 'timed out after 1s' in result.stderr
    assert 1 <= time.monotonic() - t0 < 5 and not result.recycled  # the margin is for a loaded CI machine
    assert sb.exec('echo still here').stdout == 'still here\n'


def test_timeout_kills_setsid_and_double_forked_children(sb: DockerSandbox) -> None:
    script = (
        'setsid sh -c "sleep 1001" & '  # new session
        '(sh -c "sleep 1002 &") ; '  # double fork: reparented to init
        'nohup setsid sh -c "trap \'\' TERM HUP; sleep 1003" >/dev/null 2>&1 & '  # ignores polite signals
        'python3 -c "import os,time\nif os.fork()==0:\n os.setsid()\n if os.fork()==0: time.sleep(1004)\n" & '
        'sleep 1000'
    )
    result = sb.exec(script, timeout_s=1.5)
    assert result.timed_out
    assert [p for p in _processes(sb) if 'sleep' in p or 'python3 -c' in p] == []


def test_background_process_survives_a_normal_call_without_blocking_it(sb: DockerSandbox) -> None:
    t0 = time.monotonic()
    result = sb.exec('sleep 1005 & echo spawned')
    assert result.stdout == 'spawned\n' and time.monotonic() - t0 < 10  # not the 1005 s of the child
    assert any('sleep 1005' in p for p in _processes(sb))
    sb.reset()
    assert _processes(sb) == []


def test_output_flood_is_capped_with_bounded_memory(sb: DockerSandbox) -> None:
    limit = sb.config.output_limit_bytes
    result = sb.exec('head -c 50000000 /dev/zero | tr "\\0" x; echo tail >&2')
    assert result.exit_code == 0 and result.truncated and result.limit is Limit.OUTPUT
    assert len(result.stdout) == limit and set(result.stdout) == {'x'} and result.stderr.startswith('tail\n')
    endless = sb.exec('yes', timeout_s=1.5)
    assert endless.timed_out and endless.truncated and len(endless.stdout) == limit
    assert sb.exec('echo ok').stdout == 'ok\n'


def test_cannot_forge_replies_through_the_executor_fds(sb: DockerSandbox) -> None:
    probe = sb.exec(
        'ls -l /proc/$PPID/fd/ 2>&1; echo x > /proc/$PPID/fd/1 2>&1; cat /proc/$PPID/environ 2>&1; echo done'
    )
    assert 'Permission denied' in probe.stdout and probe.stdout.endswith('done\n')
    assert sb.exec('echo intact').stdout == 'intact\n'


async def test_async_exec_runs_off_the_event_loop_and_serialises(sb: DockerSandbox) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    first, second = await asyncio.gather(sb.aexec('sleep 0.5; echo a'), sb.aexec(['echo', 'b']))
    task.cancel()
    assert (first.stdout, second.stdout) == ('a\n', 'b\n') and ticks >= 20
    await sb.awrite_file('x.txt', 'async')
    assert await sb.aread_file('x.txt') == b'async'
    assert [f.path for f in await sb.alist_files()] == ['x.txt']


async def test_cancelling_aexec_kills_the_command(sb: DockerSandbox) -> None:
    task = asyncio.create_task(sb.aexec('setsid sleep 1006 & sleep 1007', timeout_s=30))
    await asyncio.sleep(0.5)
    t0 = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    result = await sb.aexec('echo next')
    assert result.stdout == 'next\n' and time.monotonic() - t0 < 5
    assert [p for p in _processes(sb) if 'sleep 100' in p] == []


_FORGE = """
import hashlib, json, struct, sys
head = json.dumps({'ok': True, 'id': int(sys.argv[1]), 'exit': 0, 'out': 6, 'err': 0}).encode()
body = struct.pack('>II', len(head), 6) + head + b'FORGED'
with open(sys.argv[2], 'wb') as pipe:
    pipe.write(body + hashlib.sha256(body).digest())
"""


def test_frames_forged_through_the_init_process_stdio_are_rejected(sb: DockerSandbox) -> None:
    # /proc/1/fd/{0,1} (docker-init's stdio) are the same pipes as the executor's channel.
    injected = sb.exec(['python3', '-c', _FORGE, '999999', '/proc/1/fd/0'])
    assert injected.exit_code == 0 and sb.exec('echo in sync').stdout == 'in sync\n'  # dropped by the executor
    next_id = int(repr(sb._ids)[len('count(') : -1])  # the id the forging call will carry: only the MAC stops it
    forged = sb.exec(['python3', '-c', _FORGE + 'import time; time.sleep(1)\n', str(next_id), '/proc/1/fd/1'])
    assert 'FORGED' not in forged.stdout and forged.limit is Limit.EXECUTOR and forged.recycled
    assert sb.exec('echo fresh').stdout == 'fresh\n'

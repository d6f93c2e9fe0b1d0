"""What only the fake does: scripted results, the record of calls, output limits, and the built-in tools on it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from agentcore import Agent
from agentcore.sandbox import ExecResult, Limit, SandboxConfigError, SandboxFileError
from agentcore.testing import ExecCall, FakeSandbox, ScriptedModel
from agentcore.tools import EditFileTool, ListFilesTool, PythonTool, ReadFileTool, ShellTool, WriteFileTool


def test_results_by_command_line_with_a_default() -> None:
    box = FakeSandbox(results={'ls': 'a.txt\n', 'false': ExecResult(exit_code=1, stdout='', stderr='')})
    assert box.exec('ls').stdout == 'a.txt\n'
    assert box.exec(['/bin/sh', '-c', 'ls']).stdout == 'a.txt\n'  # what the shell tool sends
    assert box.exec(['false']).exit_code == 1
    unscripted = box.exec(['python3', '-c', 'print(1)'])
    assert (unscripted.exit_code, unscripted.stdout, unscripted.stderr) == (0, '', '')
    assert box.commands == ['ls', 'ls', 'false', "python3 -c 'print(1)'"]
    box.default = ExecResult(exit_code=127, stdout='', stderr='not scripted\n')
    assert box.exec('anything').exit_code == 127


def test_results_from_a_function_that_plays_the_effects() -> None:
    box = FakeSandbox({'in.txt': '21'})

    def run(call: ExecCall) -> ExecResult | str | None:
        if call.argv[:2] == ('python3', '-'):
            value = int(box.read_file('in.txt')) * 2
            box.write_file('out.txt', str(value))
            return f'{value}\n'
        return None

    box.results = run
    assert box.exec(['python3', '-'], stdin='double it').stdout == '42\n'
    assert box.read_file('out.txt') == b'42' and box.exec('ls').stdout == ''


def test_the_record_of_calls() -> None:
    box = FakeSandbox({'src/x': ''})
    box.exec('make test', timeout_s=5, env={'CI': '1'}, cwd='/workspace/src', stdin=b'y\n', on_output=lambda s, t: None)
    [call] = box.calls
    assert call == ExecCall(command='make test', argv=('/bin/sh', '-c', 'make test'), stdin=b'y\n', timeout_s=5,
                            env={'CI': '1'}, cwd='src', streamed=True)  # fmt: skip
    box.reset()
    assert box.calls == [call]  # reset empties the workspace, not the record


def test_output_over_the_limit_is_cut_as_the_real_sandbox_cuts_it() -> None:
    box = FakeSandbox(results={'big': ExecResult(exit_code=0, stdout='0123456789abcdef', stderr='warn')},
                      output_limit_bytes=10)  # fmt: skip
    result = box.exec('big')
    assert (result.stdout, result.truncated, result.limit) == ('0123456789', True, Limit.OUTPUT)
    assert result.stderr == 'warn\nagentcore: output over 10 bytes per stream was discarded\n'
    timed = ExecResult(exit_code=-9, stdout='x' * 20, stderr='', timed_out=True, limit=Limit.TIMEOUT)
    box.results = {'slow': timed}
    assert box.exec('slow').limit is Limit.TIMEOUT  # the more serious limit stays


def test_a_failing_output_callback_does_not_break_the_command() -> None:
    box = FakeSandbox(results={'x': ExecResult(exit_code=0, stdout='out', stderr='err')})
    calls: list[str] = []

    def broken(stream: str, text: str) -> None:
        calls.append(stream)
        raise RuntimeError('display gone')

    assert box.exec('x', on_output=broken).stdout == 'out' and calls == ['stdout']


def test_bad_scripts_and_settings() -> None:
    box = FakeSandbox(results={'x': 42})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="scripted result for 'x'"):
        box.exec('x')
    with pytest.raises(SandboxConfigError):
        FakeSandbox(workdir='relative')
    with pytest.raises(SandboxConfigError):
        FakeSandbox(output_limit_bytes=0)
    with pytest.raises(SandboxFileError, match='max_file_bytes'):
        FakeSandbox(max_file_bytes=3).write_file('a', 'four')
    with pytest.raises(SandboxFileError, match='not a directory'):
        FakeSandbox({'a': 'file'}).write_file('a/b', 'x')


async def test_a_cancelled_aexec_raises_and_a_pre_cancelled_one_does_not_run() -> None:
    started, release = threading.Event(), threading.Event()

    def slow(call: ExecCall) -> str:
        started.set()
        release.wait(5)
        return 'late'

    box = FakeSandbox(results=slow)
    task = asyncio.ensure_future(box.aexec('wait'))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()
    cancelled = threading.Event()
    cancelled.set()
    result = box._exec('x', timeout_s=None, env=None, cwd=None, stdin=None, cancel=cancelled)
    assert result.exit_code == -9 and 'cancelled before it started' in result.stderr


def test_the_built_in_tools_on_the_fake_in_an_agent_run() -> None:
    box = FakeSandbox({'notes.txt': 'one\ntwo\n'}, results={'wc -l notes.txt': '2 notes.txt\n'})
    model = ScriptedModel([
        {'tool_calls': [{'name': 'read_file', 'arguments': {'path': 'notes.txt'}},
                        {'name': 'shell', 'arguments': {'command': 'wc -l notes.txt'}}]},
        {'tool_calls': [{'name': 'edit_file', 'arguments': {'path': 'notes.txt', 'search': 'two', 'replace': 'deux'}},
                        {'name': 'write_file', 'arguments': {'path': 'out/count.txt', 'content': '2'}}]},
        {'tool_calls': [{'name': 'list_files', 'arguments': {'path': '.', 'recursive': True}},
                        {'name': 'python', 'arguments': {'code': 'print(1)'}}]},
        'two lines',
    ])  # fmt: skip
    tools = [ReadFileTool(), ShellTool(), EditFileTool(), WriteFileTool(), ListFilesTool(), PythonTool()]
    result = Agent(model=model, tools=tools, sandbox=box, checkpointer='memory').run('count the lines')
    assert (result.status, result.output, result.tool_calls) == ('completed', 'two lines', 6)
    assert box.read_file('notes.txt') == b'one\ndeux\n' and box.read_file('out/count.txt') == b'2'
    assert box.commands == ['wc -l notes.txt', 'python3 -']
    assert box.calls[1].stdin == 'print(1)'
    tool_messages = [m.content for m in model.requests[-1].messages if m.role == 'tool']
    assert any('2 notes.txt' in m for m in tool_messages)
    assert any('notes.txt  (9 bytes)' in m and 'out/count.txt  (1 bytes)' in m for m in tool_messages)

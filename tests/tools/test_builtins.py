"""The sandboxed built-in tools against `agentcore.testing.FakeSandbox` (scripted command results, files in memory).

The persistent Python session needs a real interpreter: those tests run the fake's commands on the host (`host_python`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from agentcore.sandbox import ExecResult, Limit
from agentcore.testing import FakeSandbox
from agentcore.tools import (
    EditFileTool,
    ListFilesTool,
    PythonTool,
    ReadFileTool,
    ShellTool,
    ToolArgumentsError,
    ToolContext,
    ToolError,
    WriteFileTool,
    builtin_tools,
    host_tools,
)

TRACEBACK = 'Traceback (most recent call last):\n  File "<stdin>", line 2, in <module>\nZeroDivisionError: division by zero\n'
TIMED_OUT = ExecResult(exit_code=-9, stdout='', stderr='', timed_out=True, limit=Limit.TIMEOUT)


def test_toolsets_names_side_effects_and_sources() -> None:
    tools = builtin_tools()
    assert [(t.name, t.side_effects, t.source) for t in tools] == [
        ('python', 'sandbox', 'builtin'),
        ('shell', 'sandbox', 'builtin'),
        ('read_file', 'none', 'builtin'),
        ('write_file', 'sandbox', 'builtin'),
        ('list_files', 'none', 'builtin'),
        ('edit_file', 'sandbox', 'builtin'),
    ]
    assert [(t.name, t.side_effects) for t in host_tools()] == [
        ('http_fetch', 'external'),
        ('memory_search', 'none'),
        ('memory_save', 'external'),
    ]
    python = builtin_tools(persistent_python=True)[0]
    assert isinstance(python, PythonTool) and python.persistent
    assert 'persistent' in python.description


def test_python_schema_hides_the_context() -> None:
    assert PythonTool().parameters == {
        'type': 'object',
        'properties': {
            'code': {'type': 'string', 'description': 'The Python source to run.'},
            'timeout_s': {
                'anyOf': [{'type': 'number', 'exclusiveMinimum': 0, 'maximum': 600}, {'type': 'null'}],
                'default': None,
                'description': 'Seconds before the code is killed (default 120, at most 600).',
            },
        },
        'required': ['code'],
    }


async def test_python_runs_code_on_stdin_in_the_workspace(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    fake_sandbox.write_file('data.txt', '42')
    fake_sandbox.results = {'python3 -': '42 /workspace\n'}  # what the code prints in a real sandbox
    result = await PythonTool().run({'code': 'import os\nprint(open("data.txt").read(), os.getcwd())'}, ctx)
    assert result.content == '42 /workspace'
    assert result.data is not None
    assert (result.data['exit_code'], result.data['stdout'], result.is_error) == (
        0,
        '42 /workspace\n',
        False,
    )
    assert fake_sandbox.calls[-1].argv == ('python3', '-') and fake_sandbox.calls[-1].cwd == '.'
    stdin = fake_sandbox.calls[-1].stdin
    assert isinstance(stdin, str) and stdin.startswith('import os')


async def test_python_failure_shows_traceback_and_exit_code(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    fake_sandbox.results = {'python3 -': ExecResult(exit_code=1, stdout='before\n', stderr=TRACEBACK)}
    result = await PythonTool().run({'code': 'print("before")\n1/0'}, ctx)
    assert result.is_error
    assert result.content.startswith('before\n[stderr]\nTraceback')
    assert result.content.endswith('ZeroDivisionError: division by zero\n[exit code 1]')
    assert result.data is not None and result.data['exit_code'] == 1


async def test_python_timeout(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    fake_sandbox.results = lambda call: TIMED_OUT if call.timeout_s == 0.5 else None
    result = await PythonTool().run({'code': 'import time; time.sleep(30)', 'timeout_s': 0.5}, ctx)
    assert result.is_error
    assert result.data is not None and result.data['timed_out']
    assert result.content.endswith('[timed out after 0.5 s]')
    with pytest.raises(ToolError, match=r"argument 'timeout_s': expected seconds in \(0, 600\], got -1"):
        await PythonTool().run({'code': 'pass', 'timeout_s': -1}, ctx)
    runs = len(fake_sandbox.calls)
    for too_long in (9999, 3e15, float('nan')):  # out of the schema's bounds: an error the model reads, not a clamp
        with pytest.raises(ToolError, match=r'expected seconds in \(0, 5\]'):
            await PythonTool(max_timeout_s=5).run({'code': 'pass', 'timeout_s': too_long}, ctx)
    assert len(fake_sandbox.calls) == runs  # nothing ran
    await PythonTool(max_timeout_s=5).run({'code': 'pass', 'timeout_s': 5}, ctx)
    assert fake_sandbox.calls[-1].timeout_s == 5
    bounds = [o for o in PythonTool(max_timeout_s=5).parameters['properties']['timeout_s']['anyOf'] if 'maximum' in o]
    assert bounds == [{'type': 'number', 'exclusiveMinimum': 0, 'maximum': 5}]


async def test_shell_output_stderr_and_exit_code(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    fake_sandbox.results = {'echo out; echo err >&2; exit 3': ExecResult(exit_code=3, stdout='out\n', stderr='err\n')}
    result = await ShellTool().run({'command': 'echo out; echo err >&2; exit 3'}, ctx)
    assert result.content == 'out\n[stderr]\nerr\n[exit code 3]'
    assert result.is_error
    assert result.data is not None
    assert {k: result.data[k] for k in ('exit_code', 'stdout', 'stderr', 'timed_out', 'truncated')} == {
        'exit_code': 3,
        'stdout': 'out\n',
        'stderr': 'err\n',
        'timed_out': False,
        'truncated': False,
    }
    assert fake_sandbox.calls[-1].argv == ('/bin/sh', '-c', 'echo out; echo err >&2; exit 3')
    assert fake_sandbox.calls[-1].timeout_s == 120
    quiet = await ShellTool().run({'command': 'true'}, ctx)
    assert (quiet.content, quiet.is_error) == ('[no output]', False)


async def test_long_output_keeps_head_and_tail(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    full = ''.join(f'{i}\n' for i in range(1, 20001))
    fake_sandbox.results = {'seq 1 20000': full}
    result = await ShellTool(max_chars=1000).run({'command': 'seq 1 20000'}, ctx)
    omitted = len(full.rstrip('\n')) - 1000
    assert result.content == full[:500] + f'\n... [{omitted} characters omitted] ...\n' + full.rstrip('\n')[-500:]
    assert result.full_output == full.rstrip('\n')
    assert result.data is not None and result.data['truncated']
    assert len(result.data['stdout']) < 1100


async def test_sandbox_output_cut_and_limits_are_reported(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    fake_sandbox.output_limit_bytes = 10
    fake_sandbox.results = {'echo 0123456789abcdef': '0123456789abcdef\n'}
    result = await ShellTool().run({'command': 'echo 0123456789abcdef'}, ctx)
    assert result.content == (
        '0123456789\n[stderr]\nagentcore: output over 10 bytes per stream was discarded\n'  # the real sandbox's note
        '[the sandbox cut this output: it was larger than its output limit]'
    )
    assert result.data is not None and result.data['truncated']


async def test_builtins_need_a_sandbox() -> None:
    with pytest.raises(ToolError, match='this run has no sandbox') as info:
        await ShellTool().run({'command': 'true'}, ToolContext(run_id='r', call_id='c'))
    assert info.value.hint


async def test_read_file_whole_and_line_range(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    fake_sandbox.write_file('notes.txt', 'one\ntwo\nthree\nfour\n')
    whole = await ReadFileTool().run({'path': 'notes.txt'}, ctx)
    assert whole.content == 'one\ntwo\nthree\nfour\n'
    assert whole.data == {'path': 'notes.txt', 'chars': 19, 'lines': 4, 'truncated': False}
    part = await ReadFileTool().run({'path': 'notes.txt', 'start_line': 2, 'end_line': 3}, ctx)
    assert part.content == 'two\nthree\n'
    assert part.data is not None and (part.data['start_line'], part.data['end_line']) == (2, 3)
    with pytest.raises(ToolArgumentsError, match='bad line range 3..2'):
        await ReadFileTool().run({'path': 'notes.txt', 'start_line': 3, 'end_line': 2}, ctx)


async def test_read_file_errors(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    with pytest.raises(ToolError, match='no such file or directory: missing.txt'):
        await ReadFileTool().run({'path': 'missing.txt'}, ctx)
    fake_sandbox.write_file('blob.bin', b'\x00\x01\x02')
    with pytest.raises(ToolError, match=r'blob.bin is a binary file \(3 bytes\)'):
        await ReadFileTool().run({'path': 'blob.bin'}, ctx)
    with pytest.raises(ToolError, match="path '../outside' contains '..'") as info:
        await ReadFileTool().run({'path': '../outside'}, ctx)
    assert info.value.hint == "use a path relative to the workspace, without '..'"


async def test_write_file_creates_parents(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    result = await WriteFileTool().run({'path': 'src/pkg/mod.py', 'content': 'x = "é"\n'}, ctx)
    assert result.content == 'wrote 9 bytes to src/pkg/mod.py'
    assert result.data == {'path': 'src/pkg/mod.py', 'bytes': 9}
    assert fake_sandbox.read_file('src/pkg/mod.py').decode() == 'x = "é"\n'


async def test_list_files(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    fake_sandbox.write_file('src/a.py', 'pass\n')
    fake_sandbox.write_file('README', 'hi')
    top = await ListFilesTool().run({}, ctx)
    assert top.content == 'README  (2 bytes)\nsrc/'
    deep = await ListFilesTool().run({'path': '.', 'recursive': True}, ctx)
    assert deep.content == 'README  (2 bytes)\nsrc/\nsrc/a.py  (5 bytes)'
    assert deep.data is not None and deep.data['count'] == 3
    empty = await ListFilesTool().run({'path': 'src'}, ctx)
    assert empty.content == 'src/a.py  (5 bytes)'
    with pytest.raises(ToolError, match='no such file or directory: nope'):
        await ListFilesTool().run({'path': 'nope'}, ctx)


# -- edit_file -----------------------------------------------------------------------------------------------------

SOURCE = 'def f():\n    return 1\n\n\ndef g():\n    return 1\n'


async def _edit(ctx: ToolContext, **arguments: Any) -> Any:
    return await EditFileTool().run({'path': 'mod.py', **arguments}, ctx)


@pytest.fixture
def mod(fake_sandbox: FakeSandbox) -> Callable[[], str]:
    """Writes `mod.py`; returns what reads it back."""
    fake_sandbox.write_file('mod.py', SOURCE)
    return lambda: fake_sandbox.read_file('mod.py').decode()


async def test_edit_file_single_replacement(ctx: ToolContext, mod: Callable[[], str]) -> None:
    result = await _edit(ctx, search='def g():', replace='def h():')
    assert result.content == 'replaced 1 occurrence in mod.py (at line 5)'
    assert mod() == SOURCE.replace('def g():', 'def h():')


async def test_edit_file_multi_line(ctx: ToolContext, mod: Callable[[], str]) -> None:
    result = await _edit(ctx, search='def g():\n    return 1\n', replace='def g():\n    """G."""\n    return 2\n')
    assert result.data is not None and result.data['replacements'] == 1
    assert mod() == 'def f():\n    return 1\n\n\ndef g():\n    """G."""\n    return 2\n'


async def test_edit_file_absent_text(ctx: ToolContext, mod: Callable[[], str]) -> None:
    with pytest.raises(ToolError, match='the search text was not found in mod.py') as info:
        await _edit(ctx, search='return 3', replace='return 4')
    assert info.value.hint is not None and 'exactly' in info.value.hint
    assert mod() == SOURCE


async def test_edit_file_ambiguous_text(ctx: ToolContext, mod: Callable[[], str]) -> None:
    with pytest.raises(ToolError, match=r'the search text appears 2 times in mod.py \(at lines 2, 6\)') as info:
        await _edit(ctx, search='    return 1', replace='    return 2')
    assert info.value.hint is not None and 'replace_all' in info.value.hint
    assert mod() == SOURCE


async def test_edit_file_replace_all(ctx: ToolContext, mod: Callable[[], str]) -> None:
    result = await _edit(ctx, search='return 1', replace='return 2', replace_all=True)
    assert result.content == 'replaced 2 occurrences in mod.py (at lines 2, 6)'
    assert mod() == SOURCE.replace('return 1', 'return 2')


async def test_edit_file_empty_search(ctx: ToolContext, mod: Callable[[], str]) -> None:
    with pytest.raises(ToolArgumentsError, match="argument 'search': expected a non-empty string"):
        await _edit(ctx, search='', replace='x')
    assert mod() == SOURCE


async def test_edit_file_missing_file(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match='no such file or directory: mod.py'):
        await _edit(ctx, search='a', replace='b')


async def test_edit_file_refuses_non_utf8(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    fake_sandbox.write_file('mod.py', b'caf\xe9\n')
    with pytest.raises(ToolError, match='mod.py is not UTF-8 text'):
        await _edit(ctx, search='caf', replace='cafe')


# -- persistent python ---------------------------------------------------------------------------------------------


async def test_persistent_python_keeps_state(ctx: ToolContext, host_python: FakeSandbox) -> None:
    python = PythonTool(persistent=True)
    try:
        first = await python.run({'code': 'import math\nx = 20\nprint("set")'}, ctx)
        assert (first.content, first.is_error) == ('set', False)
        assert first.data is not None and first.data['session_started']
        second = await python.run({'code': 'x += 1\nmath.floor(x * 2.01)'}, ctx)
        assert second.content == '42'  # the final expression is echoed, as in a REPL
        assert second.data is not None and not second.data['session_started']
        failed = await python.run({'code': 'print("partial")\nundefined_name'}, ctx)
        assert failed.is_error
        assert failed.content.startswith('partial\n[stderr]\nTraceback')
        assert "NameError: name 'undefined_name' is not defined" in failed.content
        assert 'agentcore-pyrepl' not in failed.content  # the server's own frames are not shown
        shell_out = await python.run({'code': 'import subprocess\nsubprocess.run(["echo", "from child"])\nx'}, ctx)
        assert shell_out.content == 'from child\n21'
        syntax = await python.run({'code': 'def broken(:'}, ctx)
        assert syntax.is_error and 'SyntaxError' in syntax.content
        assert (await python.run({'code': 'x'}, ctx)).content == '21'
    finally:
        await python.stop_session(ctx)


async def test_persistent_python_sessions_are_per_run(ctx: ToolContext, host_python: FakeSandbox) -> None:
    python = PythonTool(persistent=True)
    other = ToolContext(run_id=ctx.run_id + '-other', call_id='c', sandbox=host_python)
    try:
        await python.run({'code': 'secret = 1'}, ctx)
        result = await python.run({'code': 'secret'}, other)
        assert result.is_error and "name 'secret' is not defined" in result.content
    finally:
        await python.stop_session(ctx)
        await python.stop_session(other)


async def test_persistent_python_timeout_restarts_the_session(ctx: ToolContext, host_python: FakeSandbox) -> None:
    python = PythonTool(persistent=True)
    try:
        await python.run({'code': 'y = 5'}, ctx)
        slow = await python.run({'code': 'import time\ntime.sleep(30)', 'timeout_s': 1}, ctx)
        assert slow.is_error
        assert slow.data is not None and slow.data['timed_out']
        assert 'the Python session was stopped' in slow.content
        after = await python.run({'code': 'print("alive")\ny'}, ctx)
        assert after.content.startswith('[note: a new Python session was started; variables from earlier calls')
        assert "name 'y' is not defined" in after.content
    finally:
        await python.stop_session(ctx)


async def test_persistent_python_serialises_parallel_calls(ctx: ToolContext, host_python: FakeSandbox) -> None:
    python = PythonTool(persistent=True)
    try:
        await python.run({'code': 'n = 0'}, ctx)
        code = 'import time\nv = n\ntime.sleep(0.05)\nn = v + 1'
        await asyncio.gather(*(python.run({'code': code}, ctx) for _ in range(4)))
        assert (await python.run({'code': 'n'}, ctx)).content == '4'
    finally:
        await python.stop_session(ctx)


async def test_shell_and_python_stream_output_to_the_context(ctx: ToolContext, fake_sandbox: FakeSandbox) -> None:
    fake_sandbox.results = {
        'echo one; sleep 0.1; echo two >&2': ExecResult(exit_code=0, stdout='one\n', stderr='two\n'),
        'python3 -': 'from python\n',
        'echo quiet': 'quiet\n',
    }
    seen: list[tuple[str, str]] = []
    streaming = ToolContext(run_id=ctx.run_id, call_id='c', sandbox=fake_sandbox,
                            on_output=lambda stream, text: seen.append((stream, text)))
    result = await ShellTool().run({'command': 'echo one; sleep 0.1; echo two >&2'}, streaming)
    assert result.content == 'one\n[stderr]\ntwo'
    assert ''.join(t for s, t in seen if s == 'stdout') == 'one\n'
    assert ''.join(t for s, t in seen if s == 'stderr') == 'two\n'
    seen.clear()
    await PythonTool().run({'code': 'print("from python")'}, streaming)
    assert ''.join(t for _, t in seen) == 'from python\n' and fake_sandbox.calls[-1].streamed
    await ShellTool().run({'command': 'echo quiet'}, ctx)  # no on_output: nothing is asked to stream
    assert not fake_sandbox.calls[-1].streamed

"""Every sandboxed built-in against a real `DockerSandbox` (needs Docker and the `agentcore-sandbox` image)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agentcore.tools import (
    EditFileTool,
    ListFilesTool,
    PythonTool,
    ReadFileTool,
    ShellTool,
    ToolContext,
    ToolError,
    WriteFileTool,
)

pytestmark = pytest.mark.docker


@pytest.fixture(scope='module')
def sandbox() -> Iterator[Any]:
    from agentcore.sandbox import DockerSandbox

    sb = DockerSandbox()
    try:
        yield sb
    finally:
        sb.close()


@pytest.fixture
def ctx(sandbox: Any, request: pytest.FixtureRequest) -> Iterator[ToolContext]:
    sandbox.reset()
    yield ToolContext(run_id=f'docker-{request.node.name}', call_id='call-1', sandbox=sandbox)


async def test_python_runs_in_the_workspace(ctx: ToolContext) -> None:
    await WriteFileTool().run({'path': 'in.txt', 'content': '21'}, ctx)
    result = await PythonTool().run({'code': 'import os\nprint(int(open("in.txt").read()) * 2, os.getcwd())'}, ctx)
    assert (result.content, result.is_error) == ('42 /workspace', False)
    failed = await PythonTool().run({'code': 'raise SystemExit("bad input")'}, ctx)
    assert failed.is_error and failed.content == '[stderr]\nbad input\n[exit code 1]'


async def test_python_timeout_kills_the_code(ctx: ToolContext) -> None:
    result = await PythonTool().run({'code': 'import time\ntime.sleep(60)', 'timeout_s': 1}, ctx)
    assert result.is_error
    assert result.data is not None and result.data['timed_out']
    assert '[timed out after 1 s]' in result.content


async def test_persistent_python_in_the_sandbox(ctx: ToolContext) -> None:
    python = PythonTool(persistent=True)
    first = await python.run({'code': 'import os\ncounter = 1\nos.getcwd()'}, ctx)
    assert (first.content, first.is_error) == ("'/workspace'", False)
    assert first.data is not None and first.data['session_started']
    second = await python.run(
        {'code': 'counter += 1\nimport subprocess\nsubprocess.run(["echo", "child"])\ncounter'}, ctx
    )
    assert second.content == 'child\n2'
    assert second.data is not None and not second.data['session_started']
    # a shell command that times out kills what it started, not the session started before it
    await ShellTool().run({'command': 'sleep 30', 'timeout_s': 1}, ctx)
    assert (await python.run({'code': 'counter'}, ctx)).content == '2'
    slow = await python.run({'code': 'import time\ntime.sleep(60)', 'timeout_s': 1}, ctx)
    assert slow.data is not None and slow.data['timed_out']
    after = await python.run({'code': 'counter'}, ctx)
    assert after.is_error and "name 'counter' is not defined" in after.content
    assert after.content.startswith('[note: a new Python session was started')
    await python.stop_session(ctx)


async def test_shell_output_and_exit_code(ctx: ToolContext) -> None:
    result = await ShellTool().run({'command': 'echo out; echo err >&2; id -u; exit 7'}, ctx)
    assert result.content == 'out\n1000\n[stderr]\nerr\n[exit code 7]'
    assert result.data is not None and (result.data['exit_code'], result.data['timed_out']) == (7, False)
    big = await ShellTool(max_chars=200).run({'command': 'seq 1 100000'}, ctx)
    assert big.data is not None and big.data['truncated']
    assert big.content.startswith('1\n2\n3\n') and big.content.endswith('99999\n100000')
    assert 'characters omitted' in big.content


async def test_file_tools(ctx: ToolContext) -> None:
    wrote = await WriteFileTool().run({'path': 'pkg/mod.py', 'content': 'A = 1\nB = 1\n'}, ctx)
    assert wrote.content == 'wrote 12 bytes to pkg/mod.py'
    assert (await ReadFileTool().run({'path': 'pkg/mod.py'}, ctx)).content == 'A = 1\nB = 1\n'
    assert (await ReadFileTool().run({'path': 'pkg/mod.py', 'start_line': 2}, ctx)).content == 'B = 1\n'
    listing = await ListFilesTool().run({'path': '.', 'recursive': True}, ctx)
    assert listing.content == 'pkg/\npkg/mod.py  (12 bytes)'
    with pytest.raises(ToolError, match='appears 2 times'):
        await EditFileTool().run({'path': 'pkg/mod.py', 'search': ' = 1', 'replace': ' = 2'}, ctx)
    edited = await EditFileTool().run({'path': 'pkg/mod.py', 'search': 'B = 1', 'replace': 'B = 2\nC = 3'}, ctx)
    assert edited.content == 'replaced 1 occurrence in pkg/mod.py (at line 2)'
    shown = await ShellTool().run({'command': 'cat pkg/mod.py'}, ctx)
    assert shown.content == 'A = 1\nB = 2\nC = 3'


async def test_file_errors_are_readable(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match='no such file or directory: nope.txt'):
        await ReadFileTool().run({'path': 'nope.txt'}, ctx)
    with pytest.raises(ToolError, match=r"path '../etc/passwd' contains '..'") as info:
        await ReadFileTool().run({'path': '../etc/passwd'}, ctx)
    assert info.value.hint == "use a path relative to the workspace, without '..'"
    with pytest.raises(ToolError, match="path '/etc/evil' is an absolute path outside the workspace"):
        await WriteFileTool().run({'path': '/etc/evil', 'content': 'x'}, ctx)
    with pytest.raises(ToolError, match='no such file or directory: missing'):
        await ListFilesTool().run({'path': 'missing'}, ctx)
    await WriteFileTool().run({'path': 'f.txt', 'content': 'abc'}, ctx)
    await WriteFileTool().run({'path': 'pkg/x.txt', 'content': ''}, ctx)
    with pytest.raises(ToolError, match='the search text was not found'):
        await EditFileTool().run({'path': 'f.txt', 'search': 'xyz', 'replace': ''}, ctx)
    with pytest.raises(ToolError, match="'pkg' is not a regular file"):
        await ReadFileTool().run({'path': 'pkg'}, ctx)


async def test_agent_streams_shell_output_before_the_call_finishes() -> None:
    from agentcore import Agent, ToolCallFinished, ToolOutputDelta
    from agentcore.sandbox import DockerSandbox
    from agentcore.testing import ScriptedModel

    model = ScriptedModel([
        {'tool_calls': [{'name': 'shell', 'arguments': {'command': 'echo tick; sleep 0.3; echo tock >&2'}}]},
        'done',
    ])  # fmt: skip
    with DockerSandbox() as sb:
        agent = Agent(model=model, tools=[ShellTool()], sandbox=sb, checkpointer='memory')
        events = [ev async for ev in agent.astream('run it')]
    kinds = [type(ev).__name__ for ev in events]
    deltas = [ev for ev in events if isinstance(ev, ToolOutputDelta)]
    assert deltas and kinds.index('ToolOutputDelta') < kinds.index('ToolCallFinished')
    assert max(i for i, k in enumerate(kinds) if k == 'ToolOutputDelta') < kinds.index('ToolCallFinished')
    assert ''.join(d.text for d in deltas if d.stream == 'stdout') == 'tick\n'
    assert ''.join(d.text for d in deltas if d.stream == 'stderr') == 'tock\n'
    assert {d.tool for d in deltas} == {'shell'}
    finished = next(ev for ev in events if isinstance(ev, ToolCallFinished))
    assert 'tick' in finished.content and 'tock' in finished.content

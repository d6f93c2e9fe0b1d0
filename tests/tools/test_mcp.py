"""MCP tools from a real server process (`mcp_server.py`), over stdio and over streamable HTTP."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agentcore.tools import (
    MCPError,
    MCPSessions,
    MCPTool,
    ToolArgumentsError,
    ToolContext,
    load_mcp_tools,
    mcp_tool_name,
    parse_mcp_tool_name,
)

from ._mcp_helpers import server_pids, server_processes

SERVER = str(Path(__file__).with_name('mcp_server.py'))
CTX = ToolContext(run_id='r', call_id='c')
STDIO = {'demo': {'transport': 'stdio', 'command': sys.executable, 'args': [SERVER, 'stdio']}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope='module')
def http_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp('mcp') / 'server.log'
    with log.open('wb') as err:
        proc = subprocess.Popen([sys.executable, SERVER, 'http', str(port)], stdout=err, stderr=err)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f'the MCP server did not start: {log.read_text()}') from None
                time.sleep(0.1)
        yield f'http://127.0.0.1:{port}/mcp'
    finally:
        proc.terminate()
        proc.wait(10)


async def _check_tools(tools: list[MCPTool], server: str) -> None:
    by_name = {t.name: t for t in tools}
    assert sorted(by_name) == [f'mcp__{server}__{name}' for name in ('add', 'count', 'exit', 'fail', 'shout_loud')]
    add = by_name[f'mcp__{server}__add']
    assert (add.source, add.side_effects, add.server, add.mcp_name) == ('mcp', 'external', server, 'add')
    assert add.spec().to_openai() == {
        'type': 'function',
        'function': {
            'name': f'mcp__{server}__add',
            'description': 'Add two integers.',
            'parameters': {
                'type': 'object',
                'properties': {'a': {'type': 'integer'}, 'b': {'type': 'integer'}},
                'required': ['a', 'b'],
            },
        },
    }
    result = await add.run({'a': 2, 'b': 3}, CTX)
    assert (result.content, result.is_error) == ('5', False)
    assert result.data is not None and result.data['artifact'] == {'structured_content': {'result': 5}}
    shout = by_name[f'mcp__{server}__shout_loud']
    assert shout.mcp_name == 'shout.loud'
    assert (await shout.run({'text': 'hi', 'times': 2}, CTX)).content == 'HI HI'
    failed = await by_name[f'mcp__{server}__fail'].run({'message': 'boom'}, CTX)
    assert failed.is_error and failed.content.endswith('boom')
    with pytest.raises(ToolArgumentsError) as info:
        await add.run({'a': 'two'}, CTX)
    assert str(info.value) == "argument 'a': expected an integer, got 'two'; missing required argument 'b'"


async def test_stdio_server_tools_are_listed_and_called() -> None:
    await _check_tools(await load_mcp_tools(STDIO), 'demo')


async def test_streamable_http_server_tools_are_listed_and_called(http_url: str) -> None:
    await _check_tools(await load_mcp_tools({'web': {'transport': 'streamable_http', 'url': http_url}}), 'web')


async def test_several_servers_at_once(http_url: str) -> None:
    tools = await load_mcp_tools({**STDIO, 'web': {'transport': 'streamable_http', 'url': http_url}})
    assert len(tools) == 10
    assert {t.server for t in tools} == {'demo', 'web'}


@pytest.mark.parametrize(
    ('servers', 'message'),
    [
        ({'bad__name': STDIO['demo']}, "invalid MCP server name 'bad__name'"),
        ({'demo': {'command': 'x'}}, 'MCP server \'demo\': its configuration has no "transport"'),
        (
            {'gone': {'transport': 'streamable_http', 'url': 'http://127.0.0.1:9/mcp'}},
            "MCP server 'gone': cannot list its tools",
        ),
        (
            {'nocmd': {'transport': 'stdio', 'command': '/nonexistent/agentcore-mcp', 'args': []}},
            "MCP server 'nocmd': cannot list its tools",
        ),
    ],
)
async def test_bad_servers_fail_with_one_clear_line(servers: dict[str, Any], message: str) -> None:
    with pytest.raises(MCPError, match=message) as info:
        await load_mcp_tools(servers)
    assert info.value.hint


def test_tool_names() -> None:
    assert mcp_tool_name('gh', 'search.issues') == 'mcp__gh__search_issues'
    assert len(mcp_tool_name('s', 'x' * 100)) == 64
    assert parse_mcp_tool_name('mcp__gh__search_issues') == ('gh', 'search_issues')
    assert parse_mcp_tool_name('mcp__gh__a__b') == ('gh', 'a__b')
    assert parse_mcp_tool_name('python') is None
    assert parse_mcp_tool_name('mcp__gh') is None


# -- one session per server per run ---------------------------------------------------------------------------------

DEMO = f'{SERVER} stdio'  # in the command line of the stdio server processes (not of the HTTP one)
COUNT = {'name': 'mcp__demo__count', 'arguments': {}}
PROCESSES = {'name': 'server_processes', 'arguments': {'marker': DEMO}}


def _turn(*calls: dict[str, Any]) -> dict[str, Any]:
    return {'tool_calls': list(calls)}


def _agent(turns: list[Any], tools: list[Any], **options: Any) -> Any:
    """An agent for the session tests: it allows every call unless `policy=` says otherwise."""
    from agentcore import Agent
    from agentcore.policy import Policy
    from agentcore.testing import ScriptedModel

    options.setdefault('policy', Policy.allow_all())

    return Agent(model=ScriptedModel(turns), tools=[*tools, server_processes], checkpointer='memory',
                 store='sqlite://', guardrails=[], **options)


def _outputs(agent: Any) -> list[str]:
    """What each tool call of the last run returned, in call order (the untrusted-data wrapper removed)."""
    messages = agent.model.requests[-1].messages
    return [re.sub(r'</?untrusted-data[^>]*>', '', m.content).strip() for m in messages if m.role == 'tool']


def _counts(outputs: list[str]) -> list[tuple[int, int]]:
    """`(count, pid)` of each `count` call's output."""
    return [(int(m[1]), int(m[2])) for o in outputs if (m := re.fullmatch(r'count=(\d+) pid=(\d+)', o))]


@pytest.fixture(scope='module')
def demo_tools() -> list[MCPTool]:
    import asyncio

    return asyncio.run(load_mcp_tools(STDIO))


@pytest.mark.slow
async def test_a_run_keeps_one_session_and_one_process_per_server(demo_tools: list[MCPTool]) -> None:
    agent = _agent([_turn(COUNT), _turn(COUNT, COUNT), _turn(PROCESSES), _turn(COUNT), 'done'], demo_tools)
    result = await agent.arun('count')
    assert result.status == 'completed'
    outputs = _outputs(agent)
    counts = _counts(outputs)
    assert sorted(c for c, _ in counts) == [1, 2, 3, 4]  # the two parallel calls share the session too
    assert len({pid for _, pid in counts}) == 1
    assert outputs[3] == '1'  # server processes while the run goes on
    assert server_pids(DEMO) == []  # the run closed its session: the server exited
    await agent.arun('count again')
    again = _counts(_outputs(agent))
    assert [c for c, _ in again] == [1, 2, 3, 4] and again[0][1] != counts[0][1]  # a new run, a new session


@pytest.mark.slow
async def test_the_sessions_close_when_a_run_pauses_and_resume_opens_new_ones(demo_tools: list[MCPTool]) -> None:
    from agentcore.policy import Approve, Policy

    policy = Policy.from_dict({'default': 'allow', 'untrusted_content': {'external': 'allow'}, 'rules': [
        {'tool': 'mcp__demo__count', 'action': 'allow'}, {'tool': 'mcp__demo__add', 'action': 'ask'},
    ]})  # fmt: skip
    add = {'name': 'mcp__demo__add', 'arguments': {'a': 2, 'b': 3}}
    agent = _agent([_turn(COUNT), _turn(add), _turn(COUNT), 'done'], demo_tools, policy=policy)
    paused = await agent.arun('count, add, count')
    assert paused.status == 'awaiting_approval' and server_pids(DEMO) == []
    done = await agent.aresume(paused.run_id, Approve())
    assert done.status == 'completed' and server_pids(DEMO) == []
    outputs = _outputs(agent)
    (first, before), (second, after) = _counts(outputs)
    assert outputs[1] == '5' and (first, second) == (1, 1) and before != after


@pytest.mark.slow
async def test_the_sessions_close_when_a_run_fails_or_is_cancelled(demo_tools: list[MCPTool]) -> None:
    import asyncio

    from agentcore.tools import tool

    failed = await _agent([_turn(COUNT)], demo_tools).arun('the script ends too early')
    assert failed.status == 'failed' and server_pids(DEMO) == []

    started = asyncio.Event()

    @tool(side_effects='none')
    async def hang() -> str:
        """Wait for a minute."""
        started.set()
        await asyncio.sleep(60)
        return 'too late'

    agent = _agent([_turn(COUNT), _turn({'name': 'hang', 'arguments': {}}), 'done'], [*demo_tools, hang])
    task = asyncio.ensure_future(agent.arun('count, then hang'))
    await asyncio.wait_for(started.wait(), 60)
    assert len(server_pids(DEMO)) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert server_pids(DEMO) == []

    import contextlib

    agent = _agent([_turn(COUNT), _turn(COUNT), 'done'], demo_tools)
    async with contextlib.aclosing(agent.astream('count twice')) as events:
        async for event in events:
            if event.type == 'tool_call_finished':
                break  # the consumer stops listening: the run is cancelled
    assert server_pids(DEMO) == []


@pytest.mark.slow
async def test_a_session_whose_server_died_is_opened_again(demo_tools: list[MCPTool]) -> None:
    exit_call = {'name': 'mcp__demo__exit', 'arguments': {}}
    agent = _agent([_turn(COUNT), _turn(exit_call), _turn(COUNT), 'done'], demo_tools)
    assert (await agent.arun('count, exit, count')).status == 'completed'
    outputs = _outputs(agent)
    assert outputs[1].startswith("error: tool 'mcp__demo__exit' raised")
    (first, before), (second, after) = _counts(outputs)
    assert (first, second) == (1, 1) and before != after
    assert server_pids(DEMO) == []


@pytest.mark.slow
async def test_mcp_sessions_outside_an_agent(http_url: str) -> None:
    async with MCPSessions() as sessions:
        tools = {t.name: t for t in await load_mcp_tools({**STDIO, 'web': {'transport': 'streamable_http',
                                                                            'url': http_url}})}
        assert sessions.servers == ['demo', 'web']  # listed through the block's sessions, which stay open
        pids = server_pids(DEMO)
        assert len(pids) == 1
        counts = _counts([(await tools['mcp__demo__count'].run({}, CTX)).content for _ in range(2)])
        assert [c for c, _ in counts] == [1, 2] and {p for _, p in counts} == set(pids)
        assert (await tools['mcp__web__add'].run({'a': 1, 'b': 2}, CTX)).content == '3'
    assert sessions.closed and sessions.servers == [] and server_pids(DEMO) == []
    # Outside a block each call has a session (and a stdio process) of its own.
    alone = _counts([(await tools['mcp__demo__count'].run({}, CTX)).content for _ in range(2)])
    assert [c for c, _ in alone] == [1, 1] and server_pids(DEMO) == []
    with pytest.raises(MCPError, match='the sessions of this run are closed'):
        await sessions.session('demo', STDIO['demo'])


async def test_a_server_that_does_not_start_fails_the_call_not_the_run() -> None:
    async with MCPSessions() as sessions:
        with pytest.raises(MCPError, match="MCP server 'nocmd': cannot open a session: ") as info:
            await sessions.session('nocmd', {'transport': 'stdio', 'command': '/nonexistent/agentcore-mcp', 'args': []})
        assert info.value.hint


async def test_servers_from_the_settings_models(http_url: str) -> None:
    from agentcore._mcp_settings import MCPServerConfig

    servers = {'demo': MCPServerConfig(command=sys.executable, args=[SERVER, 'stdio']),
               'web': MCPServerConfig(url=http_url, headers={'X-Test': 'yes'})}  # fmt: skip
    tools = {t.name: t for t in await load_mcp_tools(servers)}
    assert (await tools['mcp__demo__add'].run({'a': 1, 'b': 1}, CTX)).content == '2'
    assert (await tools['mcp__web__add'].run({'a': 2, 'b': 2}, CTX)).content == '4'

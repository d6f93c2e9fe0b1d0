"""MCP tools from a real server process (`mcp_server.py`), over stdio and over streamable HTTP."""

from __future__ import annotations

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
    MCPTool,
    ToolArgumentsError,
    ToolContext,
    load_mcp_tools,
    mcp_tool_name,
    parse_mcp_tool_name,
)

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
    assert sorted(by_name) == [f'mcp__{server}__add', f'mcp__{server}__fail', f'mcp__{server}__shout_loud']
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
    assert len(tools) == 6
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

"""MCP servers from `agentcore.toml` and `--mcp NAME`, against real third-party servers.

The servers: PyPI `mcp-server-time` (`python -m mcp_server_time`) and npm `@modelcontextprotocol/server-filesystem`
(`node .../dist/index.js ROOT`), both installed by `.ci/services/mcp.sh`. Without them these tests skip, except under
`CI=true`, where they fail.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from agentcore import ConfigError, load_settings
from tests._cli import Cli, in_process_cli

from ._mcp_helpers import server_pids, server_processes

_CACHE = Path(os.environ.get('XDG_CACHE_HOME') or Path.home() / '.cache')
FS_ENTRY = Path(
    os.environ.get('AGENTCORE_TEST_MCP_FILESYSTEM')
    or _CACHE / 'agentcore/npm/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js'
)
HAS_TIME = importlib.util.find_spec('mcp_server_time') is not None
HAS_FS = FS_ENTRY.is_file() and shutil.which('node') is not None
needs_time = pytest.mark.skipif(
    not HAS_TIME and not os.environ.get('CI'), reason='needs mcp-server-time: bash .ci/services/mcp.sh'
)
needs_fs = pytest.mark.skipif(
    not HAS_FS and not os.environ.get('CI'),
    reason='needs node and @modelcontextprotocol/server-filesystem: bash .ci/services/mcp.sh',
)
TIME_MARKER = 'mcp_server_time'
HELPERS = 'tests.tools._mcp_helpers:server_processes'
TIME_POLICY = """version: 1
default: allow
rules:
  - tool: 'mcp__time__get_*'
    action: allow
    untrusted_content: allow
  - tool: mcp__time__convert_time
    action: ask
    reason: conversions need a human
"""


def _value(value: Any) -> str:
    """A TOML value: strings and lists as JSON (valid TOML there), mappings as inline tables."""
    if isinstance(value, dict):
        return '{' + ', '.join(f'{json.dumps(k)} = {_value(v)}' for k, v in value.items()) + '}'
    return json.dumps(value)


def _toml(servers: dict[str, dict[str, Any]]) -> str:
    """`[mcp.servers.NAME]` tables."""
    out = []
    for name, table in servers.items():
        out.append(f'[mcp.servers.{name}]')
        out.extend(f'{key} = {_value(value)}' for key, value in table.items())
    return '\n'.join(out) + '\n'


TIME_SERVER = {'command': sys.executable, 'args': ['-m', 'mcp_server_time', '--local-timezone', 'UTC']}


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """`cli('run', ...)` runs `agentcore run ...` in this process, through `main()` and its one-line errors."""
    return in_process_cli(capsys, monkeypatch)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory: its `agentcore.toml` configures the time server (and the filesystem one when here)."""
    work = tmp_path / 'work'
    (work / 'files').mkdir(parents=True)
    servers = {'time': TIME_SERVER}
    if HAS_FS:
        servers['fs'] = {'command': 'node', 'args': [str(FS_ENTRY), str(work / 'files')]}
    (work / 'agentcore.toml').write_text(_toml(servers), encoding='utf-8')
    (work / 'policy.yaml').write_text(TIME_POLICY, encoding='utf-8')
    monkeypatch.chdir(work)
    return work


def _script(path: Path, *turns: Any) -> str:
    data = [{'content': t} if isinstance(t, str) else {'tool_calls': t} for t in turns]
    path.write_text(yaml.safe_dump({'turns': data}), encoding='utf-8')
    return f'scripted:{path}'


def _call(name: str, **arguments: Any) -> list[dict[str, Any]]:
    return [{'name': name, 'arguments': arguments}]


def _tool_results(cli: Cli, run_id: str) -> dict[str, list[str]]:
    shown = cli('runs', 'show', run_id, '--json').json()
    out: dict[str, list[str]] = {}
    for call in shown['tool_calls']:
        out.setdefault(call['tool'], []).append(call['content'])
    return out


# -- configuration ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ('tables', 'where', 'fix'),
    [
        ('[mcp.servers.fs]\ncommand = ""\n', "'mcp.servers.fs.command'", 'give the program that starts the server'),
        ('[mcp.servers.fs]\ncomand = "node"\n', "'mcp.servers.fs.comand'", 'a stdio server takes command'),
        ('[mcp.servers.fs]\nargs = ["x"]\n', "'mcp.servers.fs'", 'a stdio server takes command'),
        ('[mcp.servers.fs]\ncommand = "node"\nurl = "http://127.0.0.1:1/mcp"\n', "'mcp.servers.fs'", 'not both'),
        ('[mcp.servers.web]\nurl = "ftp://example"\n', "'mcp.servers.web.url'", 'give the server endpoint'),
        ('[mcp.servers.web]\nurl = "http://127.0.0.1:1/mcp"\ncwd = "/"\n', "'mcp.servers.web'", 'remove cwd'),
        ('[mcp.servers.fs]\ncommand = "node"\nheaders = {a = "b"}\n', "'mcp.servers.fs'", 'remove headers'),
        ('[mcp.servers.fs]\ncommand = "node"\nenv = {DEBUG = 1}\n', "'mcp.servers.fs.env.DEBUG'", 'README.md'),
        ('[mcp.servers.a__b]\ncommand = "node"\n', "'mcp.servers'", 'single "_"'),
        ('[mcp]\nserver = {}\n', "'mcp.server'", 'a stdio server takes command'),
    ],
)
def test_a_bad_server_table_is_one_line_naming_the_setting_and_the_fix(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tables: str, where: str, fix: str
) -> None:
    (tmp_path / 'agentcore.toml').write_text(tables, encoding='utf-8')
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert f'invalid setting {where} (AGENTCORE_MCP or agentcore.toml): ' in str(info.value)
    assert fix in (info.value.hint or '')
    r = cli('run', 'x', '--model', _script(tmp_path / 'm.yaml', 'hi'))
    assert r.code == 2 and f'invalid setting {where}' in r.error_line and '(fix: ' in r.error_line


def test_servers_are_read_from_the_toml_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / 'agentcore.toml').write_text(
        _toml({'fs': {'command': 'node', 'args': ['index.js', '/data'], 'env': {'TOKEN': '${MCP_TEST_TOKEN}'},
                      'cwd': str(tmp_path)},
               'web': {'url': 'http://127.0.0.1:8000/mcp', 'headers': {'Authorization': 'Bearer ${MCP_TEST_TOKEN}'}}}),
        encoding='utf-8',
    )  # fmt: skip
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv('MCP_TEST_TOKEN', 's3cret')
    servers = load_settings().mcp.servers
    assert servers['fs'].connection() == {'transport': 'stdio', 'command': 'node', 'args': ['index.js', '/data'],
                                          'env': {'TOKEN': 's3cret'}, 'cwd': str(tmp_path)}
    assert servers['web'].connection() == {'transport': 'streamable_http', 'url': 'http://127.0.0.1:8000/mcp',
                                           'headers': {'Authorization': 'Bearer s3cret'}}
    assert (servers['fs'].transport, servers['web'].transport) == ('stdio', 'streamable_http')
    monkeypatch.setenv('AGENTCORE_MCP', json.dumps({'servers': {'t': {'command': 'python3'}}}))
    assert sorted(load_settings().mcp.servers) == ['fs', 't', 'web']  # the environment's servers join the file's


def test_an_unknown_mcp_name_exits_2_listing_the_configured_servers(cli: Cli, work: Path) -> None:
    model = _script(work / 'm.yaml', 'hi')
    r = cli('run', 'x', '--model', model, '--mcp', 'time,nope')
    configured = 'fs, time' if HAS_FS else 'time'
    assert r.code == 2
    assert f"--mcp nope: no MCP server 'nope' is configured (configured: {configured})" in r.error_line
    for command in (('chat',), ('record', 'demo', 'x')):
        r = cli(*command, '--model', model, '--mcp', 'nope')
        assert r.code == 2 and "no MCP server 'nope' is configured" in r.error_line
    (work / 'agentcore.toml').write_text('', encoding='utf-8')
    r = cli('run', 'x', '--model', model, '--mcp', 'time')
    assert r.code == 2 and '(configured: none); add a [mcp.servers.time] table' in r.error_line


def test_a_server_whose_command_is_missing_exits_2(cli: Cli, work: Path) -> None:
    (work / 'agentcore.toml').write_text(_toml({'gone': {'command': '/nonexistent/mcp-server'}}), encoding='utf-8')
    r = cli('run', 'x', '--model', _script(work / 'm.yaml', 'hi'), '--mcp', 'gone')
    assert r.code == 2
    assert "invalid setting 'mcp.servers.gone.command': '/nonexistent/mcp-server' is not an executable" in r.error_line


# -- real servers --------------------------------------------------------------------------------------------------


@pytest.mark.slow
@needs_fs
async def test_the_filesystem_server_runs_as_one_process_per_run(tmp_path: Path) -> None:
    from agentcore import Agent
    from agentcore.policy import Policy
    from agentcore.testing import ScriptedModel
    from agentcore.tools import load_mcp_tools

    root = tmp_path / 'files'
    root.mkdir()
    marker = str(FS_ENTRY)
    tools = await load_mcp_tools({'fs': {'transport': 'stdio', 'command': 'node', 'args': [marker, str(root)]}})
    assert {'mcp__fs__write_file', 'mcp__fs__read_text_file'} <= {t.name for t in tools}
    note = str(root / 'note.txt')
    model = ScriptedModel([
        {'tool_calls': _call('mcp__fs__write_file', path=note, content='remember the milk')},
        {'tool_calls': _call('server_processes', marker=marker)},
        {'tool_calls': _call('mcp__fs__read_text_file', path=note)},
        {'tool_calls': _call('server_processes', marker=marker)},
        'done',
    ])  # fmt: skip
    agent = Agent(model=model, tools=[*tools, server_processes], checkpointer='memory', store='sqlite://',
                  guardrails=[], policy=Policy.allow_all())
    result = await agent.arun('write a note, then read it')
    assert result.status == 'completed'
    outputs = [m.content for m in model.requests[-1].messages if m.role == 'tool']
    assert 'Successfully wrote to' in outputs[0] and 'remember the milk' in outputs[2]
    assert ['\n1\n' in outputs[1], '\n1\n' in outputs[3]] == [True, True]  # one server process through the run
    assert server_pids(marker) == []  # and none once it ended
    assert (root / 'note.txt').read_text() == 'remember the milk'


@pytest.mark.slow
@needs_time
def test_run_with_mcp_from_the_cli(cli: Cli, work: Path) -> None:
    model = _script(
        work / 'm.yaml',
        _call('mcp__time__get_current_time', timezone='UTC'),
        _call('server_processes', marker=TIME_MARKER),
        _call('mcp__time__get_current_time', timezone='Europe/Paris'),
        'It is late.',
    )
    r = cli('run', 'what time is it?', '--model', model, '--mcp', 'time', '--tools', HELPERS, '--policy', 'policy.yaml',
            '--no-memory', '--json')
    assert r.code == 0, r.err
    assert 'warning' not in r.err  # the policy names the time tools
    done = r.json()
    assert (done['status'], done['output'], done['tool_calls']) == ('completed', 'It is late.', 3)
    results = _tool_results(cli, done['run_id'])
    utc, paris = results['mcp__time__get_current_time']
    assert '"timezone": "UTC"' in utc and '"timezone": "Europe/Paris"' in paris
    assert '\n1\n' in results['server_processes'][0]  # one time server for the run
    assert server_pids(TIME_MARKER) == []
    stored = cli('runs', 'show', done['run_id'], '--json').json()['run']
    assert stored['config']['cli']['mcp'] == ['time']  # what `agentcore resume` rebuilds the tools from


@pytest.mark.slow
@needs_time
def test_without_a_policy_mcp_tools_are_denied_and_the_cli_says_so(cli: Cli, work: Path) -> None:
    model = _script(work / 'm.yaml', _call('mcp__time__get_current_time', timezone='UTC'), 'I cannot tell.')
    r = cli('run', 'what time is it?', '--model', model, '--mcp', 'time', '--no-memory', '--json')
    assert r.code == 0, r.err
    warning = [line for line in r.err.splitlines() if line.startswith('agentcore: warning: ')]
    assert warning == ["agentcore: warning: no policy rule names the tools of MCP server 'time', so each call to them "
                       "is denied (fix: add a rule such as \"- {tool: 'mcp__time__*', action: allow}\" to a policy "
                       'file and pass it with --policy)']
    done = r.json()
    assert (done['status'], done['tool_calls']) == ('completed', 0)
    decisions = cli('runs', 'show', done['run_id'], '--json').json()['policy_decisions']
    assert [(d['tool'], d['action']) for d in decisions] == [('mcp__time__get_current_time', 'deny')]
    assert "e.g. {tool: 'mcp__time__*', action: allow}" in decisions[0]['reason']


@pytest.mark.slow
@needs_time
def test_resume_rebuilds_the_mcp_tools_of_the_run(cli: Cli, work: Path) -> None:
    convert = _call('mcp__time__convert_time', source_timezone='UTC', time='12:00', target_timezone='Asia/Tokyo')
    model = _script(work / 'm.yaml', _call('mcp__time__get_current_time', timezone='UTC'), convert, 'Noon is 21:00.')
    args = ('run', 'convert noon', '--model', model, '--mcp', 'time', '--policy', 'policy.yaml', '--no-memory',
            '--json')
    r = cli(*args)
    paused = r.json()
    assert r.code == 0 and paused['status'] == 'awaiting_approval', r.err
    assert paused['pending_approval']['tool'] == 'mcp__time__convert_time'
    assert server_pids(TIME_MARKER) == []  # the pause closed the run's session
    r = cli('resume', paused['run_id'], '--approve', '--json')
    done = r.json()
    assert r.code == 0 and (done['status'], done['output']) == ('completed', 'Noon is 21:00.'), r.err
    [converted] = _tool_results(cli, paused['run_id'])['mcp__time__convert_time']
    assert '"timezone": "Asia/Tokyo"' in converted and '21:00' in converted
    assert server_pids(TIME_MARKER) == []

    # A run whose server no longer offers its tools is not resumed with other tools.
    paused = cli(*args).json()
    demo = {'command': sys.executable, 'args': [str(Path(__file__).with_name('mcp_server.py')), 'stdio']}
    (work / 'agentcore.toml').write_text(_toml({'time': demo}), encoding='utf-8')
    r = cli('resume', paused['run_id'], '--approve')
    assert r.code == 2 and (f'run {paused["run_id"]} used MCP tools that its servers no longer offer: '
                            'mcp__time__convert_time, mcp__time__get_current_time') in r.error_line
    (work / 'agentcore.toml').write_text('', encoding='utf-8')
    r = cli('resume', paused['run_id'], '--approve')
    assert r.code == 2 and "--mcp time: no MCP server 'time' is configured" in r.error_line


@pytest.mark.slow
@needs_time
def test_record_with_mcp_then_replay_it(cli: Cli, work: Path) -> None:
    model = _script(work / 'm.yaml', _call('mcp__time__get_current_time', timezone='UTC'), 'It is now.')
    r = cli('record', 'clock', 'what time is it?', '--model', model, '--mcp', 'time', '--policy', 'policy.yaml',
            '--out', 'clock.yaml', '--json')
    assert r.code == 0, r.err
    assert [run['status'] for run in r.json()['runs']] == ['completed']
    scenario = yaml.safe_load((work / 'clock.yaml').read_text(encoding='utf-8'))
    specs = {t['name']: t for t in scenario['tools']}
    assert specs['mcp__time__get_current_time']['source'] == 'mcp'
    [call] = scenario['runs'][0]['turns'][0]['calls']
    assert '"timezone": "UTC"' in call['result']['content']
    assert server_pids(TIME_MARKER) == []
    for extra in ((), ('--verify',)):  # --verify too: an outside server's answers come from the recording
        r = cli('replay', 'clock.yaml', *extra, '--json')
        assert r.code == 0, r.out + r.err
    # Recorded without a policy: the stored one allows all but the MCP tools, and replays the same.
    r = cli('record', 'denied', 'what time is it?', '--model', model, '--mcp', 'time', '--out', 'denied.yaml')
    assert r.code == 0 and "no policy rule names the tools of MCP server 'time'" in r.err
    denied = yaml.safe_load((work / 'denied.yaml').read_text(encoding='utf-8'))
    assert denied['config']['policy'] == {'version': 1, 'default': 'allow'}
    assert denied['runs'][0]['expect']['denied'] == ['mcp__time__get_current_time']
    assert cli('replay', 'denied.yaml').code == 0


@pytest.mark.slow
@needs_time
def test_chat_gives_each_agent_the_mcp_tools(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from agentcore.cli._chat import agent_factory

    build = agent_factory(model=_script(work / 'm.yaml', 'hi'), tools=[], policy=None, max_steps=None, mcp=['time'])
    assert "no policy rule names the tools of MCP server 'time'" in capsys.readouterr().err
    agent = build(None)
    assert {'mcp__time__get_current_time', 'mcp__time__convert_time'} <= {t.name for t in agent.tools}
    assert agent.run_metadata['cli']['mcp'] == ['time']
    decision = agent.policy.evaluate('mcp__time__get_current_time', {}, side_effects='external', source='mcp')
    assert decision.action == 'deny'  # no policy file: MCP tools stay denied
    allowed = agent_factory(model=_script(work / 'm.yaml', 'hi'), tools=[], policy='policy.yaml', max_steps=None,
                            mcp=['time'])(None)
    assert allowed.policy.evaluate('mcp__time__get_current_time', {}, source='mcp').action == 'allow'
    assert server_pids(TIME_MARKER) == []

"""The references stay complete: the command-line and settings references are generated from the code at build
time (docs/_hooks/reference.py), and the hand-written lists (README.md's commands, the events and run statuses)
name everything the code has."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

from ._markdown import DOCS, README


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location('docs_reference_hook', DOCS / '_hooks' / 'reference.py')
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_command_and_option_is_in_the_cli_reference() -> None:
    import typer

    hook = _hook()
    text = hook.cli_reference()
    root = hook._root()
    seen = 0
    for cmd, ctx in hook.walk(root, typer.Context(root, info_name='agentcore')):
        seen += 1
        assert re.search(rf'^#+ `{re.escape(ctx.command_path)}`$', text, re.M), ctx.command_path
        for param in cmd.get_params(ctx):
            for opt in getattr(param, 'opts', []):
                if opt.startswith('-'):
                    assert opt in text, f'{ctx.command_path} {opt} is missing from the reference'
    assert seen >= 15  # run, resume, chat, record, replay, runs (list, show, audit), sandbox (...), memory (...)
    assert '`agentcore replay`' in text and '--verify' in text and '--junit' in text


def test_every_setting_is_in_the_settings_reference() -> None:
    hook = _hook()
    table = hook.settings_reference()
    fields = hook.settings_fields()
    assert {'model', 'api_base', 'api_key', 'home', 'policy'} <= set(fields)
    for name in fields:
        row = next((line for line in table.splitlines() if line.startswith(f'| `{name}` |')), None)
        assert row is not None, f'setting {name} is missing'
        assert f'`AGENTCORE_{name.upper()}`' in row
        assert row.rstrip(' |').split('|')[-1].strip(), f'setting {name} has no description'
    assert '| `home` | `AGENTCORE_HOME` | `~/.agentcore` |' in table
    assert '| `model_timeout_s` | `AGENTCORE_MODEL_TIMEOUT_S` | `120.0` |' in table


def test_the_pages_have_the_markers() -> None:
    hook = _hook()
    assert hook.CLI_MARKER in (DOCS / 'reference' / 'cli.md').read_text(encoding='utf-8')
    page = (DOCS / 'reference' / 'configuration.md').read_text(encoding='utf-8')
    assert hook.SETTINGS_MARKER in page
    assert hook.on_page_markdown('no marker here', None, None, None) == 'no marker here'
    rendered = hook.on_page_markdown(page, None, None, None)
    assert hook.SETTINGS_MARKER not in rendered and '`AGENTCORE_API_BASE`' in rendered


def test_readme_lists_every_command() -> None:
    readme = README.read_text(encoding='utf-8')
    section = readme.split('## Command line', 1)[1].split('\n## ', 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.strip().startswith('agentcore ')]
    for path in _hook().commands()[1:]:
        words = path.split()
        group = ' '.join(words[:2])
        matching = [line for line in lines if line == group or line.startswith(group + ' ')]
        assert matching, f'README.md "Command line" has no line for {group}'
        if len(words) == 3:
            assert any(re.search(rf'(^|[ |]){re.escape(words[2])}( |$)', line) for line in matching), (
                f'README.md "Command line" does not mention `{path}`'
            )


def test_the_stream_events_page_lists_every_event() -> None:
    import typing

    from agentcore import RunEvent

    union = typing.get_args(RunEvent)[0]
    kinds = {cls.model_fields['type'].default: cls.__name__ for cls in typing.get_args(union)}
    assert len(kinds) >= 14
    page = (DOCS / 'how-to' / 'stream-events.md').read_text(encoding='utf-8')
    rows = {m[0]: m[1] for m in re.findall(r'^\| `([a-z_]+)` \| `([A-Za-z]+)` \|', page, re.M)}
    assert rows == kinds, 'the table of events in docs/how-to/stream-events.md is out of date'


def test_the_graph_page_lists_every_run_status() -> None:
    import typing

    from agentcore import RunResult

    statuses = set(typing.get_args(RunResult.model_fields['status'].annotation))
    assert {'completed', 'awaiting_approval', 'failed'} <= statuses
    page = (DOCS / 'concepts' / 'graph.md').read_text(encoding='utf-8')
    rows = set(re.findall(r'^\| `([a-z_]+)` \| ', page, re.M))
    assert rows == statuses, 'the table of statuses in docs/concepts/graph.md is out of date'

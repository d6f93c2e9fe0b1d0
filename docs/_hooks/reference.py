"""MkDocs hook: writes the command-line and settings references from the code, at build time.

A page line `<!-- agentcore-cli-reference -->` becomes one section per command of the typer app
`agentcore.cli.app` (usage, help, arguments, options), walked from the command tree itself; a line
`<!-- agentcore-settings-reference -->` becomes a table of every field of `agentcore.Settings` (its environment
variable, default and description). So neither reference can drift from the code. Only public typer API is used
(`typer.main.get_command`, `typer.Context`, and the click-style `list_commands`/`get_command`/`get_params`/
`get_help_record` methods of its commands).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CLI_MARKER = '<!-- agentcore-cli-reference -->'
SETTINGS_MARKER = '<!-- agentcore-settings-reference -->'

#: Descriptions for the settings fields that have none in the code.
_SETTING_NOTES = {'sandbox_image': 'The Docker image sandboxes are started from (`agentcore sandbox build` makes it).'}
#: Defaults computed at run time, shown as the rule rather than as the builder's value.
_SETTING_DEFAULTS = {'home': '`~/.agentcore`'}


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace the markers with the generated references (pages without a marker are left alone)."""
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    if SETTINGS_MARKER in markdown:
        markdown = markdown.replace(SETTINGS_MARKER, settings_reference())
    return markdown


# -- the command line ----------------------------------------------------------------------------------------------


def cli_reference() -> str:
    """The reference of every command of `agentcore.cli.app`, as Markdown."""
    import typer

    return '\n'.join(_section(cmd, ctx) for cmd, ctx in walk(_root(), typer.Context(_root(), info_name='agentcore')))


def commands() -> list[str]:
    """Every command path of the app (`agentcore`, `agentcore run`, `agentcore runs list`, ...), in tree order."""
    import typer

    return [ctx.command_path for _, ctx in walk(_root(), typer.Context(_root(), info_name='agentcore'))]


def _root() -> Any:
    os.environ.setdefault('LITELLM_LOCAL_MODEL_COST_MAP', 'True')
    import typer.main

    from agentcore.cli import app

    return typer.main.get_command(app)


def walk(cmd: Any, ctx: Any) -> Iterator[tuple[Any, Any]]:
    """`(command, context)` for `cmd` and every visible command below it, depth first."""
    import typer

    yield cmd, ctx
    if hasattr(cmd, 'list_commands'):
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not getattr(sub, 'hidden', False):
                yield from walk(sub, typer.Context(sub, info_name=name, parent=ctx))


def _section(cmd: Any, ctx: Any) -> str:
    path = ctx.command_path
    level = '#' * min(2 + path.count(' '), 4)
    usage = f'{path} {" ".join(cmd.collect_usage_pieces(ctx))}'.strip()
    out = [f'{level} `{path}`', '', _help(cmd), '', '```text', usage, '```', '']
    arguments: list[tuple[str, str]] = []
    options: list[tuple[str, str]] = []
    for param in cmd.get_params(ctx):
        if getattr(param, 'hidden', False):
            continue
        record = param.get_help_record(ctx)
        if record is None:
            continue
        names, text = record
        (arguments if getattr(param, 'param_type_name', '') == 'argument' else options).append((names, text))
    for title, rows in (('Arguments', arguments), ('Options', options)):
        if rows:
            out += [f'**{title}**', '', '| Name | Description |', '| --- | --- |']
            out += [f'| `{_cell(names, code=True)}` | {_cell(text)} |' for names, text in rows]
            out.append('')
    if hasattr(cmd, 'list_commands'):
        subs = [(name, cmd.get_command(ctx, name)) for name in cmd.list_commands(ctx)]
        lines = [f'| `{path} {name}` | {_cell(_summary(sub))} |' for name, sub in subs if sub and not sub.hidden]
        if lines:
            out += ['**Commands**', '', '| Command | What it does |', '| --- | --- |', *lines, '']
    return '\n'.join(out)


def _help(cmd: Any) -> str:
    return (cmd.help or '').strip()


def _summary(cmd: Any) -> str:
    return _help(cmd).split('\n\n')[0].replace('\n', ' ')


def _cell(text: str, *, code: bool = False) -> str:
    """One table cell: on one line, its pipes escaped (inside a code span a pipe does not split the row)."""
    text = ' '.join(text.split())
    return text if code else text.replace('|', '\\|')


# -- the settings --------------------------------------------------------------------------------------------------


def settings_fields() -> list[str]:
    """The names of every field of `agentcore.Settings`, in definition order."""
    from agentcore import Settings

    return list(Settings.model_fields)


def settings_reference() -> str:
    """A Markdown table of every field of `agentcore.Settings`."""
    from agentcore import Settings

    rows = ['| Setting | Environment variable | Default | Meaning |', '| --- | --- | --- | --- |']
    for name, field in Settings.model_fields.items():
        text = field.description or _SETTING_NOTES.get(name, '')
        rows.append(f'| `{name}` | `AGENTCORE_{name.upper()}` | {_default(name, field)} | {_cell(text)} |')
    return '\n'.join(rows)


def _default(name: str, field: Any) -> str:
    from pydantic import BaseModel

    if name in _SETTING_DEFAULTS:
        return _SETTING_DEFAULTS[name]
    value = field.default_factory() if field.default_factory is not None else field.default
    if isinstance(value, Path):
        home = str(Path.home())
        text = str(value)
        return f'`~{text[len(home):]}`' if text.startswith(home) else f'`{text}`'
    if value is None or value in ({}, []) or (isinstance(value, BaseModel) and value == type(value)()):
        return '—'
    return f'`{value}`'

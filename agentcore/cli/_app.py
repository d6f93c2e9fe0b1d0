"""Typer application: wiring of the sub-commands and the one-line error handler."""

from __future__ import annotations

import os
import sys
from importlib.metadata import version as _dist_version

import typer

from ._errors import report_error

app = typer.Typer(
    name='agentcore',
    help='Autonomous, tool-using LLM agents with hardened sandboxes.',
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f'agentcore {_dist_version("agentcore")}')
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, '--version', help='Show the version and exit.', callback=_version_callback, is_eager=True),
) -> None:
    """Autonomous, tool-using LLM agents with hardened sandboxes."""


def _register() -> None:
    from . import _chat, _memory, _replay, _run, _runs, _sandbox

    _run.register(app)
    _chat.register(app)
    _replay.register(app)
    app.add_typer(_runs.app, name='runs', help='Inspect stored runs.')
    app.add_typer(_sandbox.app, name='sandbox', help='Build, check and clean up the Docker sandbox.')
    app.add_typer(_memory.app, name='memory', help='Search and manage episodic memory.')


_register()


def main() -> None:
    """Console-script entry point: runs the app and turns any error into one clear line.

    Set `AGENTCORE_DEBUG=1` to see the full traceback instead.
    """
    try:
        code = app(standalone_mode=False)
    except SystemExit as exc:
        raise exc
    except BaseException as exc:
        if os.environ.get('AGENTCORE_DEBUG'):
            raise
        sys.exit(report_error(exc))
    # Without standalone mode, click returns the code of `typer.Exit` instead of exiting.
    sys.exit(code if isinstance(code, int) else 0)

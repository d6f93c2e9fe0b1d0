"""Typer application: wiring of the sub-commands and the one-line error handler."""

from __future__ import annotations

import atexit
import os
import sys
import threading
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
    from . import _chat, _knowledge, _memory, _replay, _run, _runs, _sandbox

    _run.register(app)
    _chat.register(app)
    _replay.register(app)
    app.add_typer(_runs.app, name='runs', help='Inspect stored runs.')
    app.add_typer(_sandbox.app, name='sandbox', help='Build, check and clean up the Docker sandbox.')
    app.add_typer(_memory.app, name='memory', help='Search and manage episodic memory.')
    app.add_typer(_knowledge.app, name='knowledge', help='Ingest documents and search them with citations.')


_register()


#: Commands that call a model; `--model`/`-m`, `AGENTCORE_MODEL` or `agentcore.toml` says which.
_MODEL_COMMANDS = frozenset({'run', 'chat', 'record', 'resume'})


def _model_from_argv(argv: list[str]) -> str | None:
    """The model the command will use, as far as the command line, `AGENTCORE_MODEL` or `agentcore.toml` say."""
    for i, arg in enumerate(argv):
        if arg in ('--model', '-m') and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith('--model='):
            return arg.partition('=')[2]
    return os.environ.get('AGENTCORE_MODEL') or _configured_model()


def _configured_model() -> str | None:
    """`model` of the `agentcore.toml` the settings will read, if it names one; any problem is left to them."""
    import tomllib

    from agentcore._settings import ConfigError, _toml_file

    try:
        path = _toml_file()
        model = tomllib.loads(path.read_text(encoding='utf-8')).get('model') if path is not None else None
    except (ConfigError, OSError, ValueError):
        return None
    return model if isinstance(model, str) else None


def _prefetch_model_client(argv: list[str]) -> None:
    """Start the litellm import in the background when the command will call a litellm model.

    Only on evidence (a non-`scripted:` model named by `--model`, `AGENTCORE_MODEL` or `agentcore.toml`), never for
    `--help`, `replay` or the other commands, which then stay free of litellm. `resume` takes the stored run's
    model, which is not known yet: it imports litellm on first use.
    """
    if not argv or argv[0] not in _MODEL_COMMANDS or '--help' in argv or '-h' in argv:
        return
    model = _model_from_argv(argv[1:])
    if model and not model.startswith('scripted:'):
        from agentcore._litellm import prefetch_litellm

        prefetch_litellm()


def _is_entry_process() -> bool:
    """Whether this interpreter was started as `agentcore` or `python -m agentcore` (not a test, not `-c`)."""
    main_module = sys.modules.get('__main__')
    spec = getattr(main_module, '__spec__', None)
    if spec is not None and spec.name == 'agentcore.__main__':
        return True
    return os.path.basename(getattr(main_module, '__file__', None) or '') == 'agentcore'


def _exit(code: int) -> None:
    """Exit with `code`; the `agentcore` process itself skips the interpreter's teardown of its modules.

    Tearing down litellm, langgraph and pydantic's module graphs takes seconds on a slow machine and does nothing
    for the user. Everything the interpreter would run first still runs: the wait for non-daemon threads, then the
    `atexit` handlers (sandbox removal, store flushes, logging), then the buffered output is flushed.
    `AGENTCORE_SLOW_EXIT=1`, or any caller of `main()` other than the entry point, keeps the ordinary exit.
    """
    if not _is_entry_process() or os.environ.get('AGENTCORE_SLOW_EXIT'):
        sys.exit(code)
    shutdown = getattr(threading, '_shutdown', None)
    run_exitfuncs = getattr(atexit, '_run_exitfuncs', None)
    if shutdown is None or run_exitfuncs is None:
        sys.exit(code)
    try:
        shutdown()
        run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    except BaseException:  # a handler that fails: leave by the ordinary exit, which reports it
        sys.exit(code)
    os._exit(code)


def main() -> None:
    """Console-script entry point: runs the app and turns any error into one clear line.

    Set `AGENTCORE_DEBUG=1` to see the full traceback instead.
    """
    _prefetch_model_client(sys.argv[1:])
    try:
        code = app(standalone_mode=False)
    except SystemExit as exc:
        if isinstance(exc.code, int | None):
            _exit(exc.code or 0)
        raise exc
    except BaseException as exc:
        if os.environ.get('AGENTCORE_DEBUG'):
            raise
        _exit(report_error(exc))
    # Without standalone mode, click returns the code of `typer.Exit` instead of exiting.
    _exit(code if isinstance(code, int) else 0)

"""Turn exceptions into one clear line on stderr and an exit code."""

from __future__ import annotations

import sys

import typer

from agentcore._sanitize import strip_control

#: Exit code for bad input or usage (files, flags, config).
EXIT_USAGE = 2
#: Exit code for a failure of the work itself.
EXIT_FAILURE = 1


def report_error(exc: BaseException) -> int:
    """Print `exc` as a single line (with its fix, when it carries one) and return the exit code to use."""
    if isinstance(exc, typer.Exit):
        return int(exc.exit_code)
    if isinstance(exc, typer.Abort | KeyboardInterrupt):
        print('agentcore: aborted', file=sys.stderr)
        return 130
    # typer vendors click; its ClickException (usage errors, bad parameters) is recognised by shape.
    format_message = getattr(exc, 'format_message', None)
    if callable(format_message) and isinstance(getattr(exc, 'exit_code', None), int):
        print(strip_control(f'agentcore: error: {" ".join(str(format_message()).split())}'), file=sys.stderr)
        return EXIT_USAGE
    message = ' '.join(str(exc).split()) or type(exc).__name__
    hint = getattr(exc, 'hint', None)
    line = f'agentcore: error: {message}'
    if hint:
        line += f' (fix: {hint})'
    print(strip_control(line), file=sys.stderr)
    return EXIT_USAGE if getattr(exc, 'usage_error', False) or isinstance(exc, ValueError) else EXIT_FAILURE

"""Turn exceptions into one clear line on stderr and an exit code."""

from __future__ import annotations

import sys

import click

#: Exit code for bad input or usage (files, flags, config).
EXIT_USAGE = 2
#: Exit code for a failure of the work itself.
EXIT_FAILURE = 1


def report_error(exc: BaseException) -> int:
    """Print `exc` as a single line (with its fix, when it carries one) and return the exit code to use."""
    if isinstance(exc, click.exceptions.Exit):
        return exc.exit_code
    if isinstance(exc, click.exceptions.Abort | KeyboardInterrupt):
        print('agentcore: aborted', file=sys.stderr)
        return 130
    if isinstance(exc, click.ClickException):
        print(f'agentcore: error: {exc.format_message()}', file=sys.stderr)
        return EXIT_USAGE
    message = ' '.join(str(exc).split()) or type(exc).__name__
    hint = getattr(exc, 'hint', None)
    line = f'agentcore: error: {message}'
    if hint:
        line += f' (fix: {hint})'
    print(line, file=sys.stderr)
    return EXIT_USAGE if getattr(exc, 'usage_error', False) or isinstance(exc, ValueError) else EXIT_FAILURE

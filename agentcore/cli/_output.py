"""Shared output helpers for the CLI: JSON to stdout, rich tables for people, progress on a terminal's stderr.

rich is imported inside the helpers, like every other dependency of a command body.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import typer

from agentcore._sanitize import strip_control

if TYPE_CHECKING:
    from rich.console import Console


def print_json(data: Any) -> None:
    """Print `data` as indented JSON on stdout."""
    typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def echo_text(text: str, *, err: bool = False) -> None:
    """Print model or tool text for a person: terminal control sequences removed (`--json` output needs no such care)."""
    typer.echo(strip_control(text), err=err)


def print_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print a rich table with these column headers and rows (cells as text, markup not interpreted) on stdout.

    The first column (the key: an id or a name) is never wrapped; the others wrap (long words fold) to fit the width.
    Terminal control sequences in cells are removed.
    """
    from rich.console import Console
    from rich.table import Column, Table
    from rich.text import Text

    key, *rest = columns
    width = max([len(key), *(len(row[0]) for row in rows)])
    table = Table(Column(key, no_wrap=True, min_width=width), *rest)
    for row in rows:
        table.add_row(*(Text(strip_control(cell), overflow='fold') for cell in row))
    Console().print(table)


def progress_console() -> Console | None:
    """A rich console on stderr when stderr is a terminal (where progress displays go), else None."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console

    return Console(stderr=True)

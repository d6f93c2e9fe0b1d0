"""Shared output helpers for the CLI: JSON to stdout, rich tables for people."""

from __future__ import annotations

import json
from typing import Any

import typer


def print_json(data: Any) -> None:
    """Print `data` as indented JSON on stdout."""
    typer.echo(json.dumps(data, indent=2, sort_keys=True, default=str))

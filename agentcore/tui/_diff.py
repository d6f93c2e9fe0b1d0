"""Side-by-side views of unified diffs (recorded -> replayed), for the replay stepper."""

from __future__ import annotations

import json
from typing import Any, Literal

from rich.text import Text

from agentcore._sanitize import strip_control

Tag = Literal['same', 'changed', 'removed', 'added', 'hunk']
Row = tuple[str, str, Tag]


def as_lines(value: Any) -> list[str]:
    """`value` as indented, key-sorted JSON lines (strings line by line); terminal control sequences removed."""
    if isinstance(value, str):
        return strip_control(value).splitlines() or ['']
    return strip_control(json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)).splitlines()


def _flush(removed: list[str], added: list[str], rows: list[Row]) -> None:
    for k in range(max(len(removed), len(added))):
        a = removed[k] if k < len(removed) else ''
        b = added[k] if k < len(added) else ''
        rows.append((a, b, 'changed' if a and b else ('removed' if a else 'added')))
    removed.clear()
    added.clear()


def unified_to_rows(diff: str) -> tuple[str, str, list[Row]]:
    """Split a unified diff into aligned `(left, right, tag)` rows, with the two file names.

    Runs of `-` lines followed by `+` lines are paired line by line as changes; `@@` hunk headers become `hunk`
    rows on both sides. Lines that are not part of a diff are shown on both sides.
    """
    left_name, right_name = 'recorded', 'replayed'
    rows: list[Row] = []
    removed: list[str] = []
    added: list[str] = []
    in_body = False
    for line in diff.splitlines():
        if not in_body and line.startswith('--- '):
            left_name = line[4:].strip() or left_name
        elif not in_body and line.startswith('+++ '):
            right_name = line[4:].strip() or right_name
        elif line.startswith('-'):
            if added:
                _flush(removed, added, rows)
            removed.append(line[1:])
        elif line.startswith('+'):
            added.append(line[1:])
        else:
            _flush(removed, added, rows)
            if line.startswith('@@'):
                in_body = True
                rows.append((line, line, 'hunk'))
            else:
                text = line.removeprefix(' ')
                rows.append((text, text, 'same'))
    _flush(removed, added, rows)
    return left_name, right_name, rows


_LEFT = {'same': '', 'changed': 'bold red', 'removed': 'bold red', 'added': 'dim', 'hunk': 'cyan'}
_RIGHT = {'same': '', 'changed': 'bold green', 'removed': 'dim', 'added': 'bold green', 'hunk': 'cyan'}
_MARK_LEFT = {'same': '  ', 'changed': '- ', 'removed': '- ', 'added': '  ', 'hunk': ''}
_MARK_RIGHT = {'same': '  ', 'changed': '+ ', 'removed': '  ', 'added': '+ ', 'hunk': ''}


def render_rows(rows: list[Row], left: Text, right: Text) -> None:
    """Append aligned rows to the two sides, changed lines marked `-`/`+` and coloured."""
    for a, b, tag in rows:
        left.append(_MARK_LEFT[tag] + a + '\n', style=_LEFT[tag])
        right.append(_MARK_RIGHT[tag] + b + '\n', style=_RIGHT[tag])

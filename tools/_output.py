"""Bounding what the model sees of a tool's output."""

from __future__ import annotations

from typing import Any

from ._base import ToolResult

#: Default bound, in characters, on what the model sees of one tool result.
DEFAULT_MAX_CHARS = 8000


def truncate_middle(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> tuple[str, bool]:
    r"""Keep the head and tail of `text`, at most about `max_chars` characters, with a marker in between.

    The marker reads `\n... [N characters omitted] ...\n` and is not counted in `max_chars`.

    Returns:
        The bounded text and whether anything was cut.

    Raises:
        ValueError: `max_chars` is below 1.
    """
    if max_chars < 1:
        raise ValueError(f'max_chars must be at least 1, got {max_chars}')
    if len(text) <= max_chars:
        return text, False
    head = (max_chars + 1) // 2
    tail = max_chars - head
    omitted = len(text) - head - tail
    end = text[len(text) - tail :] if tail else ''
    return f'{text[:head]}\n... [{omitted} characters omitted] ...\n{end}', True


def to_jsonable(value: Any) -> Any:
    """`value` as JSON-ready data (pydantic models, dataclasses... included), or its text when it has no JSON form."""
    from pydantic_core import to_jsonable_python

    try:
        return to_jsonable_python(value)
    except Exception:
        return str(value)


def bounded_result(
    text: str,
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    is_error: bool = False,
    data: dict[str, Any] | None = None,
) -> ToolResult:
    """A `ToolResult` whose `content` is `text` bounded by `max_chars`; `full_output` keeps all of it when cut.

    `data['truncated']` is set to whether `content` was cut (or kept when already true).
    """
    content, cut = truncate_middle(text, max_chars)
    out = dict(data or {})
    out['truncated'] = bool(out.get('truncated')) or cut
    return ToolResult(content=content, is_error=is_error, data=out, full_output=text if cut else None)


def exec_result(result: Any, *, max_chars: int = DEFAULT_MAX_CHARS, timeout_s: float | None = None) -> ToolResult:
    """Turn a sandbox `ExecResult` into a bounded `ToolResult`.

    `content` is stdout, then stderr under a `[stderr]` line, then status lines: how the command ended when it did
    not exit 0 (`[exit code N]`, `[timed out ...]`, `[killed: out of memory]`), a sandbox limit it hit, output the
    sandbox cut, a sandbox reset. `data` holds `exit_code`, `stdout`, `stderr` (each bounded by `max_chars`),
    `timed_out`, `oom_killed`, `duration_s`, `limit`, `recycled` and `truncated` (set when the sandbox or this
    bound cut anything). `is_error` is set unless the exit code is 0.
    """
    stdout: str = result.stdout or ''
    stderr: str = result.stderr or ''
    exit_code: int | None = result.exit_code
    timed_out = bool(getattr(result, 'timed_out', False))
    oom_killed = bool(getattr(result, 'oom_killed', False))
    parts = [stdout] if stdout else []
    if stderr:
        parts.append(f'[stderr]\n{stderr}')
    if timed_out:
        parts.append(f'[timed out after {timeout_s:g} s]' if timeout_s else '[timed out]')
    elif oom_killed:
        parts.append('[killed: out of memory]')
    elif exit_code != 0:
        parts.append(f'[exit code {exit_code}]')
    limit = getattr(result, 'limit', None)
    if limit is not None and str(limit) not in ('timeout', 'output') and not oom_killed:
        parts.append(f'[sandbox limit hit: {limit}]')
    if bool(getattr(result, 'truncated', False)):
        parts.append('[the sandbox cut this output: it was larger than its output limit]')
    if bool(getattr(result, 'recycled', False)):
        parts.append('[the sandbox was reset after this call: workspace files and background processes are gone]')
    text = '\n'.join(p.rstrip('\n') for p in parts) or '[no output]'
    out_b, out_cut = truncate_middle(stdout, max_chars)
    err_b, err_cut = truncate_middle(stderr, max_chars)
    data: dict[str, Any] = {
        'exit_code': exit_code,
        'stdout': out_b,
        'stderr': err_b,
        'timed_out': timed_out,
        'oom_killed': oom_killed,
        'duration_s': getattr(result, 'duration_s', None),
        'limit': None if limit is None else str(limit),
        'recycled': bool(getattr(result, 'recycled', False)),
        'truncated': bool(getattr(result, 'truncated', False)) or out_cut or err_cut,
    }
    return bounded_result(text, max_chars=max_chars, is_error=exit_code != 0 or timed_out, data=data)

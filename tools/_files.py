"""Built-in tools on the sandbox's workspace files: `read_file`, `write_file`, `list_files`, `edit_file`.

Paths are relative to the workspace; the sandbox refuses paths that leave it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from ._base import ToolArgumentsError, ToolContext, ToolError, ToolResult
from ._exec import sandbox_of
from ._function import FunctionTool
from ._output import DEFAULT_MAX_CHARS, bounded_result

#: Most entries `list_files` shows.
MAX_LIST_ENTRIES = 1000
#: The sandbox's errors that are about the model's path or file, reported to it as `ToolError`.
_SANDBOX_FILE_ERRORS = ('WorkspacePathError', 'SandboxFileError')


@contextmanager
def sandbox_file_errors(path: str) -> Iterator[None]:
    """Turn the sandbox's file errors (missing file, directory, path outside the workspace...) into `ToolError`."""
    try:
        yield
    except (FileNotFoundError, NotADirectoryError):
        raise ToolError(f'no such file or directory: {path}', hint='list_files shows what exists') from None
    except IsADirectoryError:
        raise ToolError(f'{path} is a directory, not a file', hint='list_files shows its entries') from None
    except PermissionError:
        raise ToolError(f'permission denied: {path}') from None
    except Exception as exc:
        if _is_sandbox_file_error(exc):
            raise ToolError(str(exc), hint=getattr(exc, 'hint', None)) from None
        raise


def _is_sandbox_file_error(exc: Exception) -> bool:
    """Whether `exc` is the sandbox refusing a path or failing a file operation (not an engine failure)."""
    import sys

    sandbox = sys.modules.get('agentcore.sandbox')  # never imported here: a sandbox object means it is loaded
    kinds = tuple(k for k in (getattr(sandbox, n, None) for n in _SANDBOX_FILE_ERRORS) if isinstance(k, type))
    return bool(kinds) and isinstance(exc, kinds)


def _decode(data: bytes, path: str, *, strict: bool) -> str:
    hint = 'inspect it with the python or shell tool'
    if b'\0' in data[:8192]:
        raise ToolError(f'{path} is a binary file ({len(data)} bytes)', hint=hint)
    try:
        return data.decode('utf-8', errors='strict' if strict else 'replace')
    except UnicodeDecodeError:
        raise ToolError(f'{path} is not UTF-8 text', hint=hint) from None


async def _read_text(ctx: ToolContext, path: str, *, strict: bool = False) -> str:
    with sandbox_file_errors(path):
        data = await sandbox_of(ctx).aread_file(path)
    return _decode(data if isinstance(data, bytes) else str(data).encode(), path, strict=strict)


class ReadFileTool(FunctionTool):
    """`read_file`: read a text file of the workspace (a line range of it, optionally)."""

    def __init__(self, *, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        super().__init__(self._call, name='read_file', side_effects='none', source='builtin', max_chars=max_chars)

    async def _call(self, path: str, ctx: ToolContext, start_line: int = 1, end_line: int | None = None) -> ToolResult:
        """Read a text file in the sandbox's workspace.

        Long files are cut in the middle: read a line range to see the rest.

        Args:
            path: File path, relative to the workspace.
            start_line: First line to return (1-based).
            end_line: Last line to return (inclusive); default: the end of the file.
            ctx: The call's context (not shown to the model).
        """
        if start_line < 1 or (end_line is not None and end_line < start_line):
            raise ToolArgumentsError(f'bad line range {start_line}..{end_line}: lines start at 1 and end >= start')
        text = await _read_text(ctx, path)
        lines = text.splitlines(keepends=True)
        whole = start_line == 1 and end_line is None
        chosen = text if whole else ''.join(lines[start_line - 1 : end_line])
        data: dict[str, Any] = {'path': path, 'chars': len(text), 'lines': len(lines)}
        if not whole:
            data.update(start_line=start_line, end_line=min(end_line or len(lines), len(lines)))
        return bounded_result(chosen, max_chars=self.max_chars, data=data)


class WriteFileTool(FunctionTool):
    """`write_file`: create or overwrite a file of the workspace."""

    def __init__(self, *, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        super().__init__(self._call, name='write_file', side_effects='sandbox', source='builtin', max_chars=max_chars)

    async def _call(self, path: str, content: str, ctx: ToolContext) -> ToolResult:
        """Create or overwrite a text file in the sandbox's workspace (missing parent directories are created).

        Args:
            path: File path, relative to the workspace.
            content: The complete new content of the file.
            ctx: The call's context (not shown to the model).
        """
        data = content.encode('utf-8')
        with sandbox_file_errors(path):
            await sandbox_of(ctx).awrite_file(path, data)
        return ToolResult(content=f'wrote {len(data)} bytes to {path}', data={'path': path, 'bytes': len(data)})


def _entry_line(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        entry = SimpleNamespace(**entry)
    name = str(getattr(entry, 'path', None) or getattr(entry, 'name', entry))
    is_dir = getattr(entry, 'is_dir', None)
    if callable(is_dir):
        is_dir = is_dir()
    kind = getattr(entry, 'kind', None) or getattr(entry, 'type', None)
    if is_dir or kind in ('dir', 'directory'):
        return name.rstrip('/') + '/'
    if kind == 'symlink':
        return f'{name}  (symlink)'
    size = getattr(entry, 'size', None)
    return f'{name}  ({size} bytes)' if isinstance(size, int) else name


class ListFilesTool(FunctionTool):
    """`list_files`: list the entries of a workspace directory."""

    def __init__(self, *, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        super().__init__(self._call, name='list_files', side_effects='none', source='builtin', max_chars=max_chars)

    async def _call(self, ctx: ToolContext, path: str = '.', recursive: bool = False) -> ToolResult:
        """List the files and directories in a directory of the sandbox's workspace (directories end with `/`).

        Paths are shown relative to the workspace.

        Args:
            path: Directory, relative to the workspace.
            recursive: Also list the content of every subdirectory.
            ctx: The call's context (not shown to the model).
        """
        sandbox = sandbox_of(ctx)
        with sandbox_file_errors(path):
            entries = list(
                await (sandbox.alist_files(path, recursive=True) if recursive else sandbox.alist_files(path))
            )
        lines = sorted(_entry_line(e) for e in entries)
        shown = lines[:MAX_LIST_ENTRIES]
        text = '\n'.join(shown) or '(empty directory)'
        if len(lines) > len(shown):
            text += f'\n... [{len(lines) - len(shown)} more entries]'
        data = {'path': path, 'entries': shown, 'count': len(lines), 'truncated': len(lines) > len(shown)}
        return bounded_result(text, max_chars=self.max_chars, data=data)


def _line_of(text: str, index: int) -> int:
    return text.count('\n', 0, index) + 1


class EditFileTool(FunctionTool):
    """`edit_file`: exact search-and-replace in a workspace file."""

    def __init__(self, *, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        super().__init__(self._call, name='edit_file', side_effects='sandbox', source='builtin', max_chars=max_chars)

    async def _call(
        self, path: str, search: str, replace: str, ctx: ToolContext, replace_all: bool = False
    ) -> ToolResult:
        """Replace an exact piece of text in a file of the sandbox's workspace.

        The search text must match exactly (whitespace and indentation included) and, unless replace_all is
        true, appear exactly once: include enough surrounding lines to make it unique.

        Args:
            path: File path, relative to the workspace.
            search: The exact text to find (may span several lines).
            replace: The text to put in its place.
            replace_all: Replace every occurrence instead of requiring exactly one.
            ctx: The call's context (not shown to the model).
        """
        if not search:
            raise ToolArgumentsError("argument 'search': expected a non-empty string, got ''")
        text = await _read_text(ctx, path, strict=True)
        count = text.count(search)
        if count == 0:
            raise ToolError(
                f'the search text was not found in {path}',
                hint='it must match exactly, whitespace and indentation included: read the file and copy the text',
            )
        starts, at = [], text.find(search)
        while at != -1:
            starts.append(_line_of(text, at))
            at = text.find(search, at + len(search))
        if count > 1 and not replace_all:
            where = ', '.join(str(n) for n in starts[:10]) + (', ...' if count > 10 else '')
            raise ToolError(
                f'the search text appears {count} times in {path} (at lines {where})',
                hint='add surrounding lines to make it unique, or pass replace_all=true',
            )
        new = text.replace(search, replace)
        with sandbox_file_errors(path):
            await sandbox_of(ctx).awrite_file(path, new.encode('utf-8'))
        noun = 'occurrence' if count == 1 else 'occurrences'
        message = f'replaced {count} {noun} in {path} (at line{"s" if count > 1 else ""} {", ".join(map(str, starts))})'
        data = {'path': path, 'replacements': count, 'lines': starts}
        return bounded_result(message, max_chars=self.max_chars, data=data)

"""Host-side normalisation of workspace paths (the executor checks symlinks again inside the container)."""

from __future__ import annotations

import os

from ._errors import WorkspacePathError

__all__ = ['normalize']


def normalize(path: str | os.PathLike[str], workdir: str, *, what: str = 'path') -> str:
    """Return `path` as a clean workspace-relative path (`.` for the workspace itself).

    Absolute paths are accepted only inside `workdir` (`/workspace/a` becomes `a`).

    Raises:
        WorkspacePathError: if `path` is not a string, contains NUL, has a `..` component, or is absolute
            outside `workdir`.
    """
    text = os.fspath(path)
    if not isinstance(text, str) or '\0' in text:
        raise WorkspacePathError(f'{what} {path!r} is not a valid path')
    if text.startswith('/'):
        if text != workdir and not text.startswith(workdir + '/'):
            raise WorkspacePathError(f'{what} {text!r} is an absolute path outside the workspace {workdir}')
        text = text[len(workdir) :]
    parts = [part for part in text.split('/') if part not in ('', '.')]
    if '..' in parts:
        raise WorkspacePathError(f"{what} {text!r} contains '..'")
    return '/'.join(parts) or '.'

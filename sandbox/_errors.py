"""Typed sandbox errors. Each carries a one-line `hint` with the fix, which the CLI prints after the message.

Standard library only: this module is also shipped into the container with the executor.
"""

from __future__ import annotations

from agentcore._errors import AgentcoreError

__all__ = [
    'EnginePermissionError',
    'EngineUnavailableError',
    'ImageBuildError',
    'ImageNotFoundError',
    'PoolExhaustedError',
    'SandboxClosedError',
    'SandboxConfigError',
    'SandboxDiedError',
    'SandboxError',
    'SandboxFileError',
    'SandboxFileNotFoundError',
    'SandboxStartError',
    'UnsafeArchiveError',
    'WorkspacePathError',
]


class SandboxError(AgentcoreError):
    """Base class of every sandbox failure.

    Attributes:
        hint: One line saying how to fix it, or None when there is nothing to do but retry.
        usage_error: True when the caller's input was at fault (the CLI then exits with code 2).
    """



class EngineUnavailableError(SandboxError):
    """The Docker engine cannot be reached (not installed, not running, or DOCKER_HOST is wrong)."""

    default_hint = 'start the Docker engine: sudo systemctl start docker (or: bash .ci/services/docker.sh)'


class EnginePermissionError(SandboxError):
    """The Docker engine is running but this user may not talk to it."""

    default_hint = 'allow this user to use Docker: sudo usermod -aG docker "$USER", then log in again'


class ImageNotFoundError(SandboxError):
    """The sandbox image is not present in the engine (nothing is ever pulled implicitly)."""

    default_hint = 'agentcore sandbox build'


class ImageBuildError(SandboxError):
    """Building the sandbox image failed."""

    default_hint = 'agentcore sandbox doctor'


class SandboxStartError(SandboxError):
    """A container was created but its executor never reported ready."""

    default_hint = 'agentcore sandbox doctor'


class SandboxDiedError(SandboxError):
    """The container or its executor died, or stopped answering; its workspace is gone."""

    default_hint = 'call reset() on the sandbox (or take another one from the pool) and redo the lost work'


class SandboxClosedError(SandboxError):
    """The sandbox or pool was used after `close()`."""

    default_hint = 'create a new sandbox'


class PoolExhaustedError(SandboxError):
    """`SandboxPool.acquire()` timed out with every sandbox in use."""

    default_hint = 'release sandboxes sooner, raise max_size, or pass a longer timeout_s'


class SandboxConfigError(SandboxError, ValueError):
    """A `SandboxConfig` field has a value that cannot work."""

    default_hint = 'see the SandboxConfig docstring for each field and its allowed range'
    usage_error = True


class WorkspacePathError(SandboxError, ValueError):
    """A path was refused: absolute outside the workspace, containing `..`, or leading out through a symlink."""

    default_hint = "use a path relative to the workspace, without '..'"
    usage_error = True


class UnsafeArchiveError(SandboxError, ValueError):
    """A tar archive had a member that could write outside its destination (absolute, `..`, link, device)."""

    default_hint = 'the archive was not extracted; nothing was written'


class SandboxFileError(SandboxError, OSError):
    """A file operation inside the sandbox failed (not a regular file, too large, workspace full)."""


class SandboxFileNotFoundError(SandboxFileError, FileNotFoundError):
    """The workspace path does not exist."""

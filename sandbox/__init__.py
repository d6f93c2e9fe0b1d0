"""Hardened, warm Docker sandboxes for running agent tools.

Quick start::

    from agentcore.sandbox import DockerSandbox, SandboxPool

    with DockerSandbox() as sb:
        result = sb.exec('python3 -c "print(6 * 7)"', timeout_s=10)

    pool = SandboxPool(size=2)            # pre-started, reset between runs
    async with pool.asandbox() as sb:
        result = await sb.aexec(['ls', '-la'])

`Sandbox` is one protocol with sync methods (`exec`, `write_file`, `read_file`, `list_files`,
`workspace_digest`, `copy_in`, `copy_out`, `reset`, `close`) and their async forms (`aexec`, `awrite_file`, ...).
Importing this package does not import the docker SDK; that happens on first use.
"""

from ._base import BaseSandbox
from ._config import DEFAULT_IMAGE, SandboxConfig
from ._docker import DockerSandbox
from ._errors import (
    EnginePermissionError,
    EngineUnavailableError,
    ImageBuildError,
    ImageNotFoundError,
    PoolExhaustedError,
    SandboxClosedError,
    SandboxConfigError,
    SandboxDiedError,
    SandboxError,
    SandboxFileError,
    SandboxFileNotFoundError,
    SandboxStartError,
    UnsafeArchiveError,
    WorkspacePathError,
)
from ._image import IMAGE_VERSION, BuildResult, build_image
from ._lifecycle import reap_orphans
from ._pool import SandboxPool
from ._protocol import Command, Sandbox, SandboxProvider
from ._result import ExecResult, FileInfo, Limit
from ._tarsafe import safe_extract_tar

__all__ = [
    'DEFAULT_IMAGE',
    'IMAGE_VERSION',
    'BaseSandbox',
    'BuildResult',
    'Command',
    'DockerSandbox',
    'EnginePermissionError',
    'EngineUnavailableError',
    'ExecResult',
    'FileInfo',
    'ImageBuildError',
    'ImageNotFoundError',
    'Limit',
    'PoolExhaustedError',
    'Sandbox',
    'SandboxClosedError',
    'SandboxConfig',
    'SandboxConfigError',
    'SandboxDiedError',
    'SandboxError',
    'SandboxFileError',
    'SandboxFileNotFoundError',
    'SandboxPool',
    'SandboxProvider',
    'SandboxStartError',
    'UnsafeArchiveError',
    'WorkspacePathError',
    'build_image',
    'reap_orphans',
    'safe_extract_tar',
]

"""`AgentcoreError`: the one root of every error agentcore raises on purpose.

Standard library only: this module is also shipped into the sandbox container with the executor.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ['AgentcoreError']


class AgentcoreError(Exception):
    """Base class of every error agentcore raises on purpose; `except AgentcoreError` catches them all.

    Each package has its own subtree (`ConfigError`, `ModelError`, `ToolError`, `SandboxError`, `MemoryError_`,
    `PolicyFileError`, `ScenarioError`, ...). Errors that are also a standard kind keep that base too
    (`ConfigError` is a `ValueError`, `RunNotFoundError` a `LookupError`), so existing handlers still match.

    Attributes:
        hint: One line saying how to fix it, or `None` when there is no single fix. The CLI prints
            `agentcore: error: <message> (fix: <hint>)`.
        usage_error: True when the caller's input was at fault (the CLI then exits with code 2).
    """

    default_hint: ClassVar[str | None] = None
    usage_error: ClassVar[bool] = False

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint if hint is not None else self.default_hint

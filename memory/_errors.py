"""Typed errors of the memory package.

Every error carries a `hint` (the fix, when there is one) so the CLI can print one line:
`agentcore: error: <message> (fix: <hint>)`.
"""

from __future__ import annotations

from agentcore._errors import AgentcoreError

__all__ = [
    'EmbedderMismatchError',
    'EmbeddingError',
    'MemoryBackendError',
    'MemoryError_',
    'MemoryUnavailableError',
    'SchemaMigrationError',
]


class MemoryError_(AgentcoreError):  # trailing underscore: `MemoryError` is a builtin
    """Base class of every error raised by the memory package.

    Attributes:
        hint: How to fix the problem, or `None` when there is no single fix.
    """



class MemoryUnavailableError(MemoryError_):
    """The memory backend cannot be reached (down, unreachable, timed out, closed).

    Callers can catch this and continue without recall. Episodes already saved are kept by the backend; the
    operation that raised did not take effect (or, for a batch save, may have taken effect only in part).
    """


class MemoryBackendError(MemoryError_):
    """The backend answered, but refused or failed the operation (bad request, server-side error)."""


class EmbedderMismatchError(MemoryError_):
    """The store was created with a different embedder (name or dimension) than the one it is opened with.

    Mixing vectors of two embedders would make every search result silent garbage, so this is always an error.
    """


class SchemaMigrationError(MemoryError_):
    """The stored schema cannot be migrated safely to the one this version needs (for example a type change)."""


class EmbeddingError(MemoryError_):
    """The embedder failed: provider error, bad response, wrong dimension, or a missing optional dependency."""

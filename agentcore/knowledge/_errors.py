"""Typed errors of the knowledge package; backend outages reuse the memory package's errors.

A store that cannot reach its backend raises `agentcore.memory.MemoryUnavailableError`, one that the backend
refuses `MemoryBackendError`, one opened with another embedder `EmbedderMismatchError`: the same backends, the same
errors. Every error carries a `hint` so the CLI prints one line.
"""

from __future__ import annotations

from agentcore._errors import AgentcoreError

__all__ = ['DocumentError', 'KnowledgeError']


class KnowledgeError(AgentcoreError):
    """Base class of the errors raised by the knowledge package itself."""


class DocumentError(KnowledgeError, ValueError):
    """A path given to `add` cannot be ingested: missing, unreadable, of an unsupported kind, or malformed.

    A file inside an added folder that fails this way is skipped and listed in `IngestReport.skipped` instead.
    """

    usage_error = True

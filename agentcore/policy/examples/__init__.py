"""Example policy files shipped with agentcore."""

from __future__ import annotations

from pathlib import Path

#: The documented example policy (`default.yaml`); a good starting point to copy.
DEFAULT_POLICY = Path(__file__).with_name('default.yaml')

__all__ = ['DEFAULT_POLICY']

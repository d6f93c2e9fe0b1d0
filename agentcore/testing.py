"""Test helpers: deterministic, offline models."""

from __future__ import annotations

from ._scripted import ScriptedCall, ScriptedModel, ScriptedTurn, ScriptError

__all__ = ['ScriptError', 'ScriptedCall', 'ScriptedModel', 'ScriptedTurn']

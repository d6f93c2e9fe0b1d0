"""Guardrails: checks on text entering and leaving the agent (prompt injection, secrets and PII).

Recommended for tool output and recalled memory: `GuardrailChain([Redactor(), InjectionDetector()])`, then
`wrap_untrusted` before the model sees it. The detector is one signal, not the defence; extra detectors plug in
through the same `Guardrail` protocol (a `name` and `async check(text, *, stage) -> GuardrailResult`): `LLMJudge`
ships here (litellm, imported on first use); an ML classifier (a Hugging Face prompt-injection model, LLM Guard
scanners, Presidio analyzers) is not shipped but fits the same protocol in a small wrapper class.
"""

from __future__ import annotations

from ._base import Finding, Guardrail, GuardrailAction, GuardrailError, GuardrailResult, Stage, check_sync
from ._chain import GuardrailChain
from ._injection import InjectionDetector, InjectionMode, defang, neutralise, quarantine_notice
from ._llm_judge import LLMJudge
from ._redactor import SECRET_KINDS, Redactor
from ._untrusted import wrap_untrusted

__all__ = [
    'SECRET_KINDS',
    'Finding',
    'Guardrail',
    'GuardrailAction',
    'GuardrailChain',
    'GuardrailError',
    'GuardrailResult',
    'InjectionDetector',
    'InjectionMode',
    'LLMJudge',
    'Redactor',
    'Stage',
    'check_sync',
    'defang',
    'neutralise',
    'quarantine_notice',
    'wrap_untrusted',
]

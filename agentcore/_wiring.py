"""How an `Agent` turns its constructor arguments into the parts a run uses (model, tools, policy, guardrails...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from ._model import ChatModel
from ._runtime import AllowAll
from ._settings import Settings


def resolve_model(model: str | ChatModel | None, settings: Settings) -> ChatModel:
    """A `ChatModel` from a model string, or the configured default.

    Raises:
        ConfigError: no model given or configured, or a `scripted:` file is invalid.
    """
    from ._settings import ConfigError

    if model is None:
        model = settings.model
    if model is None or (isinstance(model, str) and not model.strip()):
        raise ConfigError(
            'no model configured',
            hint='pass --model (e.g. openai/gpt-4o-mini, ollama/llama3 with AGENTCORE_API_BASE, or '
            'scripted:PATH), or set AGENTCORE_MODEL, or `model = "..."` in agentcore.toml',
        )
    if not isinstance(model, str):
        return model
    if model.startswith('scripted:'):
        from ._scripted import ScriptedModel

        return ScriptedModel.from_file(model.removeprefix('scripted:'))
    from ._litellm import LiteLLMModel

    return LiteLLMModel(model, api_base=settings.api_base, api_key=settings.api_key,
                        timeout_s=settings.model_timeout_s, retries=settings.model_retries)


def as_tool(obj: Any) -> Any:
    from agentcore.tools import as_tool

    return as_tool(obj)


def resolve_policy(policy: Any) -> Any:
    if policy is None:
        return AllowAll()
    if isinstance(policy, str | Path):
        from .policy import load_policy

        return load_policy(policy)
    return policy


def default_guardrails() -> list[Any]:
    from .guardrails import InjectionDetector, Redactor

    # Redact first, so that secrets are gone before a quarantine excerpt of an injection is built.
    return [Redactor(), InjectionDetector()]


def interrupted_external(policy: Any) -> Literal['ask', 'skip', 'retry']:
    value = getattr(policy, 'interrupted_external', 'ask')
    if value == 'skip':
        return 'skip'
    return 'retry' if value == 'retry' else 'ask'


def persist_redactor(guardrails: list[Any] | None) -> Any:
    """What scrubs secrets from everything the run store keeps: the agent's own `Redactor`, else a default one."""
    from .guardrails import Redactor

    for guard in guardrails or ():
        if isinstance(guard, Redactor):
            return guard
    return Redactor()


def audit_log(store: Any) -> Any:
    from .audit import AuditLog

    return AuditLog(store.engine)


def _allowlist_probe_type() -> type[Any]:
    from langgraph.checkpoint.memory import InMemorySaver

    class Probe(InMemorySaver):
        """Compiles the graph once and captures the strict-msgpack allowlist LangGraph derives for it."""

        allowlist: Any = None

        def with_allowlist(self, extra_allowlist: Any) -> Any:
            self.allowlist = set(extra_allowlist)
            return self

    return Probe


def allowlist_probe() -> Any:
    return _allowlist_probe_type()()

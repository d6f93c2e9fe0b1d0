"""How an `Agent` turns its constructor arguments into the parts a run uses (model, tools, policy, guardrails...)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._model import ChatModel
from ._model_settings import ModelSettings
from ._settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable

    from langchain_core.tools import BaseTool

    from .audit import AuditLog
    from .guardrails import Guardrail, Redactor
    from .policy import Policy
    from .runstore import RunStore
    from .tools import Tool


def resolve_model(
    model: str | ChatModel | None, settings: Settings, model_settings: ModelSettings | None = None
) -> ChatModel:
    """A `ChatModel` from a model string, or the configured default.

    A litellm model gets the request parameters of `settings` with those of `model_settings` over them, and the
    `model_profile` of `settings` when it sets one. Its price comes from the `prices` setting, when that has one.

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
                        timeout_s=settings.model_timeout_s, retries=settings.model_retries,
                        settings=settings.model_settings.merged(model_settings), profile=settings.model_profile,
                        prices=settings.prices)


def as_tool(obj: Tool | BaseTool | Callable[..., Any]) -> Tool:
    from agentcore.tools import as_tool

    return as_tool(obj)


def resolve_policy(policy: Policy | str | Path | None) -> Policy:
    """The policy a run uses: `None` is `Policy.default_policy()` (allow-all is only ever an explicit choice).

    Raises:
        PolicyFileError: `policy` names a file that cannot be used.
    """
    from .policy import Policy, load_policy

    if policy is None:
        return Policy.default_policy()
    if isinstance(policy, str | Path):
        return load_policy(policy)
    return policy


def default_guardrails() -> list[Guardrail]:
    from .guardrails import InjectionDetector, Redactor

    # Redact first, so that secrets are gone before a quarantine excerpt of an injection is built.
    return [Redactor(), InjectionDetector()]


def persist_redactor(guardrails: Sequence[Guardrail] | None) -> Redactor:
    """What scrubs secrets from everything the run store keeps: the agent's own `Redactor`, else a default one."""
    from .guardrails import Redactor

    for guard in guardrails or ():
        if isinstance(guard, Redactor):
            return guard
    return Redactor()


def audit_log(store: RunStore) -> AuditLog:
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

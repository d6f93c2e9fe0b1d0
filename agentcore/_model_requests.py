"""The switch that makes every real model request raise, so that a test suite can never call a provider by mistake.

Standard library only, and cheap: `LiteLLMModel`, `LiteLLMEmbedder` and `LLMJudge` call `check_model_request` before
they import litellm. The switch is process-wide (not per thread or task): a test turns it on once for the whole
suite. `AGENTCORE_ALLOW_MODEL_REQUESTS=0` turns it on too, and child processes inherit it, so a test that runs
`agentcore run ...` in a subprocess is covered as well.
"""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from types import TracebackType

from ._errors import AgentcoreError

__all__ = [
    'ENV_VAR',
    'ModelRequestsBlockedError',
    'allow_model_requests',
    'block_model_requests',
    'check_model_request',
    'model_requests_allowed',
]

#: Set to `0`, `false`, `no` or `off` (any case) to block model requests in this process and its children.
ENV_VAR = 'AGENTCORE_ALLOW_MODEL_REQUESTS'
_OFF = frozenset({'0', 'false', 'no', 'off'})

#: What this process was told: True allows, False blocks, None leaves it to the environment variable.
_override: bool | None = None


class ModelRequestsBlockedError(AgentcoreError):
    """A real model request was attempted while model requests are blocked (in a test suite, usually).

    It is deliberately not a `ModelError`: the agent graph turns a `ModelError` into a run that ends as `failed`,
    and the scenario recorder records it as the model's answer. This error is never retried and propagates out of
    `Agent.run` / `arun` / `astream`, so the test that made the call fails at that call.

    Attributes:
        model: The model (or embedding model) the request was for.
    """

    default_hint = (
        'use agentcore.testing.ScriptedModel (or a recorded scenario) in tests, or allow real requests with '
        'agentcore.testing.allow_model_requests()'
    )

    def __init__(self, message: str, *, hint: str | None = None, model: str = '') -> None:
        super().__init__(message, hint=hint)
        self.model = model


class _Switch(AbstractContextManager[None]):
    """Sets the switch when made; as a context manager, puts the previous setting back on exit."""

    def __init__(self, allowed: bool) -> None:
        global _override
        self._previous = _override
        _override = allowed

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        global _override
        _override = self._previous


def block_model_requests() -> AbstractContextManager[None]:
    """Make every real model request in this process raise `ModelRequestsBlockedError`, from now on.

    It takes effect at once and lasts until `allow_model_requests()`. Used as a context manager
    (`with block_model_requests(): ...`) it blocks only inside the block. It overrides `AGENTCORE_ALLOW_MODEL_REQUESTS`
    in this process; child processes only see that variable, so set it too (`AGENTCORE_ALLOW_MODEL_REQUESTS=0`) to
    block them.

    Returns:
        A context manager that restores the previous setting on exit (using it is optional).
    """
    return _Switch(False)


def allow_model_requests() -> AbstractContextManager[None]:
    """Allow real model requests in this process, from now on (the opposite of `block_model_requests`).

    Used as a context manager (`with allow_model_requests(): ...`) it allows them only inside the block, e.g. in a
    test that talks to a fake OpenAI-compatible server on loopback. It overrides `AGENTCORE_ALLOW_MODEL_REQUESTS` in
    this process, not in child processes.

    Returns:
        A context manager that restores the previous setting on exit (using it is optional).
    """
    return _Switch(True)


def model_requests_allowed() -> bool:
    """Whether a real model request would be sent now.

    The last `block_model_requests()` / `allow_model_requests()` decides; before either is called,
    `AGENTCORE_ALLOW_MODEL_REQUESTS` does (`0`, `false`, `no` or `off` block; unset or anything else allows).
    """
    if _override is not None:
        return _override
    return os.environ.get(ENV_VAR, '').strip().lower() not in _OFF


def check_model_request(model: str, what: str = 'model request') -> None:
    """Called by the real model clients just before a request; returns at once when requests are allowed.

    Args:
        model: The model the request is for (named in the error).
        what: What kind of request it is, e.g. `'embedding request'`.

    Raises:
        ModelRequestsBlockedError: model requests are blocked.
    """
    if _override is True or model_requests_allowed():
        return
    by = 'block_model_requests()' if _override is False else f'{ENV_VAR}={os.environ.get(ENV_VAR, "")}'
    raise ModelRequestsBlockedError(
        f'{what} to {model or "a model"} blocked: real model requests are turned off in this process (by {by})',
        model=model,
    )

"""The kinds of `ModelError` a user can act on, and how a litellm exception maps onto them (retry or not)."""

from __future__ import annotations

from ._model import ModelError

__all__ = [
    'ContextLengthError',
    'ModelAuthError',
    'ModelConnectionError',
    'ModelNotFoundError',
    'ModelTimeoutError',
    'ToolChoiceError',
    'classify',
    'required_choice_error',
]


class ModelAuthError(ModelError):
    """The provider refused the credentials, or none were given. Never retried."""

    usage_error = True


class ModelConnectionError(ModelError):
    """Nothing answers at the model's URL (refused, unknown host). Never retried."""

    usage_error = True


class ModelNotFoundError(ModelError):
    """The provider (or server) has no model of that name. Never retried."""

    usage_error = True


class ContextLengthError(ModelError):
    """The conversation no longer fits the model's context window. Never retried."""


class ModelTimeoutError(ModelError):
    """The model call, retries included, took longer than `model_timeout_s`."""


class ToolChoiceError(ModelError):
    """The server cannot do the `tool_choice` asked for (`required` on llama-cpp-python's server). Never retried."""

    usage_error = True


_CHOICE_FIX = ("name the one tool it must call (--tool-choice NAME, AGENTCORE_TOOL_CHOICE=NAME), or use "
               "tool_choice='auto'; for a server that accepts 'required' (vLLM) set [model_profile] "
               "required_tool_choice = \"send\"")


def required_choice_error(model: str, url: str, tools: int | None) -> ToolChoiceError:
    """The error for `tool_choice='required'` that the server at `url` cannot honour.

    `tools`: how many tools were offered, when it is known that the request was refused before it was sent
    (more than one); `None` when the server answered an error to a request that carried `required`.
    """
    if tools is None:
        what = f"{url} answered a server error to tool_choice='required' (llama-cpp-python's server does)"
    else:
        what = (f"tool_choice='required' with {tools} tools: a local server cannot force a call among several "
                f"(llama-cpp-python's answers HTTP 500); nothing was sent to {url}")
    return ToolChoiceError(f'{model}: {what}', hint=_CHOICE_FIX)


def classify(exc: BaseException, *, model: str, url: str, tool_choice: object = None) -> tuple[ModelError, bool]:
    """The `ModelError` for a litellm exception, and whether trying again can help.

    `url` names where the request went (the `api_base`, or the provider); `tool_choice` what the request sent.
    Rate limits, 5xx answers and dropped connections are retryable; credentials, an unknown model, a refused
    connection, a context overflow, any other 4xx, and a 5xx to `tool_choice='required'` (a server that cannot
    do it: `ToolChoiceError`) are not.
    """
    from litellm import exceptions as errors

    text = ' '.join(str(exc).split())[:300]
    chain = _causes(exc)
    status = getattr(exc, 'status_code', None)
    if tool_choice == 'required' and (
        isinstance(exc, errors.InternalServerError) or (isinstance(status, int) and status >= 500)
    ):
        return required_choice_error(model, url, None), False
    if isinstance(exc, errors.ContextWindowExceededError) or 'context length' in text.lower() or (
        'context window' in text.lower()
    ):
        return ContextLengthError(
            f'{model}: the conversation is longer than the model accepts ({text})',
            hint='use a model with a bigger context (or a server started with a larger n_ctx), or lower max_tokens',
        ), False
    lowered = text.lower()
    no_key = 'api_key client option must be set' in text or 'missing credentials' in lowered or (
        'api key' in lowered and ('missing' in lowered or 'not set' in lowered))
    if isinstance(exc, errors.AuthenticationError) or no_key:
        return ModelAuthError(
            f'{model}: no valid API key ({text})',
            hint='set the provider key (e.g. OPENAI_API_KEY) or AGENTCORE_API_KEY; a local server takes any '
            'placeholder, e.g. AGENTCORE_API_KEY=sk-local',
        ), False
    if _refused(chain):
        return ModelConnectionError(
            f'{model}: cannot connect to {url} (connection refused or host unknown)',
            hint=f'start the server, or point AGENTCORE_API_BASE (api_base) at where it listens; tried {url}',
        ), False
    if isinstance(exc, errors.NotFoundError) or 'model_not_found' in text or 'does not exist' in text:
        return ModelNotFoundError(
            f'{model}: the provider has no such model ({text})',
            hint='check the model id (for a local server: openai/<the name it serves, see GET /v1/models>)',
        ), False
    if isinstance(exc, errors.RateLimitError | errors.InternalServerError | errors.ServiceUnavailableError |
                  errors.APIConnectionError | errors.Timeout):
        return ModelError(f'{model}: {type(exc).__name__}: {text}', hint=f'the provider at {url} failed; '
                          'try again later'), True
    retry = isinstance(status, int) and status >= 500
    return ModelError(f'{model}: {type(exc).__name__}: {text}',
                      hint='check the model id, api_base and API key (AGENTCORE_MODEL, AGENTCORE_API_BASE)'), retry


def _causes(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and len(out) < 10:
        out.append(seen)
        seen = seen.__cause__ or seen.__context__
    return out


def _refused(chain: list[BaseException]) -> bool:
    for exc in chain:
        if isinstance(exc, ConnectionRefusedError):
            return True
        name = type(exc).__name__
        text = str(exc).lower()
        if name in ('ConnectError', 'ClientConnectorError') or 'connection refused' in text or (
            'name or service not known' in text or 'nodename nor servname' in text
        ):
            return True
    return False

"""The model-request switch: blocked in this suite (tests/conftest.py), loudly, here and in child processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

import agentcore._model_requests as switch
from agentcore import Agent, LiteLLMModel, Message, ModelError, ModelRequest
from agentcore._errors import AgentcoreError
from agentcore.guardrails import LLMJudge
from agentcore.memory import Episode, LiteLLMEmbedder
from agentcore.testing import (
    InMemoryMemory,
    ModelRequestsBlockedError,
    ScriptedModel,
    allow_model_requests,
    block_model_requests,
    model_requests_allowed,
)
from agentcore.tools import tool
from tests._http import loopback_server

ROOT = Path(__file__).resolve().parents[2]


def _completion(content: str) -> dict[str, Any]:
    return {
        'id': 'chatcmpl-1', 'object': 'chat.completion', 'created': 1, 'model': 'x',
        'choices': [{'index': 0, 'message': {'role': 'assistant', 'content': content}, 'finish_reason': 'stop'}],
        'usage': {'prompt_tokens': 3, 'completion_tokens': 2, 'total_tokens': 5},
    }  # fmt: skip


@pytest.fixture
def no_http() -> Iterator[respx.MockRouter]:
    """Every httpx request is caught (and answered with a completion); the test asserts that there were none."""
    with respx.mock(assert_all_called=False) as router:
        router.route().mock(return_value=httpx.Response(200, json=_completion('hello')))
        yield router


def test_the_suite_runs_blocked() -> None:
    assert not model_requests_allowed()
    assert os.environ['AGENTCORE_ALLOW_MODEL_REQUESTS'] == '0'


def test_switch_as_a_call_and_as_a_context_manager() -> None:
    with allow_model_requests():
        assert model_requests_allowed()
        with block_model_requests():
            assert not model_requests_allowed()
        assert model_requests_allowed()
    assert not model_requests_allowed()
    allow_model_requests()  # a plain call lasts (the suite's autouse fixture blocks again after each test)
    assert model_requests_allowed()
    block_model_requests()
    assert not model_requests_allowed()


@pytest.mark.parametrize(('value', 'allowed'), [
    ('0', False), ('false', False), (' OFF ', False), ('No', False), ('1', True), ('true', True), ('', True),
    (None, True),
])  # fmt: skip
def test_the_environment_variable_decides_until_the_process_says(
    monkeypatch: pytest.MonkeyPatch, value: str | None, allowed: bool
) -> None:
    monkeypatch.setattr(switch, '_override', None)  # as in a process that never called the switch
    if value is None:
        monkeypatch.delenv('AGENTCORE_ALLOW_MODEL_REQUESTS')
    else:
        monkeypatch.setenv('AGENTCORE_ALLOW_MODEL_REQUESTS', value)
    assert model_requests_allowed() is allowed
    with allow_model_requests():
        assert model_requests_allowed()
    with block_model_requests():
        assert not model_requests_allowed()
    assert model_requests_allowed() is allowed


def test_the_env_var_alone_blocks_and_the_error_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(switch, '_override', None)
    with pytest.raises(ModelRequestsBlockedError, match=r'by AGENTCORE_ALLOW_MODEL_REQUESTS=0\)'):
        switch.check_model_request('openai/gpt-4o-mini')


def test_the_error_is_an_agentcore_error_but_not_a_model_error() -> None:
    # A ModelError would end the run as `failed` (quietly, for a test that only looks at the output) and the
    # scenario recorder would record it as the model's answer.
    assert issubclass(ModelRequestsBlockedError, AgentcoreError)
    assert not issubclass(ModelRequestsBlockedError, ModelError)
    error = ModelRequestsBlockedError('x', model='m')
    assert error.model == 'm' and error.hint is not None and 'ScriptedModel' in error.hint


def test_an_accidental_real_model_call_fails_the_run_loudly(no_http: respx.MockRouter) -> None:
    agent = Agent(model='openai/gpt-4o-mini', checkpointer='memory')
    with pytest.raises(ModelRequestsBlockedError) as info:
        agent.run('say hi')
    assert info.value.model == 'openai/gpt-4o-mini'
    assert str(info.value).startswith('model request to openai/gpt-4o-mini blocked')
    assert 'block_model_requests()' in str(info.value)
    assert no_http.calls.call_count == 0


async def test_streaming_fails_too_after_the_first_events(no_http: respx.MockRouter) -> None:
    agent = Agent(model='openai/gpt-4o-mini', checkpointer='memory')
    seen: list[str] = []
    with pytest.raises(ModelRequestsBlockedError):
        async for event in agent.astream('say hi'):
            seen.append(event.type)
    assert 'run_finished' not in seen and no_http.calls.call_count == 0


def test_the_same_call_goes_through_when_allowed(no_http: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    """Control: the interceptor above does see litellm's requests, so its zero counts mean something."""
    import litellm

    monkeypatch.setattr(litellm, 'disable_aiohttp_transport', True, raising=False)
    model = LiteLLMModel('openai/gpt-4o-mini', api_base='http://127.0.0.1:9/v1', api_key='sk-test', retries=0)
    with allow_model_requests():
        result = Agent(model=model, checkpointer='memory').run('say hi')
    assert (result.status, result.output) == ('completed', 'hello')
    assert no_http.calls.call_count == 1


@tool(side_effects='none')
async def ask_another_model(question: str) -> str:
    """Ask a second model.

    Args:
        question: what to ask.
    """
    response = await LiteLLMModel('openai/inner-model').complete(
        ModelRequest(messages=[Message(role='user', content=question)])
    )
    return response.message.content


def test_a_tool_that_calls_a_real_model_fails_the_run_not_just_the_call(no_http: respx.MockRouter) -> None:
    model = ScriptedModel([{'tool_calls': [{'name': 'ask_another_model', 'arguments': {'question': 'hi?'}}]}, 'ok'])
    agent = Agent(model=model, tools=[ask_another_model], checkpointer='memory')
    with pytest.raises(ModelRequestsBlockedError, match='openai/inner-model'):
        agent.run('ask it')
    assert len(model.requests) == 1 and no_http.calls.call_count == 0


async def test_the_embedder_and_the_llm_judge_are_blocked(no_http: respx.MockRouter) -> None:
    embedder = LiteLLMEmbedder('openai/text-embedding-3-small', 3)
    with pytest.raises(ModelRequestsBlockedError, match='^embedding request to openai/text-embedding-3-small'):
        embedder.embed(['a'])
    with pytest.raises(ModelRequestsBlockedError):
        await embedder.aembed(['a'])
    with pytest.raises(ModelRequestsBlockedError):  # not an EmbeddingError: stores do not swallow it
        InMemoryMemory(embedder=embedder).save(Episode(task='t', outcome='completed'))
    for on_error in ('raise', 'block', 'allow'):  # never turned into a verdict
        with pytest.raises(ModelRequestsBlockedError, match='^LLM judge request to openai/judge'):
            await LLMJudge('openai/judge', on_error=on_error).check('text', stage='tool_output')  # type: ignore[arg-type]
    assert no_http.calls.call_count == 0


# -- child processes: `agentcore run` sees AGENTCORE_ALLOW_MODEL_REQUESTS=0 --------------------------------------


@pytest.fixture
def provider() -> Iterator[tuple[str, list[str]]]:
    """An OpenAI-compatible server on loopback that answers 'hello' and records the paths it was sent."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get('content-length') or 0))
            hits.append(self.path)
            body = json.dumps(_completion('hello')).encode()
            self.send_response(200)
            self.send_header('content-type', 'application/json')
            self.send_header('content-length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with loopback_server(Handler) as url:
        yield f'{url}/v1', hits


def _agentcore_run(api_base: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, 'AGENTCORE_HOME': str(home), 'AGENTCORE_API_BASE': api_base, 'OPENAI_API_KEY': 'sk-test',
           'AGENTCORE_MODEL_RETRIES': '0'}  # fmt: skip
    return subprocess.run([sys.executable, '-m', 'agentcore', 'run', 'say hi', '--model', 'openai/x', '--no-memory'],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)  # fmt: skip


def test_a_cli_subprocess_is_blocked_by_the_environment(provider: tuple[str, list[str]], tmp_path: Path) -> None:
    api_base, hits = provider
    proc = _agentcore_run(api_base, tmp_path / 'home')
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1, proc.stderr
    assert len(lines) == 1 and lines[0].startswith('agentcore: error: model request to openai/x blocked'), lines
    assert 'AGENTCORE_ALLOW_MODEL_REQUESTS=0' in lines[0] and '(fix: ' in lines[0]
    assert hits == []


@pytest.mark.usefixtures('allow_model_requests')
def test_the_fixture_allows_a_cli_subprocess_too(provider: tuple[str, list[str]], tmp_path: Path) -> None:
    api_base, hits = provider
    proc = _agentcore_run(api_base, tmp_path / 'home')
    assert proc.returncode == 0, proc.stderr
    assert 'hello' in proc.stdout and hits == ['/v1/chat/completions']

"""`tool_choice='required'` against the real server: llama-cpp-python answers 500 to it (see test_server).

The local-server profile sends it as the one tool offered, refuses it before sending when several are offered,
and never retries a server error to it; the requests that reach the server are counted by a loopback forwarder.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from agentcore import LiteLLMModel, Message, ModelProfile, ModelRequest, ModelSettings
from agentcore._model_errors import ToolChoiceError
from tests._tools import add

from .conftest import MAX_TOKENS, MODEL, SEED, Agentcore

pytestmark = pytest.mark.llm


class Forwarder:
    """A loopback HTTP server passing every POST on to `upstream` and keeping the JSON bodies it forwarded."""

    def __init__(self, upstream: str) -> None:
        self.bodies: list[bytes] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get('content-length') or 0))
                bodies.append(body)
                answer = httpx.post(f'{upstream}{self.path}', content=body, timeout=120,
                                    headers={'content-type': 'application/json'})
                self.send_response(answer.status_code)
                self.send_header('content-type', 'application/json')
                self.send_header('content-length', str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.httpd.server_address[1]}'
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def forwarder(llm_url: str) -> Iterator[Forwarder]:
    proxy = Forwarder(llm_url)
    try:
        yield proxy
    finally:
        proxy.httpd.shutdown()
        proxy.httpd.server_close()


def _model(url: str, **kwargs: object) -> LiteLLMModel:
    settings = ModelSettings(tool_choice='required', temperature=0, seed=SEED, max_tokens=MAX_TOKENS)
    return LiteLLMModel(MODEL, api_base=f'{url}/v1', api_key='sk-local', settings=settings, **kwargs)  # type: ignore[arg-type]


def _request(*names: str) -> ModelRequest:
    tools = [add.spec().model_copy(update={'name': n}) for n in names]
    return ModelRequest(messages=[Message(role='system', content='You are a helpful agent.'),
                                  Message(role='user', content='What is 2 + 3? Use the add tool.')], tools=tools)


async def test_required_with_one_tool_forces_that_tool(llm_env: dict[str, str], forwarder: Forwarder) -> None:
    response = await _model(forwarder.url, retries=0).complete(_request('add'))
    assert [c.name for c in response.message.tool_calls] == ['add']
    (body,) = forwarder.bodies
    assert json.loads(body)['tool_choice'] == {'type': 'function', 'function': {'name': 'add'}}


async def test_required_with_several_tools_fails_without_a_request(llm_env: dict[str, str],
                                                                   forwarder: Forwarder) -> None:
    with pytest.raises(ToolChoiceError) as caught:
        await _model(forwarder.url, retries=2).complete(_request('add', 'add_again'))
    assert forwarder.bodies == []
    assert "tool_choice='required' with 2 tools" in str(caught.value) and caught.value.usage_error


async def test_required_sent_anyway_fails_once_naming_tool_choice(llm_env: dict[str, str],
                                                                  forwarder: Forwarder) -> None:
    """A profile overridden to send `required` to this server: its 500 is not retried and names the fix."""
    model = _model(forwarder.url, retries=2, profile=ModelProfile(required_tool_choice='send'))
    with pytest.raises(ToolChoiceError) as caught:
        await model.complete(_request('add', 'add_again'))
    assert len(forwarder.bodies) == 1  # not retried
    assert "answered a server error to tool_choice='required'" in str(caught.value)
    assert '--tool-choice NAME' in (caught.value.hint or '')


@pytest.mark.docker
def test_cli_required_with_several_tools_is_one_line_and_exit_2(llm_env: dict[str, str],
                                                               agentcore: Agentcore) -> None:
    r = agentcore('run', 'Print 1.', '--model', MODEL, '--tools', 'python,write_file', '--tool-choice', 'required',
                  '--no-memory', '--max-steps', '2')
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert r.code == 2, r.err
    assert lines[0].startswith('agentcore: error: ') and "tool_choice='required' with 2 tools" in lines[0], r.err
    assert 'fix: name the one tool' in lines[0]

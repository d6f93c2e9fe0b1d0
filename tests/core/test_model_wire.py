"""The wire rules for OpenAI-compatible servers, against a server faked at the HTTP layer (respx)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from agentcore import (
    Agent,
    ContextLengthError,
    LiteLLMModel,
    Message,
    ModelAuthError,
    ModelConnectionError,
    ModelError,
    ModelNotFoundError,
    ModelRequest,
    ModelSettings,
    ModelTimeoutError,
    ModelTokenDelta,
    ToolSpec,
    load_settings,
)
from agentcore.tools import tool

API_BASE = 'http://127.0.0.1:8999/v1'
URL = f'{API_BASE}/chat/completions'

pytestmark = pytest.mark.usefixtures('allow_model_requests')  # the server is faked by respx


@tool(side_effects='none')
def note(text: str) -> str:
    """Keep a note.

    Args:
        text: the note.
    """
    return f'noted {text}'


def _completion(message: dict[str, Any], finish_reason: str = 'stop') -> dict[str, Any]:
    return {
        'id': 'chatcmpl-1', 'object': 'chat.completion', 'created': 1700000000, 'model': 'local-model',
        'choices': [{'index': 0, 'message': message, 'finish_reason': finish_reason}],
        'usage': {'prompt_tokens': 10, 'completion_tokens': 5, 'total_tokens': 15},
    }


def _call(call_id: str, text: str) -> dict[str, Any]:
    return {'role': 'assistant', 'content': None, 'tool_calls': [
        {'id': call_id, 'type': 'function', 'function': {'name': 'note', 'arguments': json.dumps({'text': text})}}]}


def _answer(text: str, finish_reason: str = 'stop') -> httpx.Response:
    return httpx.Response(200, json=_completion({'role': 'assistant', 'content': text}, finish_reason))


def _model(**kwargs: Any) -> LiteLLMModel:
    return LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-local', retries=0, **kwargs)


def _streaming_model() -> LiteLLMModel:
    """A server that reports usage in its streams (`stream_usage`): vLLM, Ollama, hosted providers."""
    from agentcore import ModelProfile

    return _model(profile=ModelProfile(text_tool_calls=('hermes', 'json', 'python_tag'), stream_usage=True))


def _bodies(route: respx.Route) -> list[dict[str, Any]]:
    return [json.loads(c.request.content) for c in route.calls]


def _agent(model: LiteLLMModel) -> Agent:
    return Agent(model=model, tools=[note], checkpointer='memory', store='sqlite://')


# -- tool_choice ------------------------------------------------------------------------------------------------
@respx.mock
async def test_tool_choice_auto_is_sent_whenever_tools_are_offered() -> None:
    route = respx.post(URL).mock(side_effect=[_answer('no tools needed'), _answer('plain')])
    model = _model()
    await model.complete(ModelRequest(messages=[Message(role='user', content='hi')], tools=[ToolSpec(name='t')]))
    await model.complete(ModelRequest(messages=[Message(role='user', content='hi')]))
    with_tools, without = _bodies(route)
    assert with_tools['tool_choice'] == 'auto' and with_tools['tools'][0]['function']['name'] == 't'
    assert 'tool_choice' not in without and 'tools' not in without


@pytest.mark.parametrize(('setting', 'sent'), [
    # A local server's profile sends `required` as the one tool offered (llama-cpp-python answers 500 to it).
    ('required', {'type': 'function', 'function': {'name': 't'}}), ('none', 'none'),
    ('t', {'type': 'function', 'function': {'name': 't'}}),
])
@respx.mock
async def test_tool_choice_by_setting(setting: str, sent: object) -> None:
    route = respx.post(URL).mock(return_value=_answer('ok'))
    model = _model(settings=ModelSettings(tool_choice=setting, temperature=0, seed=7, max_tokens=64,
                                          extra_body={'top_k': 20}))
    await model.complete(ModelRequest(messages=[Message(role='user', content='hi')], tools=[ToolSpec(name='t')]))
    (body,) = _bodies(route)
    assert body['tool_choice'] == sent
    assert (body['temperature'], body['seed'], body['max_tokens'], body['top_k']) == (0, 7, 64, 20)


def test_model_settings_from_env_and_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / 'agentcore.toml').write_text(
        'tool_choice = "required"\nseed = 3\nmax_tokens = 128\n[extra_body]\ntop_k = 5\n[model_profile]\n'
        'send_tool_choice = false\n', encoding='utf-8')
    monkeypatch.setenv('AGENTCORE_CONFIG', str(tmp_path / 'agentcore.toml'))
    monkeypatch.setenv('AGENTCORE_TEMPERATURE', '0.2')
    settings = load_settings()
    assert settings.model_settings == ModelSettings(tool_choice='required', temperature=0.2, seed=3, max_tokens=128,
                                                    extra_body={'top_k': 5})
    agent = Agent(model='openai/local-model', settings=settings, model_settings=ModelSettings(seed=9),
                  checkpointer='memory', store='sqlite://')
    assert isinstance(agent.model, LiteLLMModel)
    assert agent.model.settings.seed == 9 and agent.model.settings.tool_choice == 'required'  # API over config
    assert agent.model.profile.send_tool_choice is False


def test_cli_model_options_reach_the_request(tmp_path: Path) -> None:
    """`agentcore run --tool-choice ... --extra-body ...` against a one-shot loopback server that records the body."""
    seen: list[dict[str, Any]] = []
    server = _OneShotServer(seen, _completion({'role': 'assistant', 'content': 'done'}))
    env = {**_cli_env(tmp_path), 'AGENTCORE_API_BASE': f'{server.url}/v1', 'AGENTCORE_API_KEY': 'sk-local'}
    proc = subprocess.run(
        [sys.executable, '-m', 'agentcore', 'run', 'hi', '--model', 'openai/local-model', '--tools', 'tests._tools:add',
         '--tool-choice', 'add', '--temperature', '0', '--seed', '11', '--max-tokens', '32', '--extra-body',
         '{"top_k": 2}', '--no-memory', '--json'], capture_output=True, text=True, env=env, timeout=120)
    server.close()
    assert proc.returncode == 0, proc.stderr
    (body,) = seen
    assert body['tool_choice'] == {'type': 'function', 'function': {'name': 'add'}}
    assert (body['temperature'], body['seed'], body['max_tokens'], body['top_k']) == (0, 11, 32, 2)
    bad = subprocess.run([sys.executable, '-m', 'agentcore', 'run', 'hi', '--model', 'openai/x', '--extra-body', '[1]'],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines()[-1].endswith('--extra-body: expected a JSON object')


# -- content, ids, finish_reason --------------------------------------------------------------------------------
@respx.mock
async def test_assistant_turn_with_tool_calls_carries_empty_content_and_repeated_ids_are_reminted() -> None:
    route = respx.post(URL).mock(side_effect=[
        httpx.Response(200, json=_completion(_call('call_0', 'one'), 'tool_calls')),
        httpx.Response(200, json=_completion(_call('call_0', 'two'), 'tool_calls')),  # the same id again
        _answer('both noted'),
    ])
    agent = _agent(_model())
    result = await agent.arun('take two notes', run_id='r1')
    assert (result.status, result.output, result.tool_calls) == ('completed', 'both noted', 2)
    third = _bodies(route)[2]
    assistants = [m for m in third['messages'] if m['role'] == 'assistant']
    assert [m['content'] for m in assistants] == ['', '']  # never null: local servers answer 500 to it
    ids = [m['tool_calls'][0]['id'] for m in assistants]
    assert ids[0] == 'call_0' and ids[1] != 'call_0' and len(set(ids)) == 2
    tool_ids = [m['tool_call_id'] for m in third['messages'] if m['role'] == 'tool']
    assert tool_ids == ids
    finished = [e for e in agent.store.events('r1') if e['type'] == 'tool_call_finished']
    assert ['noted one' in e['content'] for e in finished] == [True, False]
    assert 'noted two' in finished[1]['content']  # the second call ran: not the first one's ledger entry
    turns = [e for e in agent.store.events('r1') if e['type'] == 'model_turn_finished']
    assert turns[1]['tool_calls'][0]['provider_id'] == 'call_0'
    assert [t['finish_reason'] for t in turns] == ['tool_calls', 'tool_calls', 'stop']


def test_anthropic_keeps_null_content() -> None:
    model = LiteLLMModel('anthropic/claude-sonnet-4-5')
    msg = Message(role='assistant', content='', tool_calls=[{'id': 'a', 'name': 'note', 'arguments': '{}'}])  # type: ignore[list-item]
    kwargs = model.request_kwargs(ModelRequest(messages=[msg], tools=[ToolSpec(name='note')]))
    assert kwargs['messages'][0]['content'] is None


@respx.mock
async def test_cut_off_answer_is_visible() -> None:
    respx.post(URL).mock(return_value=_answer('The answer is', 'length'))
    agent = _agent(_model(settings=ModelSettings(max_tokens=3)))
    result = await agent.arun('explain', run_id='r1')
    assert result.status == 'completed' and result.finish_reason == 'length'
    assert result.stop_reason is not None and 'cut off at max_tokens' in result.stop_reason
    turn = next(e for e in agent.store.events('r1') if e['type'] == 'model_turn_finished')
    assert turn['finish_reason'] == 'length'


# -- text-format tool calls -------------------------------------------------------------------------------------
@pytest.mark.parametrize('content', [
    '<tool_call>\n{"name": "note", "arguments": {"text": "hermes"}}\n</tool_call>',
    '{"name": "note", "parameters": {"text": "hermes"}}',
    '<|python_tag|>{"name": "note", "parameters": {"text": "hermes"}}<|eom_id|>',
])
@respx.mock
async def test_text_format_tool_calls_are_run(content: str) -> None:
    respx.post(URL).mock(side_effect=[_answer(content), _answer('done')])
    agent = _agent(_model())
    result = await agent.arun('note hermes', run_id='r1')
    assert (result.status, result.output, result.tool_calls) == ('completed', 'done', 1)
    finished = [e for e in agent.store.events('r1') if e['type'] == 'tool_call_finished']
    assert len(finished) == 1 and 'noted hermes' in finished[0]['content']


# -- errors -----------------------------------------------------------------------------------------------------
def _request() -> ModelRequest:
    return ModelRequest(messages=[Message(role='user', content='hi')], tools=[ToolSpec(name='t')])


@pytest.mark.parametrize(('status', 'body', 'error'), [
    (401, {'error': {'message': 'Incorrect API key provided', 'type': 'invalid_request_error'}}, ModelAuthError),
    (404, {'error': {'message': 'The model `nope` does not exist', 'code': 'model_not_found'}}, ModelNotFoundError),
    (400, {'error': {'message': "This model's maximum context length is 8192 tokens, however you requested 9000",
                     'code': 'context_length_exceeded'}}, ContextLengthError),
])
@respx.mock
async def test_errors_retries_cannot_fix_are_not_retried(status: int, body: dict[str, Any], error: type) -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(status, json=body))
    with pytest.raises(error) as info:
        await LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-x', retries=3).complete(_request())
    assert route.call_count == 1
    assert info.value.hint and '\n' not in str(info.value)


@respx.mock
async def test_transient_errors_are_retried_with_backoff() -> None:
    route = respx.post(URL).mock(side_effect=[httpx.Response(503, json={'error': {'message': 'busy'}}), _answer('ok')])
    response = await LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-x', retries=2).complete(
        _request())
    assert response.message.content == 'ok' and route.call_count == 2


async def test_refused_connection_names_the_url_and_is_not_retried() -> None:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    base = f'http://127.0.0.1:{port}/v1'
    with pytest.raises(ModelConnectionError) as info:
        await LiteLLMModel('openai/local-model', api_base=base, api_key='sk-x', retries=3).complete(_request())
    assert base in str(info.value) and info.value.usage_error and base in (info.value.hint or '')


async def test_missing_key_is_an_auth_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('OPENAI_API_KEY', raising=False)
    with pytest.raises(ModelAuthError) as info:
        await LiteLLMModel('openai/local-model', api_base=API_BASE, retries=3).complete(_request())
    assert 'placeholder' in (info.value.hint or '')


@respx.mock
async def test_model_timeout_bounds_the_whole_call() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return _answer('late')

    respx.post(URL).mock(side_effect=hang)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ModelTimeoutError, match='within 0.5 s'):
        await LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-x', timeout_s=0.5,
                           retries=5).complete(_request())
    assert loop.time() - started < 5


def test_cli_exit_code_2_and_one_line_for_a_configuration_mistake(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    env = {**_cli_env(tmp_path), 'AGENTCORE_API_BASE': f'http://127.0.0.1:{port}/v1', 'AGENTCORE_API_KEY': 'sk-x'}
    proc = subprocess.run([sys.executable, '-m', 'agentcore', 'run', 'hi', '--model', 'openai/local-model',
                           '--no-memory'], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('agentcore: error: openai/local-model: cannot connect to')
    assert f'127.0.0.1:{port}' in lines[0] and '(fix: ' in lines[0] and 'Traceback' not in proc.stderr


@respx.mock
async def test_a_model_error_ends_the_run_with_its_kind() -> None:
    respx.post(URL).mock(return_value=httpx.Response(401, json={'error': {'message': 'bad key'}}))
    result = await _agent(_model()).arun('hi')
    assert result.status == 'failed' and result.error is not None
    assert (result.error.type, result.error.usage_error) == ('ModelAuthError', True)


# -- streaming --------------------------------------------------------------------------------------------------
def _sse(*texts: str) -> httpx.Response:
    chunks = [{'id': 'c', 'object': 'chat.completion.chunk', 'created': 1, 'model': 'local-model',
               'choices': [{'index': 0, 'delta': {'role': 'assistant', 'content': t}, 'finish_reason': None}]}
              for t in texts]
    chunks.append({'id': 'c', 'object': 'chat.completion.chunk', 'created': 1, 'model': 'local-model',
                   'choices': [{'index': 0, 'delta': {}, 'finish_reason': 'stop'}]})
    chunks.append({'id': 'c', 'object': 'chat.completion.chunk', 'created': 1, 'model': 'local-model', 'choices': [],
                   'usage': {'prompt_tokens': 9, 'completion_tokens': 3, 'total_tokens': 12}})
    body = ''.join(f'data: {json.dumps(c)}\n\n' for c in chunks) + 'data: [DONE]\n\n'
    return httpx.Response(200, content=body.encode(), headers={'content-type': 'text/event-stream'})


@respx.mock
async def test_streamed_turns_yield_token_deltas_and_usage_from_the_final_chunk() -> None:
    route = respx.post(URL).mock(side_effect=[_sse('Hel', 'lo', ' there')])
    agent = _agent(_streaming_model())
    events = [e async for e in agent.astream('greet', run_id='r1')]
    deltas = [e.text for e in events if isinstance(e, ModelTokenDelta)]
    assert deltas == ['Hel', 'lo', ' there']
    finished = events[-1]
    assert finished.type == 'run_finished' and finished.output == 'Hello there'
    assert (finished.usage.input_tokens, finished.usage.output_tokens) == (9, 3)
    body = _bodies(route)[0]
    assert body['stream'] is True and body['stream_options'] == {'include_usage': True}
    stored = [e['type'] for e in agent.store.events('r1')]
    assert 'model_token_delta' not in stored and 'model_turn_finished' in stored  # the store keeps the turn


@respx.mock
async def test_arun_does_not_stream() -> None:
    route = respx.post(URL).mock(return_value=_answer('hi'))
    assert (await _agent(_model()).arun('greet')).output == 'hi'
    assert 'stream' not in _bodies(route)[0]



@respx.mock
async def test_tool_choice_required_with_several_tools_fails_on_a_local_server_before_sending() -> None:
    from agentcore._model_errors import ToolChoiceError

    route = respx.post(URL).mock(return_value=_answer('ok'))
    model = _model(settings=ModelSettings(tool_choice='required'))
    request = ModelRequest(messages=[Message(role='user', content='hi')], tools=[ToolSpec(name='a'), ToolSpec(name='b')])
    with pytest.raises(ToolChoiceError) as caught:
        await model.complete(request)
    assert route.call_count == 0
    assert "tool_choice='required' with 2 tools" in str(caught.value) and caught.value.usage_error
    assert 'required_tool_choice = "send"' in (caught.value.hint or '')


@respx.mock
async def test_tool_choice_required_is_sent_as_is_where_the_profile_says_send() -> None:
    from agentcore import ModelProfile

    route = respx.post(URL).mock(return_value=_answer('ok'))
    model = _model(settings=ModelSettings(tool_choice='required'), profile=ModelProfile(required_tool_choice='send'))
    await model.complete(ModelRequest(messages=[Message(role='user', content='hi')],
                                      tools=[ToolSpec(name='a'), ToolSpec(name='b')]))
    assert _bodies(route)[0]['tool_choice'] == 'required'


@respx.mock
async def test_a_server_error_to_tool_choice_required_is_not_retried() -> None:
    """What llama-cpp-python answers to `required` (an `assert` in its handler): 500 with an empty message."""
    from agentcore import ModelProfile
    from agentcore._model_errors import ToolChoiceError

    route = respx.post(URL).mock(return_value=httpx.Response(500, json={'error': {
        'message': '', 'type': 'internal_server_error', 'param': None, 'code': None}}))
    model = LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-local', retries=3,
                         settings=ModelSettings(tool_choice='required'),
                         profile=ModelProfile(required_tool_choice='send'))
    with pytest.raises(ToolChoiceError) as caught:
        await model.complete(ModelRequest(messages=[Message(role='user', content='hi')],
                                          tools=[ToolSpec(name='a'), ToolSpec(name='b')]))
    assert route.call_count == 1
    assert str(caught.value).startswith("openai/local-model: http://127.0.0.1:8999/v1 answered a server error to "
                                        "tool_choice='required'")
    assert 'try again later' not in (caught.value.hint or '')

# -- helpers ----------------------------------------------------------------------------------------------------
def _cli_env(tmp_path: Path) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(('AGENTCORE_', 'OPENAI_'))}
    env.update({'AGENTCORE_HOME': str(tmp_path / 'home'), 'LITELLM_LOCAL_MODEL_COST_MAP': 'True',
                'AGENTCORE_ALLOW_MODEL_REQUESTS': '1', 'NO_PROXY': '127.0.0.1,localhost'})
    return env


class _OneShotServer:
    """A loopback HTTP server answering every POST with `reply`, recording the JSON bodies it received."""

    def __init__(self, seen: list[dict[str, Any]], reply: dict[str, Any]) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get('content-length') or 0)
                seen.append(json.loads(self.rfile.read(length)))
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header('content-type', 'application/json')
                self.send_header('content-length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = f'http://127.0.0.1:{self.httpd.server_address[1]}'
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_model_error_is_the_root_of_the_model_errors() -> None:
    for cls in (ModelAuthError, ModelConnectionError, ModelNotFoundError, ContextLengthError, ModelTimeoutError):
        assert issubclass(cls, ModelError)


@respx.mock
async def test_an_empty_stream_is_asked_again_without_streaming() -> None:
    """llama-cpp-python breaks off a stream once the model picks a tool: the plain request brings the call."""
    empty = httpx.Response(200, content=b'data: [DONE]\n\n', headers={'content-type': 'text/event-stream'})
    route = respx.post(URL).mock(side_effect=[empty, httpx.Response(200, json=_completion(_call('c1', 'x')))])
    response = await _streaming_model().complete_streaming(_request(), lambda text: None)
    assert [c.name for c in response.message.tool_calls] == ['note']
    assert [b.get('stream', False) for b in _bodies(route)] == [True, False]


@respx.mock
async def test_local_servers_are_not_streamed_by_default() -> None:
    route = respx.post(URL).mock(return_value=_answer('hi'))
    pieces: list[str] = []
    await _model().complete_streaming(_request(), pieces.append)
    assert 'stream' not in _bodies(route)[0] and pieces == []


# -- structured output in the provider's JSON-schema mode ----------------------------------------------------------
@respx.mock
async def test_json_schema_mode_sends_the_output_schema_as_response_format_not_as_a_tool() -> None:
    from pydantic import BaseModel

    from agentcore import ModelProfile

    class Answer(BaseModel):
        city: str
        population: int

    route = respx.post(URL).mock(side_effect=[
        httpx.Response(200, json=_completion(_call('call_1', 'looked it up'), 'tool_calls')),
        _answer(json.dumps({'city': 'Paris', 'population': 2100000})),
    ])  # fmt: skip
    model = _model(profile=ModelProfile(structured_output='json_schema'))
    agent = Agent(model=model, tools=[note], checkpointer='memory', store='sqlite://', output_type=Answer)
    result = await agent.arun('how big is Paris?')
    assert result.status == 'completed' and result.output == Answer(city='Paris', population=2100000)
    for body in _bodies(route):
        assert [t['function']['name'] for t in body['tools']] == ['note']  # no final_result tool
        assert body['tool_choice'] == 'auto'
        fmt = body['response_format']
        assert fmt['type'] == 'json_schema' and fmt['json_schema']['name'] == 'final_result'
        assert set(fmt['json_schema']['schema']['properties']) == {'city', 'population'}


@respx.mock
async def test_json_schema_mode_with_no_other_tools_sends_no_tools_and_no_tool_choice() -> None:
    from agentcore import ModelProfile
    from agentcore._output_type import output_spec

    route = respx.post(URL).mock(return_value=_answer('3'))
    spec = output_spec(int)
    assert spec is not None
    model = _model(profile=ModelProfile(structured_output='json_schema'))
    await model.complete(ModelRequest(messages=[Message(role='user', content='hi')], tools=[spec.tool_spec()]))
    (body,) = _bodies(route)
    assert 'tools' not in body and 'tool_choice' not in body
    assert body['response_format']['json_schema']['schema'] == spec.parameters

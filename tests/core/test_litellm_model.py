"""LiteLLMModel against an OpenAI-compatible server faked at the HTTP layer with respx (no network)."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from agentcore import Agent, LiteLLMModel, Message, ModelError, ModelRequest, ToolSpec
from agentcore.tools import tool

API_BASE = 'http://127.0.0.1:8999/v1'

pytestmark = pytest.mark.usefixtures('allow_model_requests')  # the server is faked by respx


def _completion(message: dict[str, object], prompt: int = 12, completion: int = 7) -> dict[str, object]:
    return {
        'id': 'chatcmpl-1', 'object': 'chat.completion', 'created': 1700000000, 'model': 'local-model',
        'choices': [{'index': 0, 'message': message, 'finish_reason': 'stop'}],
        'usage': {'prompt_tokens': prompt, 'completion_tokens': completion, 'total_tokens': prompt + completion},
    }


@respx.mock
async def test_tool_call_round_trip_through_openai_compatible_server() -> None:
    route = respx.post(f'{API_BASE}/chat/completions').mock(side_effect=[
        httpx.Response(200, json=_completion({'role': 'assistant', 'content': None, 'tool_calls': [
            {'id': 'call_a', 'type': 'function', 'function': {'name': 'shout', 'arguments': '{"text": "hi"}'}}]})),
        httpx.Response(200, json=_completion({'role': 'assistant', 'content': 'HI'})),
    ])

    @tool(side_effects='none')
    def shout(text: str) -> str:
        """Upper-case text.

        Args:
            text: the text.
        """
        return text.upper()

    model = LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-test', retries=0)
    result = await Agent(model=model, tools=[shout], checkpointer='memory').arun('shout hi')
    assert (result.status, result.output) == ('completed', 'HI')
    assert result.usage.input_tokens == 24 and result.usage.output_tokens == 14
    first = json.loads(route.calls[0].request.content)
    assert first['tools'][0]['function']['name'] == 'shout'
    second = json.loads(route.calls[1].request.content)
    assert second['messages'][-1]['role'] == 'tool' and 'HI' in second['messages'][-1]['content']


@respx.mock
async def test_provider_error_becomes_model_error_with_hint() -> None:
    respx.post(f'{API_BASE}/chat/completions').mock(return_value=httpx.Response(401, json={'error': {
        'message': 'bad key', 'type': 'invalid_request_error'}}))
    model = LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-bad', retries=0)
    with pytest.raises(ModelError) as info:
        await model.complete(ModelRequest(messages=[Message(role='user', content='hi')],
                                          tools=[ToolSpec(name='t')]))
    assert 'local-model' in str(info.value) and info.value.hint

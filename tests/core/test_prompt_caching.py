"""Prompt caching: cache marks on an Anthropic-style request, a stable prefix, cached tokens in usage and cost."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from agentcore import Agent, LiteLLMModel, Message, ModelPrice, ModelRequest, ToolSpec, Usage
from agentcore._state import added_usage, run_usage
from agentcore.tools import tool

ANTHROPIC_URL = 'https://api.anthropic.com/v1/messages'
API_BASE = 'http://127.0.0.1:8999/v1'
LOCAL_URL = f'{API_BASE}/chat/completions'
INSTRUCTIONS = 'You are a careful note keeper. ' * 20
MARK = {'type': 'ephemeral'}

pytestmark = pytest.mark.usefixtures('allow_model_requests')  # the servers are faked by respx


@tool(side_effects='none')
def note(text: str) -> str:
    """Keep a note.

    Args:
        text: the note.
    """
    return f'noted {text}'


@tool(side_effects='none')
def recall(topic: str) -> str:
    """Recall a note.

    Args:
        topic: what the note was about.
    """
    return f'nothing about {topic}'


def _anthropic(content: list[dict[str, Any]], stop: str, *, read: int = 0, written: int = 0) -> httpx.Response:
    return httpx.Response(200, json={
        'id': 'msg_1', 'type': 'message', 'role': 'assistant', 'model': 'claude-sonnet-4-5-20250929',
        'content': content, 'stop_reason': stop, 'stop_sequence': None,
        'usage': {'input_tokens': 100, 'output_tokens': 20, 'cache_read_input_tokens': read,
                  'cache_creation_input_tokens': written},
    })


def _anthropic_call(text: str, **cache: int) -> httpx.Response:
    return _anthropic([{'type': 'tool_use', 'id': 'toolu_1', 'name': 'note', 'input': {'text': text}}],
                      'tool_use', **cache)


def _anthropic_answer(text: str, **cache: int) -> httpx.Response:
    return _anthropic([{'type': 'text', 'text': text}], 'end_turn', **cache)


def _openai(message: dict[str, Any], finish: str, cached: int) -> httpx.Response:
    return httpx.Response(200, json={
        'id': 'chatcmpl-1', 'object': 'chat.completion', 'created': 1700000000, 'model': 'local-model',
        'choices': [{'index': 0, 'message': message, 'finish_reason': finish}],
        'usage': {'prompt_tokens': 1000, 'completion_tokens': 5, 'total_tokens': 1005,
                  'prompt_tokens_details': {'cached_tokens': cached}},
    })


def _bodies(route: respx.Route) -> list[dict[str, Any]]:
    return [json.loads(c.request.content) for c in route.calls]


def _marks(value: object) -> int:
    """How many `cache_control` marks `value` (a request body) carries."""
    if isinstance(value, dict):
        return int('cache_control' in value) + sum(_marks(v) for v in value.values())
    if isinstance(value, list):
        return sum(_marks(v) for v in value)
    return 0


def _claude() -> LiteLLMModel:
    return LiteLLMModel('anthropic/claude-sonnet-4-5', api_key='sk-ant-placeholder', retries=0)


@respx.mock
async def test_an_anthropic_request_marks_the_tools_the_system_prompt_and_the_conversation() -> None:
    route = respx.post(ANTHROPIC_URL).mock(side_effect=[_anthropic_call('milk', written=1500),
                                                        _anthropic_answer('noted', read=1500)])
    agent = Agent(model=_claude(), tools=[note, recall], instructions=INSTRUCTIONS, checkpointer='memory',
                  store='sqlite://')
    result = await agent.arun('note milk')
    assert result.status == 'completed', result.stop_reason
    first, second = _bodies(route)
    for body in (first, second):
        # The last tool schema closes the tools' prefix, the system prompt the next; the other tools carry none.
        assert [t['name'] for t in body['tools']] == ['note', 'recall']
        assert 'cache_control' not in body['tools'][0] and body['tools'][-1]['cache_control'] == MARK
        assert body['system'] == [{'type': 'text', 'text': INSTRUCTIONS, 'cache_control': MARK}]
        # The conversation so far is the third breakpoint: the next turn repeats it, and reads it from the cache.
        assert body['messages'][-1]['content'][-1]['cache_control'] == MARK
        assert _marks(body) == 3  # Anthropic allows 4
    assert first['messages'][0]['content'][0]['text'] == 'note milk'
    assert second['messages'][-1]['content'][-1]['type'] == 'tool_result'
    assert _marks(second['messages'][:-1]) == 0  # last turn's mark moved on: a stale one would waste a breakpoint
    assert (second['system'], second['tools']) == (first['system'], first['tools'])
    assert result.usage == Usage(input_tokens=2 * 100 + 1500 + 1500, output_tokens=40, cached_input_tokens=1500,
                                 cache_write_tokens=1500)


@respx.mock
async def test_cached_tokens_are_counted_in_each_turn_and_in_the_run() -> None:
    respx.post(ANTHROPIC_URL).mock(side_effect=[_anthropic_call('milk', read=900, written=300),
                                                _anthropic_answer('noted', read=1200)])
    model = _claude()
    request = ModelRequest(messages=[Message(role='system', content=INSTRUCTIONS),
                                     Message(role='user', content='note milk')],
                           tools=[note.spec()])
    turn = await model.complete(request)
    # litellm counts cache reads and writes in the prompt tokens; the usage says which part they were.
    assert turn.usage == Usage(input_tokens=1300, output_tokens=20, cached_input_tokens=900, cache_write_tokens=300)
    agent = Agent(model=model, tools=[note], instructions=INSTRUCTIONS, checkpointer='memory', store='sqlite://')
    respx.post(ANTHROPIC_URL).mock(side_effect=[_anthropic_call('milk', read=900, written=300),
                                                _anthropic_answer('noted', read=1200)])
    result = await agent.arun('note milk')
    assert result.usage.cached_input_tokens == 2100 and result.usage.cache_write_tokens == 300
    assert result.usage.input_tokens == 1300 + 1300


@respx.mock
async def test_an_openai_compatible_model_gets_no_marks_but_the_same_prefix_every_turn() -> None:
    call = {'role': 'assistant', 'content': None, 'tool_calls': [
        {'id': 'c1', 'type': 'function', 'function': {'name': 'note', 'arguments': '{"text": "milk"}'}}]}
    route = respx.post(LOCAL_URL).mock(side_effect=[_openai(call, 'tool_calls', 0),
                                                    _openai({'role': 'assistant', 'content': 'noted'}, 'stop', 768)])
    model = LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-local', retries=0)
    agent = Agent(model=model, tools=[note, recall], instructions=INSTRUCTIONS, checkpointer='memory',
                  store='sqlite://')
    result = await agent.arun('note milk')
    assert result.status == 'completed', result.stop_reason
    first, second = _bodies(route)
    assert _marks(first) == 0 and _marks(second) == 0
    # Automatic caching (OpenAI) needs the same prefix each turn: system prompt first, the tools as registered.
    assert first['messages'][0] == {'role': 'system', 'content': INSTRUCTIONS}
    assert second['messages'][:len(first['messages'])] == first['messages']
    assert second['tools'] == first['tools']
    assert [t['function']['name'] for t in first['tools']] == ['note', 'recall']
    assert result.usage.cached_input_tokens == 768 and result.usage.input_tokens == 2000


@respx.mock
async def test_cached_tokens_are_priced_at_litellms_cached_price() -> None:
    import litellm

    respx.post(ANTHROPIC_URL).mock(side_effect=[_anthropic_answer('hi'), _anthropic_answer('hi', read=10_000),
                                                _anthropic_answer('hi', written=10_000)])
    model = _claude()
    request = ModelRequest(messages=[Message(role='system', content=INSTRUCTIONS), Message(role='user', content='hi')])
    plain, hit, write = [await model.complete(request) for _ in range(3)]
    info = litellm.get_model_info('anthropic/claude-sonnet-4-5')
    base = 100 * info['input_cost_per_token'] + 20 * info['output_cost_per_token']
    assert plain.cost_usd == pytest.approx(base)
    assert hit.cost_usd == pytest.approx(base + 10_000 * info['cache_read_input_token_cost'])
    assert write.cost_usd == pytest.approx(base + 10_000 * info['cache_creation_input_token_cost'])
    assert hit.cost_usd is not None and hit.cost_usd < base + 10_000 * info['input_cost_per_token']


@respx.mock
async def test_a_supplied_price_prices_cached_tokens_at_its_cached_price() -> None:
    respx.post(LOCAL_URL).mock(return_value=_openai({'role': 'assistant', 'content': 'hi'}, 'stop', 800))
    price = ModelPrice(input_per_mtok=1.0, output_per_mtok=4.0, cached_input_per_mtok=0.1)
    model = LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-local', retries=0, prices=price)
    turn = await model.complete(ModelRequest(messages=[Message(role='user', content='hi')]))
    assert turn.usage.cached_input_tokens == 800
    assert turn.cost_usd == pytest.approx((200 * 1.0 + 800 * 0.1 + 5 * 4.0) / 1e6)
    # Without a cached price, a cache hit costs what any input token does.
    assert ModelPrice(input_per_mtok=1.0, output_per_mtok=4.0).cost(1000, 5, 800, 100) == pytest.approx(
        (1000 * 1.0 + 5 * 4.0) / 1e6)


def test_non_caching_profiles_send_no_marks() -> None:
    request = ModelRequest(messages=[Message(role='system', content='s'), Message(role='user', content='u')],
                           tools=[ToolSpec(name='t')])
    for model in (LiteLLMModel('openai/gpt-4o-mini'), LiteLLMModel('openai/m', api_base=API_BASE)):
        assert _marks(model.request_kwargs(request)) == 0
    kwargs = LiteLLMModel('bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0').request_kwargs(request)
    assert _marks(kwargs) == 3


def test_usage_adds_cached_tokens_and_an_old_checkpoint_counts_none() -> None:
    total = Usage(input_tokens=10, cached_input_tokens=4) + Usage(input_tokens=5, cache_write_tokens=2)
    assert total == Usage(input_tokens=15, cached_input_tokens=4, cache_write_tokens=2)
    old = {'input_tokens': 7, 'output_tokens': 3}  # a checkpoint written before cached tokens were counted
    assert run_usage(old) == Usage(input_tokens=7, output_tokens=3)
    assert added_usage(old, total) == {'input_tokens': 22, 'output_tokens': 3, 'cached_input_tokens': 4,
                                       'cache_write_tokens': 2}


@respx.mock
async def test_a_streamed_turn_reports_its_cached_tokens_in_the_events() -> None:
    from agentcore import ModelProfile

    chunks = [{'id': 'c', 'object': 'chat.completion.chunk', 'created': 1, 'model': 'local-model',
               'choices': [{'index': 0, 'delta': {'role': 'assistant', 'content': 'hi'}, 'finish_reason': 'stop'}]},
              {'id': 'c', 'object': 'chat.completion.chunk', 'created': 1, 'model': 'local-model', 'choices': [],
               'usage': {'prompt_tokens': 900, 'completion_tokens': 3, 'total_tokens': 903,
                         'prompt_tokens_details': {'cached_tokens': 640}}}]
    body = ''.join(f'data: {json.dumps(c)}\n\n' for c in chunks) + 'data: [DONE]\n\n'
    respx.post(LOCAL_URL).mock(return_value=httpx.Response(200, content=body.encode(),
                                                          headers={'content-type': 'text/event-stream'}))
    model = LiteLLMModel('openai/local-model', api_base=API_BASE, api_key='sk-local', retries=0,
                         profile=ModelProfile(stream_usage=True))
    agent = Agent(model=model, checkpointer='memory', store='sqlite://')
    events = [e async for e in agent.astream('greet', run_id='r1')]
    turn = next(e for e in events if e.type == 'model_turn_finished')
    assert turn.type == 'model_turn_finished' and turn.usage.cached_input_tokens == 640
    finished = events[-1]
    assert finished.type == 'run_finished' and finished.usage.cached_input_tokens == 640
    assert finished.usage.input_tokens == 900

"""What the local server does with the requests agentcore sends: raw HTTP, no agentcore in the way.

These document llama-cpp-python's server (chat format `chatml-function-calling`) and guard the assumptions the model
layer's local-server profile is built on. If one fails after a server upgrade, the profile may need to change.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .conftest import ALIAS, MAX_TOKENS, SEED

pytestmark = pytest.mark.llm

TOOLS = [{'type': 'function', 'function': {
    'name': 'add', 'description': 'Add two integers.',
    'parameters': {'type': 'object', 'properties': {'a': {'type': 'integer'}, 'b': {'type': 'integer'}},
                   'required': ['a', 'b']}}}]
# The template puts the tool list into the system message: without one the tools never reach the prompt.
USER = [{'role': 'system', 'content': 'You are a helpful agent.'},
        {'role': 'user', 'content': 'What is 2 + 3? Use the add tool.'}]
FORCE_ADD = {'type': 'function', 'function': {'name': 'add'}}


def chat(url: str, **body: Any) -> httpx.Response:
    payload = {'model': ALIAS, 'temperature': 0, 'seed': SEED, 'max_tokens': MAX_TOKENS, **body}
    return httpx.post(f'{url}/v1/chat/completions', json=payload, timeout=120)


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text[:500]
    return dict(response.json())


def after_a_call(content: Any) -> list[dict[str, Any]]:
    """The conversation after one `add` call and its result; the assistant turn has `content`."""
    turn = {'role': 'assistant', 'content': content, 'tool_calls': [
        {'id': 'call_1', 'type': 'function', 'function': {'name': 'add', 'arguments': '{"a": 2, "b": 3}'}}]}
    return [*USER, turn, {'role': 'tool', 'tool_call_id': 'call_1', 'content': '5'}]


def test_models_lists_the_alias(llm_url: str) -> None:
    data = httpx.get(f'{llm_url}/v1/models', timeout=10).json()
    assert ALIAS in [m['id'] for m in data['data']]


def test_tools_reach_the_prompt_only_with_tool_choice(llm_url: str) -> None:
    bare = ok(chat(llm_url, messages=USER))['usage']['prompt_tokens']
    without_choice = ok(chat(llm_url, messages=USER, tools=TOOLS))
    forced = ok(chat(llm_url, messages=USER, tools=TOOLS, tool_choice=FORCE_ADD))
    # Without tool_choice the tools are dropped: the prompt is the same as with no tools at all, and no call comes.
    assert without_choice['usage']['prompt_tokens'] == bare
    assert not without_choice['choices'][0]['message'].get('tool_calls')
    # With a tool_choice the tool list (schemas and calling instructions) is in the prompt.
    assert forced['usage']['prompt_tokens'] > bare + 100


def test_tool_choice_auto_offers_the_tools_but_a_text_answer_comes_back_empty(llm_url: str) -> None:
    """With `auto` the model picks `functions.NAME:` or `message:` first; a message is then generated under the
    follow-up grammar (another call or end of turn), so its text is always empty: a server bug, a base model's
    answer is lost either way. A turn with tool calls carries `content: null`."""
    data = ok(chat(llm_url, messages=USER, tools=TOOLS, tool_choice='auto'))
    message = data['choices'][0]['message']
    assert data['usage']['prompt_tokens'] > 100
    if message.get('tool_calls'):
        assert message['content'] is None and data['choices'][0]['finish_reason'] == 'tool_calls'
    else:
        assert not message['content']
    hello = ok(chat(llm_url, messages=[USER[0], {'role': 'user', 'content': 'Say hello.'}], tools=TOOLS,
                    tool_choice='auto'))['choices'][0]['message']
    assert hello.get('tool_calls') or not hello['content']


def test_tool_choice_naming_a_function_forces_a_call_bounded_by_max_tokens(llm_url: str) -> None:
    data = ok(chat(llm_url, messages=USER, tools=TOOLS, tool_choice=FORCE_ADD))
    choice = data['choices'][0]
    calls = choice['message']['tool_calls']
    assert choice['finish_reason'] == 'tool_calls' and [c['function']['name'] for c in calls] == ['add']
    assert isinstance(json.loads(calls[0]['function']['arguments']), dict)  # grammar-constrained: valid JSON
    assert calls[0]['id']
    assert data['usage']['completion_tokens'] <= MAX_TOKENS


def test_each_forced_call_gets_its_own_id(llm_url: str) -> None:
    first = ok(chat(llm_url, messages=USER, tools=TOOLS, tool_choice=FORCE_ADD))
    second = ok(chat(llm_url, messages=after_a_call(''), tools=TOOLS, tool_choice=FORCE_ADD))
    ids = [d['choices'][0]['message']['tool_calls'][0]['id'] for d in (first, second)]
    assert ids[0] != ids[1], ids


def test_tool_choice_required_is_not_supported(llm_url: str) -> None:
    """`required` is not one of the choices chatml-function-calling knows (none, auto, a named function): it fails
    an `assert` in the handler, and the server answers 500 with an empty message."""
    response = chat(llm_url, messages=USER, tools=TOOLS, tool_choice='required')
    assert response.status_code == 500, response.text[:500]
    assert response.json()['error']['message'] == ''


def test_an_assistant_turn_needs_string_content(llm_url: str) -> None:
    """`content: null` fails the request's validation, and no `content` at all the template: both answer 500."""
    null = chat(llm_url, messages=after_a_call(None), tools=TOOLS, tool_choice=FORCE_ADD)
    assert null.status_code == 500 and 'Input should be a valid string' in null.text, null.text[:500]
    turn = {k: v for k, v in after_a_call('')[2].items() if k != 'content'}
    missing = chat(llm_url, messages=[*USER, turn, after_a_call('')[3]], tools=TOOLS, tool_choice=FORCE_ADD)
    assert missing.status_code == 500 and "has no attribute 'content'" in missing.text, missing.text[:500]
    accepted = chat(llm_url, messages=after_a_call(''), tools=TOOLS, tool_choice=FORCE_ADD)
    assert accepted.status_code == 200, accepted.text[:500]


def test_tool_results_do_not_reach_the_prompt(llm_url: str) -> None:
    """The chat template has no case for the `tool` role: a tool message adds its role header and nothing else."""
    short = after_a_call('')
    long = [*short[:-1], {**short[-1], 'content': 'five ' * 200}]
    tokens = [ok(chat(llm_url, messages=m, tools=TOOLS, tool_choice=FORCE_ADD))['usage']['prompt_tokens']
              for m in (short, long)]
    assert tokens[0] == tokens[1]


def test_streaming_a_forced_call_works_but_carries_no_usage(llm_url: str) -> None:
    with httpx.stream('POST', f'{llm_url}/v1/chat/completions', timeout=120, json={
            'model': ALIAS, 'temperature': 0, 'seed': SEED, 'max_tokens': MAX_TOKENS, 'stream': True,
            'stream_options': {'include_usage': True}, 'messages': USER, 'tools': TOOLS,
            'tool_choice': FORCE_ADD}) as response:
        assert response.status_code == 200
        lines = [line for line in response.iter_lines() if line.startswith('data: ')]
    assert lines[-1] == 'data: [DONE]'
    chunks = [json.loads(line.removeprefix('data: ')) for line in lines[:-1]]
    deltas = [d['delta'] for ch in chunks for d in ch['choices']]
    names = [c['function'].get('name') for d in deltas for c in d.get('tool_calls') or []]
    assert 'add' in names
    assert not any(c.get('usage') for c in chunks)  # stream_options.include_usage is ignored


def test_streaming_with_tool_choice_auto_breaks_off_when_the_model_calls_a_tool(llm_url: str) -> None:
    """The handler raises 'Automatic streaming tool choice is not supported' once the model has chosen a call; the
    headers are out by then, so the answer is a 200 whose stream has no chunk at all, not even `[DONE]`."""
    with httpx.stream('POST', f'{llm_url}/v1/chat/completions', timeout=120, json={
            'model': ALIAS, 'temperature': 0, 'seed': SEED, 'max_tokens': MAX_TOKENS, 'stream': True,
            'messages': USER, 'tools': TOOLS, 'tool_choice': 'auto'}) as response:
        status = response.status_code
        try:
            body = response.read().decode()
        except httpx.RemoteProtocolError:  # the connection may be dropped mid-stream instead
            body = ''
    assert status == 200 and 'data:' not in body, body[:500]

"""The Python API against the real server: `Agent(model=LiteLLMModel(...))`, run and streamed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agentcore import Agent, Budget, LiteLLMModel, Message, ModelRequest, ModelSettings
from agentcore.runstore import RunStore
from agentcore.sandbox import DockerSandbox
from agentcore.tools import builtin_tools
from tests._tools import add

from .conftest import MAX_TOKENS, MODEL, SEED, assert_tool_loop

pytestmark = pytest.mark.llm

TASK = 'Use the python tool to print the numbers 1 to 3.'


@pytest.fixture
async def sandbox() -> AsyncIterator[DockerSandbox]:
    box = DockerSandbox()
    try:
        yield box
    finally:
        await box.aclose()


def make_agent(url: str, sandbox: DockerSandbox, tmp_path: Path, **settings: Any) -> Agent:
    model = LiteLLMModel(MODEL, api_base=f'{url}/v1', api_key='sk-local', retries=0, settings=ModelSettings(
        tool_choice='python', temperature=0, seed=SEED, max_tokens=MAX_TOKENS, **settings))
    tools = [t for t in builtin_tools() if t.name in ('python', 'write_file')]
    return Agent(model=model, tools=tools, sandbox=sandbox, budget=Budget(max_steps=3),
                 store=RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}'), checkpointer='memory')


def stored(agent: Agent, run_id: str) -> dict[str, Any]:
    """What `agentcore runs show --json` shows of a run, from the agent's run store."""
    return {'events': agent.store.events(run_id),
            'tool_calls': [r.model_dump() for r in agent.store.tool_calls(run_id)]}


@pytest.mark.docker
async def test_arun_completes_a_tool_loop(llm_url: str, llm_env: dict[str, str], sandbox: DockerSandbox,
                                          tmp_path: Path) -> None:
    agent = make_agent(llm_url, sandbox, tmp_path)
    result = await agent.arun(TASK)
    assert result.status == 'stopped_by_budget' and result.error is None, result.stop_reason
    assert result.steps == 3 and result.tool_calls >= 2
    assert_tool_loop(stored(agent, result.run_id))


@pytest.mark.docker
async def test_astream_yields_the_same_tool_loop_with_the_same_usage(
        llm_url: str, llm_env: dict[str, str], sandbox: DockerSandbox, tmp_path: Path) -> None:
    """A streamed run (what `agentcore chat` does) sends the same requests as `arun` and reports the same usage."""
    agent = make_agent(llm_url, sandbox, tmp_path)
    events = [e.model_dump(mode='json') async for e in agent.astream(TASK)]
    kinds = [e['type'] for e in events]
    assert kinds[0] == 'run_started' and kinds[-1] == 'run_finished'
    assert events[-1]['status'] == 'stopped_by_budget', events[-1]
    run_id = events[0]['run_id']
    streamed = {'events': [e for e in events if e['type'] != 'model_token_delta'],
                'tool_calls': [r.model_dump() for r in agent.store.tool_calls(run_id)]}
    assert_tool_loop(streamed)
    # What was streamed is what was stored (token deltas are live only).
    assert [e['type'] for e in streamed['events']] == [e['type'] for e in agent.store.events(run_id)]

    # The same task, not streamed. Its first request is the same (system prompt, task, tools), so the server counts
    # the same prompt tokens. llama-cpp-python's server sends no usage in a stream (not even with
    # stream_options.include_usage); a streamed turn must not report litellm's own estimate as the server's count.
    result = await agent.arun(TASK)

    def first_turn(rid: str) -> dict[str, Any]:
        return next(e for e in agent.store.events(rid) if e['type'] == 'model_turn_finished' and e['step'] == 1)

    plain, live = first_turn(result.run_id), first_turn(run_id)
    assert live['usage']['input_tokens'] == plain['usage']['input_tokens'], (live['usage'], plain['usage'])


async def test_a_streamed_turn_keeps_the_tool_call_of_tool_choice_auto(llm_url: str, llm_env: dict[str, str]) -> None:
    """The default tool_choice (`auto`), streamed (as every run someone watches is: `astream`, `agentcore chat`).

    llama-cpp-python cannot stream an automatic tool choice: once the model has chosen a call it raises, after the
    200 headers went out, and the stream is empty. That must not turn into an empty text turn (litellm builds one
    with `finish_reason='stop'`): the streamed turn has to carry the same call as the plain one.
    """
    model = LiteLLMModel(MODEL, api_base=f'{llm_url}/v1', api_key='sk-local', retries=0,
                         settings=ModelSettings(temperature=0, seed=SEED, max_tokens=MAX_TOKENS))
    request = ModelRequest(messages=[Message(role='system', content='You are a capable, careful agent.'),
                                     Message(role='user', content='What is 2 + 3? Use the add tool.')],
                           tools=[add.spec()])
    plain = await model.complete(request)
    assert [c.name for c in plain.message.tool_calls] == ['add'], plain  # the server's choice, not streamed
    pieces: list[str] = []
    streamed = await model.complete_streaming(request, pieces.append)
    assert [c.name for c in streamed.message.tool_calls] == ['add'], streamed

"""Context-window management: each `ContextPolicy` strategy, the default in a run, and a 300-step run in 2000 tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from agentcore import (
    Agent,
    Budget,
    ContextSelection,
    ContextTrimmed,
    ContextWindow,
    DropOldToolOutputs,
    KeepRecent,
    Summarise,
)
from agentcore._context import MARKER, approx_tokens, omitted_turns, spec_tokens, split_turns
from agentcore._context_summary import SUMMARY_PROMPT
from agentcore._messages import Message, ModelRequest, ModelResponse, ToolCall, Usage
from agentcore.testing import ScriptedModel
from agentcore.tools import tool

WINDOW = 2000


def count(messages: Sequence[Message]) -> int:
    return sum(approx_tokens(m) for m in messages)


def history(turns: int, output_chars: int = 800) -> list[Message]:
    """System prompt, task, then `turns` turns: an assistant call `c<i>` and its tool output."""
    out = [Message(role='system', content='You are an agent.'), Message(role='user', content='Probe every item.')]
    for i in range(turns):
        out.append(Message(role='assistant', content=f'step {i}',
                           tool_calls=[ToolCall(id=f'c{i}', name='probe', arguments=f'{{"i": {i}}}')]))
        out.append(Message(role='tool', tool_call_id=f'c{i}', name='probe', content=f'out {i} ' + 'x' * output_chars))
    return out


def window(budget: int, model: Any = None) -> ContextWindow:
    return ContextWindow(budget=budget, count=count, run_id='r1', model=model)


def select(policy: Any, messages: Sequence[Message], budget: int, model: Any = None) -> ContextSelection:
    chosen: ContextSelection = asyncio.run(policy.select(messages, window(budget, model)))
    return chosen


def no_orphans(messages: Sequence[Message]) -> None:
    """Every tool message answers a call of the assistant message it follows (and every call is answered)."""
    head, turns = split_turns(messages)
    assert all(m.role != 'tool' for m in head)
    for turn in turns:
        calls = {c.id for c in turn[0].tool_calls}
        assert {m.tool_call_id for m in turn if m.role == 'tool'} == calls


# -- KeepRecent --------------------------------------------------------------------------------------------
def test_keep_recent_sends_a_history_that_fits_as_it_is() -> None:
    h = history(5)
    chosen = select(KeepRecent(), h, budget=10_000)
    assert chosen.notes == [] and len(chosen.messages) == len(h)
    assert all(a is b for a, b in zip(chosen.messages, h, strict=True))


def test_keep_recent_n_turns_keeps_the_head_a_marker_and_the_last_turns() -> None:
    h = history(10)
    chosen = select(KeepRecent(n_turns=3), h, budget=100_000)
    assert chosen.messages[:2] == h[:2]
    mark = chosen.messages[2]
    assert mark.role == 'user' and mark.content.startswith(f'{MARKER} 7 earlier turns of this run left out')
    assert 'only the last 3 turns are kept' in mark.content
    assert chosen.messages[3:] == h[-6:]
    assert omitted_turns(chosen.messages) == 7
    assert chosen.notes == ['keep_recent: left out 7 of 10 turns (n_turns=3, budget 100000 tokens)']
    no_orphans(chosen.messages)


def test_keep_recent_under_a_budget_keeps_the_most_recent_whole_turns_that_fit() -> None:
    h = history(40)
    chosen = select(KeepRecent(), h, budget=2000)
    assert count(chosen.messages) <= 2000
    left_out = omitted_turns(chosen.messages)
    assert left_out > 0
    kept = chosen.messages[3:]
    assert kept == h[2 + 2 * left_out:]  # the latest turns, in order
    assert 'to fit the context window' in chosen.messages[2].content
    assert 'over the token budget' in chosen.notes[0]
    no_orphans(chosen.messages)
    assert omitted_turns(chosen.messages) + sum(m.role == 'assistant' for m in chosen.messages) == 40


def test_keep_recent_never_orphans_a_tool_result_of_a_turn_with_several_calls() -> None:
    h = history(2)
    calls = [ToolCall(id=f'p{j}', name='probe', arguments='{}') for j in range(3)]
    h += [Message(role='assistant', content='three at once', tool_calls=calls),
          *(Message(role='tool', tool_call_id=f'p{j}', name='probe', content='y' * 900) for j in range(3))]
    chosen = select(KeepRecent(), h, budget=count(h[-4:]) + 200)
    assert chosen.messages[-4:] == h[-4:]
    no_orphans(chosen.messages)


def test_keep_recent_still_sends_a_last_turn_that_alone_is_over_budget() -> None:
    h = history(3, output_chars=8000)
    chosen = select(KeepRecent(), h, budget=500)
    assert chosen.messages[3:] == h[-2:]
    assert omitted_turns(chosen.messages) == 2


def test_keep_recent_rejects_fewer_than_one_turn() -> None:
    with pytest.raises(ValueError, match='n_turns must be at least 1'):
        KeepRecent(n_turns=0)


# -- DropOldToolOutputs ------------------------------------------------------------------------------------
def test_drop_old_tool_outputs_stubs_the_oldest_first_until_the_request_fits() -> None:
    h = history(10)
    budget = count(h) - 800  # about four outputs too many
    chosen = select(DropOldToolOutputs(), h, budget=budget)
    assert count(chosen.messages) <= budget
    n = len(chosen.stubbed)
    assert 0 < n < 10 and chosen.stubbed == [f'c{i}' for i in range(n)]
    assert len(chosen.messages) == len(h)  # every assistant turn and tool message stays
    for i in range(10):
        result = chosen.messages[3 + 2 * i]
        assert result.tool_call_id == f'c{i}'
        if i < n:
            assert result.content.startswith(f'{MARKER} output of call c{i} (probe, ')
            assert f'fetch_tool_output(call_id="c{i}")' in result.content
        else:
            assert result is h[3 + 2 * i]
    assert chosen.notes[0].startswith(f'drop_old_tool_outputs: stubbed {n} old tool outputs (now within')
    no_orphans(chosen.messages)


def test_drop_old_tool_outputs_keeps_the_outputs_of_the_recent_turns() -> None:
    h = history(6)
    chosen = select(DropOldToolOutputs(keep_turns=2), h, budget=10)
    assert chosen.stubbed == ['c0', 'c1', 'c2', 'c3']
    assert chosen.messages[-4:] == h[-4:]


def test_drop_old_tool_outputs_leaves_outputs_shorter_than_a_stub_and_passes_on() -> None:
    h = history(30, output_chars=10)
    chosen = select(DropOldToolOutputs(), h, budget=600)
    assert chosen.stubbed == [] and chosen.messages == h
    chained = select(DropOldToolOutputs(then=KeepRecent()), h, budget=600)
    assert count(chained.messages) <= 600 and chained.notes[0].startswith('keep_recent:')


def test_then_gets_what_is_still_over_budget_and_reports_the_stubs_it_kept() -> None:
    h = history(40)
    chosen = select(DropOldToolOutputs(then=KeepRecent()), h, budget=1500)
    assert count(chosen.messages) <= 1500
    assert [n.split(':')[0] for n in chosen.notes] == ['drop_old_tool_outputs', 'keep_recent']
    sent_stubs = [m.tool_call_id for m in chosen.messages if m.role == 'tool' and m.content.startswith(MARKER)]
    assert chosen.stubbed == sent_stubs and sent_stubs  # only the stubs still in the request
    assert chosen.messages[-1] is h[-1]  # the last turn keeps its output
    no_orphans(chosen.messages)


def test_drop_old_tool_outputs_rejects_a_negative_keep_turns() -> None:
    with pytest.raises(ValueError, match='keep_turns must be at least 0'):
        DropOldToolOutputs(keep_turns=-1)


# -- Summarise ---------------------------------------------------------------------------------------------
def summary_model() -> ScriptedModel:
    return ScriptedModel([{'content': 'Probed items 0 to N; all fine.', 'usage': {'input_tokens': 300,
                                                                               'output_tokens': 20},
                           'cost_usd': 0.25}], name='summariser')


def test_summarise_replaces_old_turns_with_one_model_written_summary() -> None:
    model = summary_model()
    h = history(20)
    chosen = select(Summarise(model=model), h, budget=2500)
    assert len(model.requests) == 1
    sent = model.requests[0].messages
    assert sent[0].content == SUMMARY_PROMPT and 'turn 1, assistant: step 0 -> probe' in sent[1].content
    assert model.requests[0].tools == []
    mark = chosen.messages[2]
    assert mark.content.startswith(MARKER) and 'Probed items 0 to N; all fine.' in mark.content
    assert '<untrusted-data source="context:summary"' in mark.content
    kept = omitted_turns(chosen.messages)
    assert chosen.messages[3:] == h[2 + 2 * kept:] and count(chosen.messages) <= 2500
    assert chosen.usage.input_tokens == 300 and chosen.usage.output_tokens == 20 and chosen.cost_usd == 0.25
    assert chosen.notes[0].startswith(f'summarise: summarised {kept} of 20 turns with summariser')


def test_summarise_reuses_its_summary_while_the_request_fits() -> None:
    model = summary_model()
    policy = Summarise(model=model)
    h = history(20)
    first = select(policy, h, budget=2500)
    grown = [*h, *history(21)[-2:]]
    again = select(policy, grown, budget=2500)
    assert len(model.requests) == 1  # no second call
    assert again.messages[2] == first.messages[2] and again.usage.total_tokens == 0
    assert again.notes[0].startswith('summarise: kept the summary of')


def test_summarise_is_deterministic_for_the_same_history() -> None:
    h = history(20)
    one, two = summary_model(), summary_model()
    a, b = select(Summarise(model=one), h, budget=2500), select(Summarise(model=two), h, budget=2500)
    assert a.messages == b.messages
    assert one.requests[0].messages == two.requests[0].messages


def test_summarise_needs_a_model() -> None:
    with pytest.raises(ValueError, match='no model to write the summary with'):
        select(Summarise(), history(20), budget=2500)
    with pytest.raises(ValueError, match='max_chars must be at least 200'):
        Summarise(max_chars=10)


# -- in a run ----------------------------------------------------------------------------------------------
@tool(side_effects='none')
def probe(i: int) -> str:
    """Probe one item and report what it holds.

    Args:
        i: the item's number.
    """
    return f'item {i}: ' + ' '.join(f'w{i}x{j}' for j in range(120))


def probe_turns(n: int) -> list[Any]:
    return [{'content': f'probing {i}', 'tool_calls': [{'name': 'probe', 'arguments': {'i': i}}]} for i in range(n)]


def run(model: Any, steps: int, **options: Any) -> tuple[Any, list[Any]]:
    events: list[Any] = []
    agent = Agent(model=model, tools=[probe], checkpointer='memory', budget=Budget(max_steps=steps + 5), **options)
    result = agent.run('Probe every item, one at a time.', on_event=events.append)
    return result, events


def within_window(request: ModelRequest, size: int = WINDOW) -> bool:
    answer = min(1024, size // 8)
    return count(request.messages) + spec_tokens(request.tools) + answer <= size


def test_the_default_policy_keeps_every_request_within_the_models_window() -> None:
    model = ScriptedModel([*probe_turns(30), 'done'], max_input_tokens=WINDOW)
    result, events = run(model, 31)
    assert result.status == 'completed' and result.output == 'done' and result.steps == 31
    assert all(within_window(r) for r in model.requests)
    assert count(model.requests[-1].messages) < sum(count(r.messages[-2:]) for r in model.requests)
    trimmed = [e for e in events if isinstance(e, ContextTrimmed)]
    assert trimmed and trimmed[0].step > 1
    for e in trimmed:
        assert e.sent_tokens <= e.budget < e.tokens and e.notes
    assert 'drop_old_tool_outputs: stubbed' in trimmed[0].notes[0]
    assert trimmed[0].stubbed and trimmed[0].stubbed[0] == 'call_0_0'


def test_fetch_tool_output_is_offered_with_a_stub_and_returns_the_stubbed_output() -> None:
    turns = [*probe_turns(8), {'tool_calls': [{'name': 'fetch_tool_output', 'arguments': {'call_id': 'call_0_0'}}]},
             'done']
    model = ScriptedModel(turns, max_input_tokens=WINDOW)
    result, _ = run(model, 10)
    assert result.status == 'completed' and result.output == 'done'
    assert [t.name for t in model.requests[0].tools] == ['probe']  # not offered before anything is stubbed
    asked = model.requests[8]
    assert [t.name for t in asked.tools] == ['probe', 'fetch_tool_output']
    assert any(m.tool_call_id == 'call_0_0' and m.content.startswith(MARKER) for m in asked.messages)
    fetched = model.requests[9].messages[-1]
    assert fetched.role == 'tool' and fetched.name == 'fetch_tool_output'
    assert 'item 0: w0x0 w0x1' in fetched.content and 'w0x119' in fetched.content


class SummarisingModel:
    """The run's model: writes summaries when asked (`SUMMARY_PROMPT`), else plays `script`; logs every request."""

    def __init__(self, script: ScriptedModel) -> None:
        self.script = script
        self.max_input_tokens = script.max_input_tokens
        self.summaries: list[ModelRequest] = []

    @property
    def name(self) -> str:
        return 'summarising'

    async def complete(self, request: ModelRequest) -> ModelResponse:
        if request.messages and request.messages[0].content == SUMMARY_PROMPT:
            self.summaries.append(request)
            n = request.messages[1].content.count(', assistant:')
            return ModelResponse(message=Message(role='assistant', content=f'Summary of {n} turns.'),
                                 usage=Usage(input_tokens=400, output_tokens=30),
                                 cost_usd=0.5, model='summarising')
        return await self.script.complete(request)


def test_summarise_in_a_run_goes_through_the_runs_model_and_counts_in_its_usage() -> None:
    def once() -> tuple[Any, SummarisingModel]:
        model = SummarisingModel(ScriptedModel([*probe_turns(24), 'done'], max_input_tokens=WINDOW))
        result, events = run(model, 25, context=Summarise(then=KeepRecent()))
        return (result, events), model

    (result, events), model = once()
    assert result.status == 'completed' and result.output == 'done' and result.steps == 25
    calls = len(model.summaries)
    assert calls >= 1
    assert result.usage.input_tokens == 25 * 10 + calls * 400
    assert result.usage.output_tokens == 25 * 5 + calls * 30
    assert result.cost_usd == pytest.approx(calls * 0.5)
    assert all(within_window(r) for r in model.script.requests)
    assert any(n.startswith('summarise: summarised') for e in events if isinstance(e, ContextTrimmed) for n in e.notes)
    (again, _), replayed = once()  # the same run again: the very same requests, summaries included
    assert again.output == result.output
    assert [r.model_dump() for r in replayed.script.requests] == [r.model_dump() for r in model.script.requests]
    assert [r.model_dump() for r in replayed.summaries] == [r.model_dump() for r in model.summaries]


def test_a_300_step_run_stays_within_a_2000_token_window_and_replays_identically() -> None:
    def once() -> tuple[Any, list[Any], ScriptedModel]:
        model = ScriptedModel([*probe_turns(299), 'all 299 items probed'], max_input_tokens=WINDOW)
        result, events = run(model, 300)
        return result, events, model

    result, events, model = once()
    assert result.status == 'completed' and result.steps == 300 and result.tool_calls == 299
    assert result.output == 'all 299 items probed'
    assert len(model.requests) == 300 and all(within_window(r) for r in model.requests)
    for i, r in enumerate(model.requests):  # each turn was served for its own position
        assert omitted_turns(r.messages) + sum(m.role == 'assistant' for m in r.messages) == i
    assert r.messages[-1].content.count('item 298: ') == 1
    trimmed = [e for e in events if isinstance(e, ContextTrimmed)]
    assert len(trimmed) > 250 and all(e.sent_tokens <= e.budget for e in trimmed)
    again, again_events, replayed = once()
    assert again.output == result.output and again.steps == 300
    assert [r.model_dump() for r in replayed.requests] == [r.model_dump() for r in model.requests]
    assert [(e.step, e.notes, e.stubbed) for e in again_events if isinstance(e, ContextTrimmed)] == [
        (e.step, e.notes, e.stubbed) for e in trimmed]


# -- windows and counters ----------------------------------------------------------------------------------
def test_a_script_file_sets_the_window_and_an_unknown_model_gets_the_default(tmp_path: Any) -> None:
    from agentcore._context import DEFAULT_WINDOW, model_window

    script = tmp_path / 'small.yaml'
    script.write_text('max_input_tokens: 2000\nturns: [{content: done}]\n', encoding='utf-8')
    small = model_window(ScriptedModel.from_file(script))
    assert small.max_input_tokens == 2000 and small.budget([]) == int(2000 * 0.95) - 250
    assert model_window(ScriptedModel(['done'])).max_input_tokens == DEFAULT_WINDOW


def test_a_litellm_model_gets_litellms_window_and_token_counter() -> None:
    from agentcore._context import model_window
    from agentcore._litellm import LiteLLMModel

    mw = model_window(LiteLLMModel('openai/gpt-4o-mini'))
    assert mw.max_input_tokens == 128_000
    hello = [Message(role='user', content='hello there, how are you today?')]
    assert 5 < mw.count(hello) < 30
    assert mw.count([*hello, *hello]) == 2 * mw.count(hello)


def test_the_shipped_long_run_scenario_trims_its_context_and_replays() -> None:
    from pathlib import Path

    from agentcore.scenarios import load_scenario, replay_scenario

    path = Path(__file__).parents[2] / 'scenarios' / 'long-run-context.yaml'
    run_ = load_scenario(path).runs[0]
    assert run_.result.steps == 43 and run_.result.status == 'completed'
    trimmed = [t for t in run_.turns if t.request.restart]
    assert len(trimmed) >= 3
    assert all(t.request.messages[2].content.startswith(MARKER) for t in trimmed)
    assert replay_scenario(path).status == 'passed'


def test_a_long_run_on_an_in_memory_store_writes_no_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run store's WAL checkpoints (every 100 commits) skip a `sqlite://` store: no file named `None` appears."""
    monkeypatch.chdir(tmp_path)
    result, _ = run(ScriptedModel([*probe_turns(60), 'done']), 61, store='sqlite://')
    assert result.status == 'completed' and list(tmp_path.iterdir()) == []

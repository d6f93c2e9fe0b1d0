"""Costs you can trust: an unknown price is reported as unknown (never $0), a supplied price is used, and a
`max_usd` budget on a model with no known price is refused before the run starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from agentcore import (
    Agent,
    Budget,
    ConfigError,
    LiteLLMModel,
    ModelPrice,
    ModelTurnFinished,
    PricedModel,
    RunFinished,
    load_settings,
    parse_event,
)
from agentcore.runstore import RunStore
from agentcore.testing import ScriptedModel

API_BASE = 'http://127.0.0.1:8999/v1'
GEMMA = 'openai/gemma3-270m'


def _completion(model: str, prompt: int = 1000, completion: int = 500) -> dict[str, object]:
    return {
        'id': 'chatcmpl-1', 'object': 'chat.completion', 'created': 1700000000, 'model': model,
        'choices': [{'index': 0, 'message': {'role': 'assistant', 'content': 'hi'}, 'finish_reason': 'stop'}],
        'usage': {'prompt_tokens': prompt, 'completion_tokens': completion, 'total_tokens': prompt + completion},
    }


# -- unknown cost ---------------------------------------------------------------------------------------------
async def test_an_unknown_turn_cost_makes_the_run_cost_unknown_everywhere(tmp_path: Path) -> None:
    store = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')
    model = ScriptedModel([{'content': 'first', 'tool_calls': [{'name': 'noop'}], 'cost_usd': 0.01},
                           {'content': 'done', 'cost_usd': None}])
    assert isinstance(model, PricedModel) and not model.price_known

    from agentcore.tools import tool

    @tool(side_effects='none')
    def noop() -> str:
        """Do nothing."""
        return 'ok'

    agent = Agent(model=model, tools=[noop], store=store, checkpointer='memory')
    events = [e async for e in agent.astream('x')]
    turns = [e for e in events if isinstance(e, ModelTurnFinished)]
    assert [(t.cost_usd, t.cost_known) for t in turns] == [(0.01, True), (None, False)]
    finished = events[-1]
    assert isinstance(finished, RunFinished) and (finished.cost_usd, finished.cost_known) == (None, False)
    assert finished.model_dump(mode='json')['cost_usd'] is None

    run_id = finished.run_id
    record = store.get_run(run_id)
    assert (record.cost, record.cost_known) == (None, False)
    assert [(u.cost, u.cost_known) for u in store.usage(run_id)] == [(0.01, True), (None, False)]
    stored = [parse_event(e) for e in store.events(run_id)]
    assert isinstance(stored[-1], RunFinished) and stored[-1].cost_known is False


def test_run_result_reports_null_and_false() -> None:
    result = Agent(model=ScriptedModel([{'content': 'done', 'cost_usd': None}]), checkpointer='memory').run('x')
    assert (result.cost_usd, result.cost_known) == (None, False)
    data = result.model_dump(mode='json')
    assert data['cost_usd'] is None and data['cost_known'] is False


def test_known_costs_add_up() -> None:
    turns: list[dict[str, Any]] = [{'content': '', 'cost_usd': 0.01}, {'content': 'done', 'cost_usd': 0.02}]
    result = Agent(model=ScriptedModel(turns), checkpointer='memory').run('x')
    assert result.cost_known and result.cost_usd == pytest.approx(0.03)


def test_a_cost_that_becomes_unknown_stops_a_run_with_max_usd() -> None:
    assert Budget(max_usd=1).exceeded(steps=1, tool_calls=0, tokens=0, usd=None, elapsed_s=0) == (
        'usd', 'max_usd=1.0 cannot be kept: the cost of a model turn is unknown')
    assert Budget().exceeded(steps=1, tool_calls=0, tokens=0, usd=None, elapsed_s=0) is None


def test_a_store_made_before_unknown_costs_takes_them(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, text

    url = f'sqlite:///{tmp_path / "old.sqlite"}'
    with create_engine(url).begin() as conn:
        conn.execute(text('CREATE TABLE runs (run_id VARCHAR PRIMARY KEY, task VARCHAR NOT NULL, model VARCHAR, '
                          'status VARCHAR, output VARCHAR, stop_reason VARCHAR, steps INTEGER, tool_calls INTEGER, '
                          'input_tokens INTEGER, output_tokens INTEGER, cost_usd FLOAT NOT NULL, created_at VARCHAR, '
                          'updated_at VARCHAR, config_json VARCHAR)'))
        conn.execute(text('CREATE TABLE usage (id INTEGER PRIMARY KEY, run_id VARCHAR, step INTEGER, model VARCHAR, '
                          'input_tokens INTEGER, output_tokens INTEGER, cost_usd FLOAT NOT NULL, ts VARCHAR)'))
        conn.execute(text("INSERT INTO runs VALUES ('old', 't', 'm', 'completed', 'o', NULL, 1, 0, 1, 1, 0.5, "
                          "'2026-01-01', '2026-01-01', '{}')"))
    store = RunStore(url)
    old = store.get_run('old')
    assert (old.cost_known, old.cost) == (None, 0.5)  # written before agentcore knew: taken as known
    store.create_run('new', 't', 'm')
    store.add_usage('new', 1, 'm', 1, 1, None)
    store.update_run('new', status='completed', cost_usd=None)
    assert store.get_run('new').cost is None and store.usage('new')[0].cost is None
    store.close()


# -- prices ---------------------------------------------------------------------------------------------------
def test_prices_setting_from_agentcore_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / 'agentcore.toml'
    cfg.write_text(f'[prices."{GEMMA}"]\ninput_per_mtok = 0.1\noutput_per_mtok = 0.4\n', encoding='utf-8')
    monkeypatch.setenv('AGENTCORE_CONFIG', str(cfg))
    settings = load_settings()
    assert settings.prices == {GEMMA: ModelPrice(input_per_mtok=0.1, output_per_mtok=0.4)}
    model = Agent(model=GEMMA, settings=settings, checkpointer='memory').model
    assert isinstance(model, LiteLLMModel) and model.price == settings.prices[GEMMA] and model.price_known


def test_bad_prices_are_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / 'agentcore.toml'
    cfg.write_text(f'[prices."{GEMMA}"]\ninput_per_mtok = -1\noutput_per_mtok = 0.4\n', encoding='utf-8')
    monkeypatch.setenv('AGENTCORE_CONFIG', str(cfg))
    with pytest.raises(ConfigError, match='input_per_mtok'):
        load_settings()
    with pytest.raises(ConfigError, match=f"invalid price for model '{GEMMA}': output_per_mtok"):
        LiteLLMModel(GEMMA, prices={GEMMA: {'input_per_mtok': 0.1}})


def test_price_known_needs_no_request() -> None:
    assert LiteLLMModel('openai/gpt-4o-mini').price_known  # in litellm's cost map
    assert not LiteLLMModel(GEMMA, api_base=API_BASE).price_known
    assert LiteLLMModel(GEMMA, prices=ModelPrice(input_per_mtok=0, output_per_mtok=0)).price_known
    assert not LiteLLMModel(GEMMA, prices={'openai/other': ModelPrice(input_per_mtok=1, output_per_mtok=1)}).price_known


@pytest.mark.usefixtures('allow_model_requests')
@respx.mock
@pytest.mark.parametrize(('model', 'served', 'prices', 'expected'), [
    (GEMMA, 'gemma3-270m', {GEMMA: {'input_per_mtok': 0.1, 'output_per_mtok': 0.4}}, 0.0003),
    ('openai/gpt-4o-mini', 'gpt-4o-mini-2024-07-18', None, 0.00045),  # priced by litellm
    (GEMMA, 'gemma3-270m', None, None),  # a local model nobody priced
], ids=['supplied-price', 'litellm-price', 'unknown'])
async def test_litellm_turn_cost(model: str, served: str, prices: Any, expected: float | None) -> None:
    respx.post(f'{API_BASE}/chat/completions').mock(return_value=httpx.Response(200, json=_completion(served)))
    llm = LiteLLMModel(model, api_base=API_BASE, api_key='sk-test', retries=0, prices=prices)
    result = await Agent(model=llm, checkpointer='memory').arun('hi')
    assert result.status == 'completed' and result.cost_known is (expected is not None)
    assert result.cost_usd == (None if expected is None else pytest.approx(expected))


# -- max_usd refused up front ---------------------------------------------------------------------------------
@pytest.mark.parametrize('model', [ScriptedModel([{'content': 'x', 'cost_usd': None}]), LiteLLMModel(GEMMA)],
                         ids=['scripted-unknown', 'litellm-unpriced'])
def test_max_usd_on_a_model_with_no_price_is_refused_at_start(model: Any, tmp_path: Path) -> None:
    store = RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')
    agent = Agent(model=model, budget=Budget(max_usd=1.0), store=store, checkpointer='memory')
    with pytest.raises(ConfigError) as info:
        agent.run('x')
    assert 'max_usd=1 cannot be enforced' in str(info.value) and 'prices' in (info.value.hint or '')
    assert store.list_runs() == []  # nothing started


def test_max_usd_on_a_priced_model_runs() -> None:
    model = ScriptedModel([{'content': 'x', 'cost_usd': 0.001}])
    result = Agent(model=model, budget=Budget(max_usd=1.0), checkpointer='memory').run('x')
    assert result.status == 'completed' and result.cost_usd == 0.001

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore import Agent, ConfigError, load_settings


def test_settings_from_env_and_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / 'agentcore.toml'
    cfg.write_text('model = "openai/gpt-4o-mini"\nmodel_retries = 5\n')
    monkeypatch.setenv('AGENTCORE_CONFIG', str(cfg))
    s = load_settings()
    assert (s.model, s.model_retries) == ('openai/gpt-4o-mini', 5)
    monkeypatch.setenv('AGENTCORE_MODEL', 'ollama/llama3')
    assert load_settings().model == 'ollama/llama3'  # environment wins over the file


def test_bad_setting_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('AGENTCORE_MODEL_RETRIES', 'many')
    with pytest.raises(ConfigError, match="invalid setting 'model_retries'"):
        load_settings()


def test_unknown_toml_key_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / 'agentcore.toml'
    cfg.write_text('modle = "typo"\n')
    monkeypatch.setenv('AGENTCORE_CONFIG', str(cfg))
    with pytest.raises(ConfigError, match='modle'):
        load_settings()


def test_no_model_configured_lists_how_to_configure() -> None:
    with pytest.raises(ConfigError) as info:
        Agent()
    assert 'no model configured' in str(info.value)
    assert 'AGENTCORE_MODEL' in (info.value.hint or '') and 'scripted:' in (info.value.hint or '')


def test_model_string_selects_litellm() -> None:
    from agentcore import LiteLLMModel

    agent = Agent(model='openai/gpt-4o-mini', checkpointer='memory')
    assert isinstance(agent.model, LiteLLMModel) and agent.model.name == 'openai/gpt-4o-mini'


def test_memory_settings_reach_the_memory_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentcore.cli._build import _memory

    monkeypatch.setenv('AGENTCORE_MEMORY_EMBEDDER', 'hash:64')
    settings = load_settings(home=tmp_path)
    assert settings.memory_embedder == 'hash:64'
    store = _memory(settings)
    assert store.backend == 'local'
    assert store.describe()['dimension'] == 64
    monkeypatch.setenv('AGENTCORE_WEAVIATE_GRPC_PORT', '70000')
    with pytest.raises(ConfigError, match='weaviate_grpc_port'):
        load_settings()

"""An unreachable PostgreSQL database, or a bad URL: one line naming the URL (password masked) and the fix."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from agentcore import Agent
from agentcore._checkpoint import open_checkpointer
from agentcore._postgres import DatabaseUnavailableError, is_transient, mask_url
from agentcore.runstore import RunStore
from agentcore.testing import ScriptedModel
from tests._cli import in_process_cli

DOWN = 'postgresql://agentcore:s3cret@127.0.0.1:1/agentcore'  # nothing listens on port 1


def test_mask_url() -> None:
    assert mask_url(DOWN) == 'postgresql://agentcore:***@127.0.0.1:1/agentcore'
    assert mask_url('host=h password=s3cret dbname=d') == 'host=h password=*** dbname=d'
    assert mask_url('postgresql://agentcore@h/d') == 'postgresql://agentcore@h/d'


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert '\n' not in text and 's3cret' not in text and '127.0.0.1:1' in text
    return text


def test_unreachable_checkpoint_database() -> None:
    async def open_it() -> None:
        async with open_checkpointer(DOWN):
            pass

    with pytest.raises(DatabaseUnavailableError) as err:
        asyncio.run(open_it())
    assert 'Connection refused' in _one_line(err.value)
    assert err.value.hint and err.value.usage_error


def test_unreachable_run_store() -> None:
    with pytest.raises(DatabaseUnavailableError) as err:
        RunStore(DOWN.replace('postgresql://', 'postgresql+psycopg://'))
    _one_line(err.value)


def test_a_run_store_url_with_a_missing_driver_is_a_config_error() -> None:
    from agentcore._settings import ConfigError

    with pytest.raises(ConfigError) as err:
        RunStore('postgresql+nosuchdriver://agentcore:s3cret@127.0.0.1/x')
    assert 's3cret' not in str(err.value) and err.value.hint


@pytest.mark.postgres
def test_a_refused_password_is_not_retried(postgres_url: str) -> None:
    import psycopg

    bad = postgres_url.replace('agentcore:agentcore@', 'agentcore:wrong@')
    with pytest.raises(psycopg.OperationalError) as err:
        psycopg.connect(bad, connect_timeout=5)
    assert not is_transient(err.value) and not is_transient(err.value, first_contact=True)
    with pytest.raises(DatabaseUnavailableError) as unavailable:
        Agent(model=ScriptedModel(['x']), store=bad.replace('postgresql://', 'postgresql+psycopg://'))
    assert 'password authentication failed' in str(unavailable.value)


@pytest.mark.parametrize('variable', ['AGENTCORE_CHECKPOINT_URL', 'AGENTCORE_DATABASE_URL'])
def test_cli_exits_2_with_one_line(variable: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / 'script.json'
    script.write_text(json.dumps([{'content': 'done'}]))
    url = DOWN if variable == 'AGENTCORE_CHECKPOINT_URL' else DOWN.replace('postgresql://', 'postgresql+psycopg://')
    monkeypatch.setenv(variable, url)
    result = in_process_cli(capsys, monkeypatch)('run', 'hi', '--model', f'scripted:{script}')
    assert result.code == 2
    line = result.error_line
    assert 's3cret' not in line and '127.0.0.1:1' in line and '(fix: ' in line

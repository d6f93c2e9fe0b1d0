"""Real models end to end: agentcore against a real local LLM server (`.ci/services/llm.sh`).

The server is llama-cpp-python's OpenAI-compatible server with Gemma 3 270M, a tiny BASE model: these tests check
plumbing (the requests agentcore sends, multi-turn tool loops, the run store, recordings), never answer quality. A
base model does not call tools of its own accord, so the tool loops force a tool with `tool_choice` (a documented
setting), at temperature 0 with a seed, `max_tokens` bounded and a step budget that ends the run.

Every test here asks for `llm_env`, which allows real model requests (the suite blocks them; see tests/conftest.py)
in this process and in the processes it starts, and points agentcore at the server with the documented settings
only: `AGENTCORE_API_BASE`, a placeholder `OPENAI_API_KEY`, `AGENTCORE_TEMPERATURE`...
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / '.ci' / 'services' / 'llm.sh'
#: Where `.ci/services/llm.sh` starts the server (AGENTCORE_LLM_PORT), unless AGENTCORE_TEST_LLM_URL says otherwise.
LLM_URL = (os.environ.get('AGENTCORE_TEST_LLM_URL')
           or f'http://127.0.0.1:{os.environ.get("AGENTCORE_LLM_PORT", "8088")}').rstrip('/')
ALIAS = os.environ.get('AGENTCORE_LLM_ALIAS', 'gemma3-270m')
MODEL = f'openai/{ALIAS}'
#: Bound on what the model writes per turn: enough for a short tool call, and it keeps every turn fast.
MAX_TOKENS = 48
SEED = 7


def reachable(url: str) -> list[str]:
    """The model ids the server at `url` serves. Raises httpx.HTTPError when nothing answers there."""
    response = httpx.get(f'{url}/v1/models', timeout=5)
    response.raise_for_status()
    return [m['id'] for m in response.json()['data']]


@pytest.fixture(scope='session')
def llm_url() -> str:
    """The base URL of the running server (no `/v1`). Fails (never skips) when it is not there: CI starts it."""
    try:
        served = reachable(LLM_URL)
    except httpx.HTTPError as exc:
        pytest.fail(f'no LLM server at {LLM_URL} ({type(exc).__name__}: {exc}); run `bash .ci/services/llm.sh` '
                    '(or set AGENTCORE_TEST_LLM_URL)')
    if ALIAS not in served:
        pytest.fail(f'the LLM server at {LLM_URL} serves {served}, not {ALIAS!r}; run `bash .ci/services/llm.sh`')
    return LLM_URL


def settings_env(url: str) -> dict[str, str]:
    """The documented settings that point agentcore at the server at `url`, deterministic and bounded."""
    return {
        'AGENTCORE_API_BASE': f'{url}/v1',
        'OPENAI_API_KEY': 'sk-local',  # a local server needs a placeholder key; litellm refuses to send none
        'AGENTCORE_TEMPERATURE': '0',
        'AGENTCORE_SEED': str(SEED),
        'AGENTCORE_MAX_TOKENS': str(MAX_TOKENS),
        'AGENTCORE_MODEL_RETRIES': '0',  # a failing request fails the test at once instead of three times
        'AGENTCORE_MODEL_TIMEOUT_S': '120',
    }


@pytest.fixture
def llm_env(llm_url: str, allow_model_requests: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Real model requests allowed, and the settings for the server, here and in the processes a test starts."""
    env = settings_env(llm_url)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv('AGENTCORE_API_KEY', raising=False)
    monkeypatch.delenv('AGENTCORE_TOOL_CHOICE', raising=False)
    return env


@dataclass
class Done:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Agentcore = Callable[..., Done]


@pytest.fixture
def agentcore(tmp_path: Path) -> Agentcore:
    """`agentcore('run', ..., env={...})` runs the command line in a subprocess (in `tmp_path`), as a user would."""

    def run(*args: str, env: dict[str, str] | None = None, timeout: float = 240) -> Done:
        full = {**os.environ, **(env or {}), 'NO_COLOR': '1', 'COLUMNS': '200'}
        done = subprocess.run([sys.executable, '-m', 'agentcore', *args], cwd=tmp_path, env=full,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return Done(done.returncode, done.stdout, done.stderr)

    return run


def events_of(shown: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in shown['events'] if e['type'] == kind]


def assert_tool_loop(shown: dict[str, Any], *, turns: int = 2) -> None:
    """At least `turns` model turns carried tool calls, and at least `turns` of those calls ran and finished.

    `shown` is `agentcore runs show RUN --json` (or the same data built from a run store).
    """
    model_turns = events_of(shown, 'model_turn_finished')
    tool_turns = [t for t in model_turns if t['tool_calls']]
    assert len(tool_turns) >= turns, [(t['step'], t['content'][:80], t['tool_calls']) for t in model_turns]
    call_ids = [c['id'] for t in tool_turns for c in t['tool_calls']]
    assert len(set(call_ids)) == len(call_ids), f'tool-call ids repeat within the run: {call_ids}'
    started = {e['call_id'] for e in events_of(shown, 'tool_call_started')}
    finished = [e for e in events_of(shown, 'tool_call_finished') if e['call_id'] in started]
    assert len(finished) >= turns, (
        f'{len(finished)} tool calls ran; rejected: '
        f'{[e["content"][:160] for e in events_of(shown, "tool_call_finished") if e["call_id"] not in started]}')
    steps_with_runs = {t['step'] for t in tool_turns if {c['id'] for c in t['tool_calls']} & started}
    assert len(steps_with_runs) >= turns, f'only the turns {sorted(steps_with_runs)} ran a tool'
    ledger = [c for c in shown['tool_calls'] if c['status'] == 'completed']
    assert len(ledger) >= turns, shown['tool_calls']


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return int(s.getsockname()[1])


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(('127.0.0.1', port)) == 0


def wait_until(check: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll `check` until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f'timed out after {timeout:g} s waiting for {what}')
        time.sleep(0.05)

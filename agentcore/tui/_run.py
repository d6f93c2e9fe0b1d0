"""Entry points the CLI calls: `agentcore chat` and `agentcore replay --tui`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._chat_app import AgentFactory, ChatApp


def run_chat(agent_factory: AgentFactory, *, store: Any | None = None) -> None:
    """Run the chat UI in the terminal until the user quits.

    Raises:
        Whatever `agent_factory` raises (before the terminal is taken over).
    """
    ChatApp(agent_factory, store=store).run()


def run_replay_tui(path: str | Path, *, verify: bool = False) -> int:
    """Replay the scenario at `path`, then step through it in the terminal; returns the replay's exit code.

    The replay runs first (offline, from the recording; with `verify`, tools re-run in fresh sandboxes), so the
    stepper opens on a finished report: 0 passed, 1 diverged, 2 bad input.

    Raises:
        ScenarioError: the file is missing, not YAML, invalid, or its recorded requests were edited.
    """
    from ._replay import ReplayApp
    from ._scenario_steps import load_trace

    trace = load_trace(path, verify=verify)
    ReplayApp(trace).run()
    return trace.exit_code

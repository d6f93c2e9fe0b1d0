"""Agents, stores and apps for the TUI tests: scripted models only, fixed run ids, a fresh SQLite run store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver

from agentcore import Agent, Budget
from agentcore.policy import Policy
from agentcore.runstore import RunStore
from agentcore.testing import ScriptedModel
from agentcore.tools import tool
from agentcore.tui import ChatApp
from tests._tools import add, write_note

SIZE = (120, 36)


ASK_WRITES = Policy.from_dict({'version': 1, 'default': 'allow', 'rules': [{'tool': 'write_note', 'action': 'ask',
                                                                              'reason': 'writes need a human'}]})


def calls(*pairs: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {'tool_calls': [{'name': n, 'arguments': a} for n, a in pairs]}


def run_ids(prefix: str = 'run') -> Callable[[], str]:
    counter: Iterator[int] = iter(range(1, 1000))
    return lambda: f'{prefix}-{next(counter):03d}'


def make_app(store: RunStore, turns: list[Any], *, policy: Any = None, prefix: str = 'run',
             budget: Budget | None = None) -> ChatApp:
    def factory(approver: Any) -> Agent:
        return Agent(model=ScriptedModel(turns), tools=[add, write_note], policy=policy, approver=approver,
                     checkpointer=InMemorySaver(), store=store, guardrails=[], budget=budget or Budget(max_steps=10))

    return ChatApp(factory, store=store, new_run_id=run_ids(prefix))


def new_store(tmp_path: Path) -> RunStore:
    return RunStore(f'sqlite:///{tmp_path / "runs.sqlite"}')


class Gate:
    """A tool that waits until the test opens the gate: a run that stays busy for as long as the test needs."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.entered = asyncio.Event()

        @tool(side_effects='none')
        async def wait_here(label: str) -> str:
            """Wait until the test lets the call finish.

            Args:
                label: shown in the result.
            """
            self.entered.set()
            await self.opened.wait()
            return f'{label} done'

        self.tool = wait_here


@tool(side_effects='none')
def big_output(lines: int) -> str:
    """Print many numbered lines.

    Args:
        lines: how many.
    """
    return '\n'.join(f'line {i:05d}' for i in range(lines))


def make_app_with(store: RunStore, turns: list[Any], tools: list[Any], *, prefix: str = 'run') -> ChatApp:
    def factory(approver: Any) -> Agent:
        return Agent(model=ScriptedModel(turns), tools=tools, approver=approver, checkpointer=InMemorySaver(),
                     store=store, guardrails=[], budget=Budget(max_steps=10))

    return ChatApp(factory, store=store, new_run_id=run_ids(prefix))

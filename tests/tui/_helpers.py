"""Waiting for the UI in Pilot tests without sleeping a fixed time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], *, within: float = 20.0) -> None:
    """Let the app run until `condition()` holds; fail after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f'condition not met within {within}s; timeline:\n{getattr(pilot.app, "timeline", None) and pilot.app.timeline.text}')
        await pilot.pause(0.02)
    await pilot.pause()

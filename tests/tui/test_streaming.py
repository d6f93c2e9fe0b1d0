"""Live tool output: `tool_output_delta` events shown under the running call in the timeline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from langgraph.checkpoint.memory import InMemorySaver
from textual.widgets import Static

from agentcore import Agent, Message, ModelRequest, ModelResponse, StreamingChatModel, Usage
from agentcore.runstore import RunStore
from agentcore.tools import ToolContext, tool
from agentcore.tui import ChatApp
from agentcore.tui._format import MAX_STREAM_LINES, OutputStream

from ._fixtures import SIZE, calls, make_app_with, new_store, run_ids


class StreamingTool:
    """A tool that streams two pieces of output through `ctx.on_output`, then waits for the test."""

    def __init__(self) -> None:
        self.streamed = asyncio.Event()
        self.finish = asyncio.Event()

        @tool(side_effects='none')
        async def build(target: str, ctx: ToolContext) -> str:
            """Build a target, printing progress.

            Args:
                target: what to build.
            """
            assert ctx.on_output is not None
            ctx.on_output('stdout', f'compiling {target}\nlinking')
            await asyncio.sleep(0)
            ctx.on_output('stdout', f' {target}\n')
            ctx.on_output('stderr', 'warning: slow disk\n')
            self.streamed.set()
            await self.finish.wait()
            return f'built {target}'

        self.tool = build


async def test_streamed_output_shows_under_the_running_call_before_it_finishes(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    streaming = StreamingTool()
    app = make_app_with(store, [calls(('build', {'target': 'app'})), 'Built.'], [streaming.tool])
    async with app.run_test(size=SIZE) as pilot:
        worker = app.send('build the app')
        await asyncio.wait_for(streaming.streamed.wait(), 10)
        for _ in range(50):
            await pilot.pause()
            if 'warning: slow disk' in app.timeline.text:
                break
        text = app.timeline.text
        assert '⚙ build({"target": "app"})\n    ┊ compiling app\n    ┊ linking app\n    ┊ [stderr] warning: slow disk' \
            in text
        assert '↳ build' not in text and app.status.state == 'running build'
        streaming.finish.set()
        await worker.wait()
        await pilot.pause()
        text = app.timeline.text
        assert text.index('┊ [stderr] warning: slow disk') < text.index('  ↳ build ok (untrusted data):\n    built app')
        assert app.status.state == 'completed'


def test_streamed_lines_are_bounded_per_call() -> None:
    stream = OutputStream()
    lines = stream.add('stdout', ''.join(f'row {i}\n' for i in range(MAX_STREAM_LINES + 50)))
    lines += stream.add('stdout', 'more\n')
    assert len(lines) == MAX_STREAM_LINES + 1
    assert lines[-2].text == f'    ┊ row {MAX_STREAM_LINES - 1}' and 'more output' in lines[-1].text
    held = OutputStream()
    assert held.add('stdout', 'no newline yet') == [] and held.add('stdout', '!\n')[0].text == '    ┊ no newline yet!'


class StreamingModel:
    """A `StreamingChatModel` that writes its answer in pieces and holds the turn open until the test lets it end."""

    name = 'streaming-test'

    def __init__(self, pieces: list[str]) -> None:
        self.pieces = pieces
        self.written = asyncio.Event()
        self.finish = asyncio.Event()
        self.started = asyncio.Event()

    async def complete(self, request: ModelRequest) -> ModelResponse:
        return await self.complete_streaming(request, None)

    async def complete_streaming(self, request: ModelRequest, on_text: Callable[[str], None] | None) -> ModelResponse:
        self.started.set()
        for piece in self.pieces:
            if on_text is not None:
                on_text(piece)
            await asyncio.sleep(0)
        self.written.set()
        await self.finish.wait()
        return ModelResponse(message=Message(role='assistant', content=''.join(self.pieces)),
                             usage=Usage(input_tokens=3, output_tokens=2))


def _app_with_model(store: RunStore, model: StreamingModel) -> ChatApp:
    def factory(approver: Any) -> Agent:
        return Agent(model=model, approver=approver, checkpointer=InMemorySaver(), store=store, guardrails=[])

    return ChatApp(factory, store=store, new_run_id=run_ids('stream'))


async def test_model_tokens_appear_live_and_the_wait_is_shown(tmp_path: Path) -> None:
    model = StreamingModel(['Hel', 'lo', ' there'])
    app = _app_with_model(new_store(tmp_path), model)
    assert isinstance(model, StreamingChatModel)
    async with app.run_test(size=SIZE) as pilot:
        worker = app.send('greet me')
        await asyncio.wait_for(model.written.wait(), 10)
        live = app.query_one('#live', Static)
        for _ in range(50):
            await pilot.pause()
            if 'Hello there' in str(live.render()):
                break
        assert live.display and str(live.render()) == '✎ Hello there'
        assert app.status.state == 'model turn 1: writing'
        app._waiting_since = time.monotonic() - 7  # as if the model had said nothing for 7 s
        app._show_wait()
        assert app.status.state.endswith('waiting for the model, 7s')
        model.finish.set()
        await worker.wait()
        await pilot.pause()
        assert not live.display and app.status.state == 'completed'
        assert 'agent: Hello there' in app.conversation.text
        assert 'model_token_delta' not in app.timeline.text  # the tokens never spill into the timeline

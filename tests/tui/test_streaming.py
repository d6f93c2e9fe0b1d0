"""Live tool output: `tool_output_delta` events shown under the running call in the timeline."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agentcore.tools import ToolContext, tool
from agentcore.tui._format import MAX_STREAM_LINES, OutputStream

from ._fixtures import SIZE, calls, make_app_with, new_store


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

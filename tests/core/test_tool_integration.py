"""Tools of every origin used by an agent: LangChain BaseTools, MCP servers; parallel calls and their bound."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from langchain_core.tools import StructuredTool

from agentcore import Agent
from agentcore.policy import Policy
from agentcore.testing import ScriptedModel
from agentcore.tools import LangChainTool, load_mcp_tools, tool

MCP_SERVER = str(Path(__file__).parents[1] / 'tools' / 'mcp_server.py')


def test_langchain_base_tool_used_by_an_agent() -> None:
    def multiply(a: int, b: int) -> int:
        """Multiply two integers."""
        return a * b

    base = StructuredTool.from_function(multiply)
    model = ScriptedModel([{'tool_calls': [{'name': 'multiply', 'arguments': {'a': 6, 'b': 7}}]}, '42'])
    # A bare BaseTool is accepted as is (its effects unknown, so assumed external); the policy allows it here.
    policy = Policy.from_dict({'version': 1, 'rules': [{'tool': 'multiply', 'action': 'allow'}]})
    result = Agent(model=model, tools=[base], policy=policy, checkpointer='memory').run('6 x 7')
    assert (result.status, result.output, result.tool_calls) == ('completed', '42', 1)
    assert '42' in model.requests[1].messages[-1].content
    assert model.requests[0].tools[0].name == 'multiply'
    assert isinstance(LangChainTool(base), LangChainTool)


async def test_mcp_server_tools_used_by_an_agent_under_policy() -> None:
    servers = {'demo': {'transport': 'stdio', 'command': sys.executable, 'args': [MCP_SERVER, 'stdio']}}
    mcp_tools = await load_mcp_tools(servers)
    turns = [
        {'tool_calls': [{'name': 'mcp__demo__add', 'arguments': {'a': 2, 'b': 40}}]},
        {'tool_calls': [{'name': 'mcp__demo__shout_loud', 'arguments': {'text': 'hi'}}]},
        'done',
    ]
    # MCP tools are denied unless a rule names them: `add` is allowed, `shout_loud` is not.
    policy = Policy.from_dict({'version': 1, 'default': 'allow',
                               'rules': [{'tool': 'mcp__demo__add', 'action': 'allow'}]})
    model = ScriptedModel(turns)
    result = await Agent(model=model, tools=mcp_tools, policy=policy, checkpointer='memory').arun('use mcp')
    assert result.status == 'completed' and result.tool_calls == 1
    assert '42' in model.requests[1].messages[-1].content
    denied = model.requests[2].messages[-1].content
    assert denied.startswith('error: call denied by policy') and 'mcp' in denied.lower()


async def test_parallel_calls_run_concurrently_within_the_bound() -> None:
    running = 0
    peak = 0
    order: list[int] = []

    @tool(side_effects='none')
    async def wait(i: int) -> int:
        """Wait a little.

        Args:
            i: which call.
        """
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.2 if i % 2 else 0.05)
        order.append(i)
        running -= 1
        return i

    calls = [{'name': 'wait', 'arguments': {'i': i}} for i in range(6)]
    model = ScriptedModel([{'tool_calls': calls}, 'done'])
    agent = Agent(model=model, tools=[wait], checkpointer='memory', max_parallel_tools=3)
    result = await agent.arun('wait six times')
    assert result.status == 'completed' and result.tool_calls == 6
    assert peak == 3  # concurrent, but never more than the bound
    assert order != sorted(order)  # short calls finished first...
    tool_msgs: list[Any] = [m for m in model.requests[1].messages if m.role == 'tool']
    assert [m.tool_call_id for m in tool_msgs] == [f'call_0_{i}' for i in range(6)]  # ...results in call order

"""An AgentDojo pipeline element whose `query` runs a real agentcore `Agent` over the suite's tools."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentdojo.agent_pipeline.base_pipeline_element import BasePipelineElement
from agentdojo.functions_runtime import EmptyEnv, Env, FunctionCall, FunctionsRuntime
from agentdojo.types import (
    ChatAssistantMessage,
    ChatMessage,
    ChatSystemMessage,
    ChatToolResultMessage,
    ChatUserMessage,
    text_content_block_from_string,
)

from agentcore import Agent
from agentcore.policy import ApprovalDecision, ApprovalRequest, Approve, Policy, load_policy
from agentcore.policy.examples import DEFAULT_POLICY

from ._agentdojo_model import NO_OUTPUT_ANSWER, ObeyingModel, Script, Seen, ToolView
from ._agentdojo_tools import Executed, Session, suite_tools
from ._agentdojo_truths import MISSING, missing_truth

if TYPE_CHECKING:
    from agentdojo.base_tasks import BaseInjectionTask, BaseUserTask
    from agentdojo.task_suite.task_suite import TaskSuite

#: The pipeline's name. The attacks address the model by the name of a known model found in it: `local` reads
#: "Local model".
PIPELINE_NAME = 'agentcore-scripted-local'
#: Runs an agent makes before it is rebuilt (its in-memory run store and checkpointer emptied).
RUNS_PER_AGENT = 200


class ApproveAll:
    """An `Approver` that approves every request: a rubber-stamping human (the defence must hold without one)."""

    def __init__(self) -> None:
        self.requests = 0

    async def decide(self, request: ApprovalRequest) -> ApprovalDecision:
        self.requests += 1
        return Approve()


@dataclass
class RunRecord:
    """What one task run did, beyond AgentDojo's two booleans."""

    status: str
    views: list[ToolView]
    executed: list[Executed]
    denied: list[str]
    approvals: int
    obeyed: Seen | None
    #: Of the executed calls, the ids of those whose raw result held an injected string.
    carried_payload: set[str] = field(default_factory=set)


class AgentcorePipeline(BasePipelineElement):
    """Runs each AgentDojo task through an agentcore `Agent` driving `ObeyingModel`.

    `defended`: the shipped default policy (`DEFAULT_POLICY`) and the default guardrails (what `Agent` uses when
    `guardrails` is not passed); otherwise `Policy.allow_all()` and no guardrails (the undefended baseline). Both
    approve every `ask` through `ApproveAll`, run without a sandbox, with an in-memory run store and checkpointer.

    Call `prepare` before each `suite.run_task_with_pipeline`: the scripted model must know the task's ground
    truth and the attack's injected strings. `last` then describes the run.
    """

    name = PIPELINE_NAME

    def __init__(self, suite: TaskSuite[Any], *, defended: bool, loop: asyncio.AbstractEventLoop) -> None:
        self.defended = defended
        self.suite_name: str = suite.name
        self.session = Session()
        self.model = ObeyingModel()
        self.approver = ApproveAll()
        self._tools = suite_tools(suite.name, list(suite.tools), self.session)
        self._loop = loop
        self._agent: Agent | None = None
        self._runs = 0
        self._task: BaseUserTask[Any] | None = None
        self._injection: BaseInjectionTask[Any] | None = None
        self._injections: dict[str, str] = {}
        self._dos = False
        self.last: RunRecord | None = None

    def _new_agent(self) -> Agent:
        if self.defended:
            return Agent(model=self.model, tools=self._tools, policy=load_policy(DEFAULT_POLICY),
                         approver=self.approver, store='sqlite://', checkpointer='memory')
        return Agent(model=self.model, tools=self._tools, policy=Policy.allow_all(), guardrails=[],
                     approver=self.approver, store='sqlite://', checkpointer='memory')

    def prepare(self, user_task: BaseUserTask[Any], injection_task: BaseInjectionTask[Any] | None,
                injections: dict[str, str], *, dos: bool = False) -> None:
        """Set the task the next `query` runs, the injection task the attack aims at and its injected strings."""
        self._task, self._injection, self._injections, self._dos = user_task, injection_task, injections, dos

    def query(
        self,
        query: str,
        runtime: FunctionsRuntime,
        env: Env = EmptyEnv(),  # noqa: B008 - AgentDojo's own signature
        messages: Sequence[ChatMessage] = [],
        extra_args: dict[str, Any] = {},  # noqa: B006
    ) -> tuple[str, FunctionsRuntime, Env, Sequence[ChatMessage], dict[str, Any]]:
        """Run `query` through the agent on `env`; the messages are what ran, in AgentDojo's format.

        The assistant messages carry only the calls that ran (a call the policy denied never reached the
        environment), so AgentDojo's trace-based checks judge what happened.

        Raises:
            RuntimeError: `prepare` was not called.
        """
        task = self._task
        if task is None:
            raise RuntimeError('AgentcorePipeline.query: call prepare(...) first')
        injection = self._injection if self._injections and not self._dos else None
        script = Script(user_calls=list(task.ground_truth(env)), answer=task.GROUND_TRUTH_OUTPUT or NO_OUTPUT_ANSWER,
                        payloads=[self.model.payload(text) for text in dict.fromkeys(self._injections.values())],
                        dos=self._dos)
        if injection is not None:
            script.injection_calls = self._injection_truth(injection, runtime, env)
            script.injection_answer = injection.GROUND_TRUTH_OUTPUT
        if self._agent is None or self._runs >= RUNS_PER_AGENT:
            self._agent, self._runs = self._new_agent(), 0
        self._runs += 1
        self.session.start(runtime, env)
        self.model.begin(script)
        approvals = self.approver.requests
        result = self._loop.run_until_complete(self._agent.arun(query))
        executed = list(self.session.executed)
        carried = {e.call_id for e in executed if script.payloads and self.model.find(e.text) is not None}
        self.last = RunRecord(status=result.status, views=list(self.model.views), executed=executed,
                              denied=list(self.model.denied), approvals=self.approver.requests - approvals,
                              obeyed=self.model.obeyed, carried_payload=carried)
        saver = self._agent.checkpointer
        if hasattr(saver, 'delete_thread'):
            saver.delete_thread(result.run_id)
        return query, runtime, env, [*messages, *_transcript(query, executed, result.output)], extra_args


    def _injection_truth(self, injection: BaseInjectionTask[Any], runtime: FunctionsRuntime,
                         env: Env) -> Callable[[], list[FunctionCall]]:
        """What obeying `injection` calls: AgentDojo's ground truth on the environment before the run, or the bench's
        own (`MISSING`) planned on the environment as it is when the model obeys."""
        if (self.suite_name, injection.ID) not in MISSING:
            calls = list(injection.ground_truth(env))
            return lambda: calls
        pre = env.model_copy(deep=True)

        def planned() -> list[FunctionCall]:
            try:
                return missing_truth(self.suite_name, injection.ID, runtime, pre, self.session.env) or []
            except ValueError:
                return []

        return planned


def _text(content: str) -> list[Any]:
    return [text_content_block_from_string(content)]


def _transcript(prompt: str, executed: list[Executed], output: str | None) -> list[ChatMessage]:
    out: list[ChatMessage] = [ChatSystemMessage(role='system', content=_text('agentcore default instructions')),
                              ChatUserMessage(role='user', content=_text(prompt))]
    for e in executed:
        out.append(ChatAssistantMessage(role='assistant', content=_text(''), tool_calls=[e.call]))
        out.append(ChatToolResultMessage(role='tool', content=_text(e.text), tool_call_id=e.call_id, tool_call=e.call,
                                         error=e.error))
    out.append(ChatAssistantMessage(role='assistant', content=_text(output or ''), tool_calls=None))
    return out

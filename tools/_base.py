"""The `Tool` seam: what the agent graph calls, whatever the tool is built from."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from agentcore._errors import AgentcoreError
from agentcore._messages import ToolSpec

if TYPE_CHECKING:
    from agentcore.memory import MemoryStore
    from agentcore.policy import Policy
    from agentcore.sandbox import Sandbox

#: What a tool may change in the world. `none`: pure; `sandbox`: only the run's sandbox; `external`: anything
#: outside (network, host files, other services) - never retried blindly after a crash.
SideEffects = Literal['none', 'sandbox', 'external']

#: Where a tool comes from: a typed Python function (`@tool`), agentcore's built-ins, a LangChain tool or an MCP
#: server. Policies use it (MCP tools are denied unless allowed).
ToolSource = Literal['python', 'builtin', 'langchain', 'mcp']


@dataclass
class ToolContext:
    """What a running tool may use. Built by the agent graph for each call."""

    run_id: str
    call_id: str
    #: The run's sandbox (`None` when the agent has none: sandboxed tools then fail with a `ToolError`).
    sandbox: Sandbox | None = None
    #: The agent's episodic memory, when it has one.
    memory: MemoryStore | None = None
    #: The run's policy (`http_fetch` asks it which domains it may reach); `None` outside a run.
    policy: Policy | None = None
    namespace: str = 'default'
    extra: dict[str, Any] = field(default_factory=dict)
    #: Called with `(stream, text)` ('stdout' or 'stderr') as output arrives, by tools that can stream it; the
    #: agent graph turns each call into a `ToolOutputDelta` event (and keeps the last of it in the effect ledger,
    #: so a resumed run can show what a call it lost had printed). `None` when nobody listens.
    on_output: Callable[[str, str], None] | None = None
    #: The call's idempotency key: the same for every attempt of this call (retries, and resumes in other
    #: processes), different for every other call. Empty when built: derived from `run_id` and `call_id` (see
    #: `idempotency_key`). Send it to services that deduplicate by key (`http_fetch` sends `Idempotency-Key`).
    idempotency_key: str = ''

    def __post_init__(self) -> None:
        if not self.idempotency_key:
            self.idempotency_key = idempotency_key(self.run_id, self.call_id)


def idempotency_key(run_id: str, call_id: str) -> str:
    """The idempotency key of call `call_id` of run `run_id`: `agentcore-` and 40 hex digits.

    The digits are the start of the SHA-256 of `run_id`, a NUL and `call_id`: stable (a pure function of the two
    ids, both kept in the run's checkpoint), printable ASCII of a fixed 50 characters (fits any header and the
    255-character limit of common payment APIs), and revealing neither id.
    """
    digest = hashlib.sha256(f'{run_id}\0{call_id}'.encode()).hexdigest()[:40]
    return f'agentcore-{digest}'


class ToolResult(BaseModel):
    """The outcome of one tool call.

    `content` is what the model sees (already bounded); `data` is structured detail (exit code, truncation flag...);
    `full_output` is the untruncated output, kept in the run store but never sent to the model.
    """

    content: str
    is_error: bool = False
    data: dict[str, Any] | None = None
    full_output: str | None = None


class ToolError(AgentcoreError):
    """A tool failed in a way the model should read and can react to (bad arguments, missing file...).

    `hint`, when set, says how to fix it.
    """


class Tool(ABC):
    """A tool the model can call.

    Subclasses set `name`, `description`, `side_effects` (and `source`, `idempotent`) and implement `parameters`
    and `run`.

    `idempotent`: running the call again with the same `ToolContext.idempotency_key` has no further effect (the
    tool, or the service it calls, deduplicates by the key). A resumed run then retries an `external` call that
    was cut off by a crash, instead of asking whether it may run again (see docs/durability.md).
    """

    name: str
    description: str = ''
    side_effects: SideEffects = 'none'
    source: ToolSource = 'python'
    idempotent: bool = False

    @property
    @abstractmethod
    def parameters(self) -> dict[str, Any]:
        """JSON schema (an object schema) of the tool's arguments."""

    @abstractmethod
    async def run(self, arguments: dict[str, Any], ctx: ToolContext) -> ToolResult:
        """Run the tool.

        Raises:
            ToolArgumentsError: the arguments fail the schema (says which argument and what was expected).
            ToolError: the tool failed in a way the model can act on.
        """

    def validate_arguments(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check arguments before the policy sees them; returns them (possibly coerced).

        The default accepts anything; tools with a typed schema override this.

        Raises:
            ToolArgumentsError: the arguments do not fit the schema.
        """
        return arguments

    def spec(self) -> ToolSpec:
        """What the model sees of this tool."""
        return ToolSpec(name=self.name, description=self.description, parameters=self.parameters)


class ToolArgumentsError(ToolError):
    """The model's arguments do not fit the tool's schema."""

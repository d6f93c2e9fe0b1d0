"""The scenario file format (version 1): pydantic models, validated on load, dumped as reviewable YAML.

A scenario holds the configuration an agent was recorded with, the recorded tool specs, and one or more runs (runs
share the sandbox and the memory store, so a later run can recall an earlier one). Each run holds its task, its
model turns (the request as the messages added since the previous turn, with the sha256 of the whole canonical
request, and the response), the tool calls of each turn with their results and sandbox effects, approval decisions,
memory reads and writes, the final outcome and the expectations checked on replay.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .._budget import Budget
from .._messages import Message, ToolCall, Usage

#: The current (and only) format version.
FORMAT_VERSION = 1
#: The sandbox image scenarios use unless they say otherwise.
DEFAULT_IMAGE = 'agentcore-sandbox:latest'
#: The name that stands for the knowledge tool in `config.tools` (it searches `config.knowledge`).
KNOWLEDGE_TOOL = 'search_knowledge'

_SHA256 = re.compile(r'^[0-9a-f]{64}$')
_NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$')


class _Strict(BaseModel):
    model_config = ConfigDict(extra='forbid')


class RecordedToolSpec(_Strict):
    """A tool as the model saw it, plus what the policy needs to know about it."""

    name: str
    description: str = ''
    parameters: dict[str, Any] = Field(default_factory=lambda: {'type': 'object', 'properties': {}})
    side_effects: Literal['none', 'sandbox', 'external'] = 'none'
    source: Literal['python', 'builtin', 'langchain', 'mcp'] = 'python'


class SandboxSpec(_Strict):
    """The sandbox the tools ran in: its image and the files seeded into the workspace (path -> text)."""

    image: str = DEFAULT_IMAGE
    files: dict[str, str] = Field(default_factory=dict)


class MemorySpec(_Strict):
    """Episodic memory for the runs: the backend name the agent saw and episodes seeded before the first run."""

    backend: Literal['local'] = 'local'
    seed: list[dict[str, Any]] = Field(default_factory=list)


class KnowledgeSpec(_Strict):
    """A knowledge base for the runs: documents (path -> text) ingested into a fresh local store before the first run.

    The paths are the documents' names in citations (`handbook/install.md, § Install [CHUNK_ID]`); their ending
    picks the parser (`.md` Markdown, `.html` HTML, else text). Ingestion is offline and deterministic (the
    default `HashEmbedder`), so `--verify` re-runs `search_knowledge` to the same passages and scores.
    """

    files: dict[str, str] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)


class WindowSpec(_Strict):
    """The recorded model's context window: replay trims each request to the same token budget as the recording.

    Requests are counted with agentcore's cheap estimate both when recording and on replay, so both trim alike.
    """

    max_input_tokens: int = Field(ge=1)
    max_tokens: int | None = Field(default=None, ge=1)


class ScenarioConfig(_Strict):
    """How the agent was configured. `instructions: null` means agentcore's current default prompt template.

    `output_schema`: the JSON Schema of the structured output the runs end with (`Agent(output_type=...)`,
    `agentcore record --output-schema`); the model is offered the `final_result` tool built from it.
    `knowledge`: the documents the `search_knowledge` tool searches (`agentcore record --knowledge DIR`).
    `window`: the recorded model's context window, when it is not agentcore's default for an unknown model
    (8192 tokens): each request is trimmed to fit it (`agentcore.ContextPolicy`), on replay as when recording.
    """

    model: str
    tools: list[str] = Field(default_factory=list)
    policy: dict[str, Any] | str | None = None
    sandbox: SandboxSpec | None = None
    budget: Budget | None = None
    memory: MemorySpec | None = None
    instructions: str | None = None
    namespace: str = 'default'
    max_parallel_tools: int = Field(default=4, ge=1)
    output_schema: dict[str, Any] | None = None
    knowledge: KnowledgeSpec | None = None
    window: WindowSpec | None = None

    @field_validator('output_schema')
    @classmethod
    def _valid_schema(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            from .._output_type import OutputSchema, OutputSchemaError

            try:
                OutputSchema(value)
            except OutputSchemaError as exc:
                raise ValueError(str(exc)) from None
        return value


class RecordedRequest(_Strict):
    """A model request.

    `sha256` is the digest of the whole canonical request (messages and tool specs); `messages` are the ones
    added since the previous turn's response (all of them when `restart` is set, and for the first turn).
    """

    sha256: str
    restart: bool = False
    messages: list[Message] = Field(default_factory=list)

    @field_validator('sha256')
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _SHA256.match(value):
            raise ValueError('expected 64 lower-case hex digits')
        return value


class RecordedResponse(_Strict):
    """What the model answered. `cost_usd: null`: the turn's cost was unknown (no price for the model)."""

    content: str = ''
    tool_calls: list[ToolCall] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float | None = 0.0
    model: str = ''

    def message(self) -> Message:
        return Message(role='assistant', content=self.content, tool_calls=list(self.tool_calls))


class RecordedError(_Strict):
    """An exception a model or tool raised: its class name, message and hint.

    `tool_error` is set when it was a `agentcore.tools.ToolError` (the model is shown those differently from other exceptions).
    """

    type: str
    message: str
    hint: str | None = None
    tool_error: bool = False


class RecordedResult(_Strict):
    """A tool's `ToolResult`, before guardrails and wrapping."""

    content: str
    is_error: bool = False
    data: dict[str, Any] | None = None
    full_output: str | None = None


class Effects(_Strict):
    """What a sandbox tool call did.

    Its exit code, output digests, and the workspace files it created or changed (path -> sha256) and deleted.
    """

    exit_code: int | None = None
    stdout_sha256: str | None = None
    stderr_sha256: str | None = None
    created: dict[str, str] = Field(default_factory=dict)
    changed: dict[str, str] = Field(default_factory=dict)
    deleted: list[str] = Field(default_factory=list)


class RecordedApproval(_Strict):
    """The decision given for a call the policy asked about."""

    kind: Literal['approve', 'edit', 'reject', 'abort']
    arguments: dict[str, Any] | None = None
    reason: str | None = None


class RecordedCall(_Strict):
    """One tool call of a turn: its approval (if asked), and, when it ran, its result or error and its effects."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    approval: RecordedApproval | None = None
    result: RecordedResult | None = None
    error: RecordedError | None = None
    effects: Effects | None = None

    @property
    def executed(self) -> bool:
        return self.result is not None or self.error is not None

    @model_validator(mode='after')
    def _one_outcome(self) -> RecordedCall:
        if self.result is not None and self.error is not None:
            raise ValueError('a call has a result or an error, not both')
        return self


class RecordedTurn(_Strict):
    """One model turn: the request, and the response (or the error the model raised), then the calls it made."""

    request: RecordedRequest
    response: RecordedResponse | None = None
    error: RecordedError | None = None
    calls: list[RecordedCall] = Field(default_factory=list)

    @model_validator(mode='after')
    def _one_outcome(self) -> RecordedTurn:
        if (self.response is None) == (self.error is None):
            raise ValueError('a turn needs exactly one of response or error')
        return self


class RecordedValidation(_Strict):
    """A tool's argument check that changed the arguments or refused them (identity checks are not recorded)."""

    tool: str
    arguments: dict[str, Any]
    coerced: dict[str, Any] | None = None
    error: str | None = None


class RecordedHit(_Strict):
    score: float
    episode: dict[str, Any]


class MemoryRecall(_Strict):
    """The memory search done before the first model turn."""

    query: str
    hits: list[RecordedHit] = Field(default_factory=list)
    error: str | None = None


class MemorySave(_Strict):
    """The episode saved at the end of the run (without its random id and timestamp)."""

    episode: dict[str, Any]


class RunOutcome(_Strict):
    """How the run ended."""

    status: str
    output: str | None = None
    stop_reason: str | None = None
    steps: int = 0
    tool_calls: int = 0


class OutputExpectation(_Strict):
    equals: str | None = None
    contains: list[str] = Field(default_factory=list)
    regex: str | None = None

    @field_validator('contains', mode='before')
    @classmethod
    def _one(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator('regex')
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f'not a valid regular expression: {exc}') from None
        return value


class Expectations(_Strict):
    """What must hold after the run. Unset fields are not checked."""

    status: str | None = None
    output: OutputExpectation | None = None
    tools_called: list[str] = Field(default_factory=list)
    tools_not_called: list[str] = Field(default_factory=list)
    denied: list[str] = Field(default_factory=list)
    no_policy_violations: bool = False
    files: list[str] = Field(default_factory=list)
    guardrail_flagged: list[str] = Field(default_factory=list)
    #: Fields of a structured output (JSON) and the values they must hold. A key is a path of object keys and
    #: list indexes joined by dots: `city`, `address.zip`, `tags.0`.
    output_fields: dict[str, Any] = Field(default_factory=dict)
    #: Citations the output must quote, each the citation (`FILE, § SECTION [CHUNK_ID]`, or its part before the
    #: chunk id) of a passage a `search_knowledge` call of the run returned: the answer is grounded in what it read.
    cites: list[str] = Field(default_factory=list)


class ScenarioRun(_Strict):
    """One agent run of the scenario. `model` names the run's model when it is not `config.model`."""

    run_id: str
    task: str
    model: str | None = None
    recall: MemoryRecall | None = None
    turns: list[RecordedTurn] = Field(default_factory=list)
    validations: list[RecordedValidation] = Field(default_factory=list)
    saved: MemorySave | None = None
    result: RunOutcome
    expect: Expectations = Field(default_factory=Expectations)


class Scenario(_Strict):
    """A recorded scenario (format version 1)."""

    version: Literal[1]
    name: str
    description: str = ''
    config: ScenarioConfig
    tools: list[RecordedToolSpec] = Field(default_factory=list)
    runs: list[ScenarioRun] = Field(min_length=1)

    @field_validator('name')
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError('use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit')
        return value

    @model_validator(mode='after')
    def _consistent(self) -> Scenario:
        names = [t.name for t in self.tools]
        if len(set(names)) != len(names):
            raise ValueError('tools: a tool name appears twice')
        run_ids = [r.run_id for r in self.runs]
        if len(set(run_ids)) != len(run_ids):
            raise ValueError('runs: a run_id appears twice')
        return self

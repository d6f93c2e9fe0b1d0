"""A scripted `ChatModel` for AgentDojo: it plays a task's ground truth and obeys every injection it can read."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from agentcore import Message, ModelRequest, ModelResponse, ToolCall, Usage
from agentcore._toolrun import DENIED
from agentcore.guardrails import Redactor

if TYPE_CHECKING:
    from agentdojo.functions_runtime import FunctionCall

#: What the model answers after obeying a denial-of-service injection (they all ask it to stop; `dos` says how).
DOS_ANSWER = 'asdf'
#: The final answer of a task whose ground truth has no expected output (AgentDojo then checks only the environment).
NO_OUTPUT_ANSWER = 'Done.'

Seen = Literal['visible', 'redacted']

_WORD = re.compile(r'[^\W_]+')
_OPEN = re.compile(r'\A<untrusted-data source="[^"]*"(?: id="[^"]*")?>\n?')
_CLOSE = re.compile(r'\n?</untrusted-data>\s*\Z')
_LOOKALIKE = re.compile(r'&lt;(\s*/?\s*untrusted[\s_-]*data)', re.IGNORECASE)
_YAML_ESCAPE = re.compile(r'\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)', re.DOTALL)
_YAML_SIMPLE = {'n': ' ', 't': ' ', 'r': ' ', '"': '"', '\\': '\\', '/': '/', ' ': ' ', '\n': ' '}
_QUARANTINED = 'was withheld as a suspected prompt injection'


def unwrap(content: str) -> str | None:
    """The body of an `<untrusted-data>` block as `wrap_untrusted` wrote it, escaping undone; `None` if not one."""
    head = _OPEN.match(content)
    if head is None:
        return None
    body = _CLOSE.sub('', content[head.end():])
    return _LOOKALIKE.sub(r'<\1', body)


def _unescape_yaml(text: str) -> str:
    """Text with the escapes of YAML's quoted styles undone (`\\n`, `\\xe9`, `''`), line breaks as spaces."""
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        if len(code) > 1:
            return chr(int(code[1:], 16))
        return _YAML_SIMPLE.get(code, code)

    return _YAML_ESCAPE.sub(one, text).replace("''", "'")


def words(text: str) -> str:
    """`text` as matching compares it: NFKC, case-folded, YAML escapes undone, its words joined by single spaces.

    Layout (YAML's line folding, indentation, quoting) drops out, so an injected string is found in a tool result
    however `tool_result_to_str` laid it out.
    """
    folded = unicodedata.normalize('NFKC', _unescape_yaml(text)).casefold()
    return ' ' + ' '.join(_WORD.findall(folded)) + ' '


@dataclass(frozen=True)
class Payload:
    """One injected string as the attack rendered it, in matching form, raw and as the redactor leaves it."""

    raw: str
    redacted: str | None

    @classmethod
    def of(cls, text: str, redactor: Redactor) -> Payload:
        redacted, findings = redactor.redact(text)
        raw = words(text)
        return cls(raw, words(redacted) if findings and words(redacted) != raw else None)

    def seen_in(self, text_words: str) -> Seen | None:
        """`visible` when the payload is in the text, `redacted` when only its redacted form is."""
        if len(self.raw) > 2 and self.raw in text_words:
            return 'visible'
        if self.redacted is not None and self.redacted in text_words:
            return 'redacted'
        return None


@dataclass
class ToolView:
    """What the model saw of one tool result."""

    call_id: str
    quarantined: bool
    seen: Seen | None


def _no_calls() -> list[FunctionCall]:
    return []


@dataclass
class Script:
    """What the model plays for one task: the user task's calls and answer, the attack's strings, what obeying does.

    `injection_calls` is called when the model obeys (a truth may depend on the environment at that moment);
    `injection_answer` is added to the final answer then (an injection task asking for words in the answer).
    """

    user_calls: list[FunctionCall]
    answer: str
    payloads: list[Payload] = field(default_factory=list)
    injection_calls: Callable[[], list[FunctionCall]] = _no_calls
    injection_answer: str = ''
    dos: bool = False


class ObeyingModel:
    """Plays the ground truth of the current task, one call a turn; obeys any injection it can read.

    After each turn's tool results, it looks for the attack's injected strings in every tool result it receives
    (the body of the `<untrusted-data>` block, escaping undone, compared word by word: see `words`). Once one is
    visible it obeys, once: its next turns make the injection task's ground-truth calls (and its answer gets the
    injection task's `GROUND_TRUTH_OUTPUT`, when it has one), then it carries on with the user task (as the attacks
    ask). An injection it sees only with values redacted (`[REDACTED:email]` where
    the attacker's address was) is obeyed with those values redacted in its calls too: it cannot use what it
    cannot read. A denial-of-service injection is obeyed by stopping: the final answer is `DOS_ANSWER` at once.
    The final answer is the user task's `GROUND_TRUTH_OUTPUT`, or `NO_OUTPUT_ANSWER` when that is empty.

    Call `begin` before each run; `views` then lists what it saw of each tool result, `obeyed` whether (and how) it
    obeyed, `denied` the calls the policy refused.
    """

    def __init__(self, name: str = 'agentdojo-scripted') -> None:
        self._name = name
        self._redactor = Redactor()
        self._script = Script([], NO_OUTPUT_ANSWER)
        self._queue: deque[FunctionCall] = deque()
        self._seen_messages = 0
        self._turn = 0
        self.views: list[ToolView] = []
        self.obeyed: Seen | None = None
        self.stopped = False
        #: The tools of the calls the policy denied, in order.
        self.denied: list[str] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def price_known(self) -> bool:
        return True

    def begin(self, script: Script) -> None:
        """Start a new run playing `script`."""
        self._script = script
        self._queue = deque(script.user_calls)
        self._seen_messages = 0
        self._turn = 0
        self.views = []
        self.obeyed = None
        self.stopped = False
        self.denied = []

    def payload(self, text: str) -> Payload:
        return Payload.of(text, self._redactor)

    def find(self, text: str) -> Seen | None:
        """Whether an injected string of the current script is in `text` (`visible`, `redacted` or `None`)."""
        text_words = words(text)
        found: Seen | None = None
        for p in self._script.payloads:
            seen = p.seen_in(text_words)
            if seen == 'visible':
                return seen
            found = found or seen
        return found

    def _look(self, messages: list[Message]) -> Seen | None:
        """Record the tool results not looked at yet; the strongest sighting of an injection among them."""
        best: Seen | None = None
        for m in messages[self._seen_messages:]:
            if m.role not in ('tool', 'user'):
                continue
            body = unwrap(m.content)
            if body is None:
                if m.role == 'tool' and m.content.startswith(DENIED):
                    self.denied.append(m.name or '')
                continue
            quarantined = body.startswith('[guardrail ') and _QUARANTINED in body[:400]
            seen = None if quarantined else self.find(body)
            if m.role == 'tool':
                self.views.append(ToolView(m.tool_call_id or '', quarantined, seen))
            if seen == 'visible' or (seen is not None and best is None):
                best = seen
        self._seen_messages = len(messages)
        return best

    async def complete(self, request: ModelRequest) -> ModelResponse:
        seen = self._look(request.messages)
        if seen is not None and self.obeyed is None:
            self.obeyed = seen
            if self._script.dos:
                self.stopped = True
                self._queue.clear()
            else:
                calls = self._script.injection_calls()
                if seen == 'redacted':
                    calls = [self._redacted(c) for c in calls]
                self._queue.extendleft(reversed(calls))
        self._turn += 1
        usage = Usage(input_tokens=10, output_tokens=5)
        if self._queue:
            call = self._queue.popleft()
            tool_call = ToolCall(id=f'call_{self._turn}', name=call.function,
                                 arguments=json.dumps(dict(call.args), default=str))
            message = Message(role='assistant', content='', tool_calls=[tool_call])
            return ModelResponse(message=message, usage=usage, cost_usd=0.0, model=self._name,
                                 finish_reason='tool_calls')
        answer = DOS_ANSWER if self.stopped else self._script.answer
        if self.obeyed is not None and not self.stopped and self._script.injection_answer:
            extra = self._script.injection_answer
            answer += '\n' + (self._redact(extra) if self.obeyed == 'redacted' else extra)
        return ModelResponse(message=Message(role='assistant', content=answer), usage=usage, cost_usd=0.0,
                             model=self._name, finish_reason='stop')

    def _redacted(self, call: FunctionCall) -> FunctionCall:
        return call.model_copy(update={'args': {k: self._redact(v) for k, v in call.args.items()}})

    def _redact(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._redactor.redact(value)[0]
        if isinstance(value, list):
            return [self._redact(v) for v in value]
        if isinstance(value, dict):
            return {k: self._redact(v) for k, v in value.items()}
        return value

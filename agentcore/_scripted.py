"""`ScriptedModel`: a deterministic, offline `ChatModel` that plays back a list of turns."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ._errors import AgentcoreError
from ._messages import Message, ModelRequest, ModelResponse, ToolCall, Usage
from ._model import ModelError


class ScriptError(AgentcoreError, ValueError):
    """A script file or turn list is invalid."""

    usage_error = True


class ScriptedCall(BaseModel):
    model_config = ConfigDict(extra='forbid')

    name: str
    arguments: dict[str, Any] | str = Field(default_factory=dict)
    id: str | None = None


class ScriptedTurn(BaseModel):
    """One scripted model turn. `arguments` given as a string are sent verbatim (to script malformed JSON).

    `cost_usd: null` scripts a turn whose cost is unknown (a model with no price).
    """

    model_config = ConfigDict(extra='forbid')

    content: str = ''
    tool_calls: list[ScriptedCall] = Field(default_factory=list)
    usage: Usage = Field(default_factory=lambda: Usage(input_tokens=10, output_tokens=5))
    cost_usd: float | None = 0.0


class _ScriptFile(BaseModel):
    model_config = ConfigDict(extra='forbid')

    name: str | None = None
    #: The context window the model reports (`None`: unknown, the agent assumes a conservative default).
    max_input_tokens: int | None = Field(default=None, gt=0)
    turns: list[ScriptedTurn]


class ScriptedModel:
    """Plays back scripted turns. Turn `i` answers the request that already holds `i` assistant messages.

    Serving by position in the conversation (not by a call counter) makes a scripted run resumable: after a crash
    or an approval pause the same turn is served again for the same conversation. Turns a context policy left
    out of the request count too (its marker says how many: `agentcore._context.omitted_turns`).

    Args:
        turns: turns as `ScriptedTurn`, dicts of the same shape, or plain strings (a final text answer).
        name: the model name reported in results.
        max_input_tokens: the context window to report (the agent's default context policy keeps within it).

    Raises:
        ScriptError: a turn is malformed.
    """

    def __init__(self, turns: Sequence[ScriptedTurn | dict[str, Any] | str], *, name: str = 'scripted',
                 max_input_tokens: int | None = None) -> None:
        self._turns = [_coerce_turn(t, i) for i, t in enumerate(turns)]
        self._name = name
        self.max_input_tokens = max_input_tokens
        self.requests: list[ModelRequest] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def price_known(self) -> bool:
        """Whether every turn's cost is known: true unless a turn is scripted with `cost_usd: null`."""
        return all(t.cost_usd is not None for t in self._turns)

    @property
    def turns(self) -> list[ScriptedTurn]:
        return list(self._turns)

    @classmethod
    def from_file(cls, path: str | Path) -> ScriptedModel:
        """Load a YAML or JSON script: `{name?, max_input_tokens?, turns: [{content?, tool_calls?: [{name, arguments}]}...]}`.

        Raises:
            ScriptError: unreadable file, bad syntax or a field that fails the schema (file and location given).
        """
        p = Path(path)
        try:
            text = p.read_text(encoding='utf-8')
        except OSError as exc:
            raise ScriptError(f'{p}: cannot read script: {exc.strerror or exc}') from None
        import yaml

        try:
            raw = json.loads(text) if p.suffix == '.json' else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise ScriptError(f'{p}: not valid {"JSON" if p.suffix == ".json" else "YAML"}: {" ".join(str(exc).split())}') from None
        if isinstance(raw, list):
            raw = {'turns': raw}
        try:
            spec = _ScriptFile.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = '.'.join(str(x) for x in err['loc'])
            raise ScriptError(f'{p}: {loc}: {err["msg"]}') from None
        return cls(spec.turns, name=spec.name or f'scripted:{p.name}', max_input_tokens=spec.max_input_tokens)

    async def complete(self, request: ModelRequest) -> ModelResponse:
        """Serve the turn for this conversation position.

        Raises:
            ModelError: the script has no turn for this position.
        """
        self.requests.append(request)
        from ._context import omitted_turns

        index = sum(1 for m in request.messages if m.role == 'assistant') + omitted_turns(request.messages)
        if index >= len(self._turns):
            raise ModelError(
                f'{self._name}: script exhausted after {len(self._turns)} turns',
                hint='add turns to the script, or give the agent a budget that ends the run sooner',
            )
        turn = self._turns[index]
        calls = [
            ToolCall(
                id=c.id or f'call_{index}_{j}',
                name=c.name,
                arguments=c.arguments if isinstance(c.arguments, str) else json.dumps(c.arguments, sort_keys=True),
            )
            for j, c in enumerate(turn.tool_calls)
        ]
        return ModelResponse(
            message=Message(role='assistant', content=turn.content, tool_calls=calls),
            usage=turn.usage,
            cost_usd=turn.cost_usd,
            model=self._name,
        )


def _coerce_turn(turn: ScriptedTurn | dict[str, Any] | str, index: int) -> ScriptedTurn:
    if isinstance(turn, ScriptedTurn):
        return turn
    if isinstance(turn, str):
        return ScriptedTurn(content=turn)
    try:
        return ScriptedTurn.model_validate(turn)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ScriptError(f'turn {index}: {".".join(str(x) for x in err["loc"])}: {err["msg"]}') from None

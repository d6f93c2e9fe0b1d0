"""Structured output: `Agent(output_type=T)` through a final-answer tool, its retries, and a typed `RunResult[T]`."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from agentcore import Agent, ModelProfile
from agentcore._messages import ModelRequest, ModelResponse
from agentcore._output_type import FINAL_TOOL, OutputSchema, OutputSchemaError
from agentcore.policy import Approve, Policy
from agentcore.testing import ScriptedModel
from tests._tools import add


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str
    population: int


@dataclasses.dataclass
class Point:
    x: float
    y: float


class Pet(TypedDict):
    name: str
    legs: int


class Cat(BaseModel):
    kind: str = 'cat'
    meows: bool


class Dog(BaseModel):
    kind: str = 'dog'
    barks: bool


def final(arguments: dict[str, Any] | str) -> dict[str, Any]:
    return {'tool_calls': [{'name': FINAL_TOOL, 'arguments': arguments}]}


PARIS = {'name': 'Paris', 'country': 'France', 'population': 2100000}


def test_pydantic_model_output_is_offered_as_a_tool_and_typed() -> None:
    model = ScriptedModel([final(PARIS)])
    agent = Agent(model=model, checkpointer='memory', output_type=City)
    result = agent.run('Which city is the capital of France?')
    assert result.status == 'completed'
    assert result.output == City(name='Paris', country='France', population=2100000)
    offered = {t.name: t for t in model.requests[0].tools}
    assert offered[FINAL_TOOL].parameters['properties'].keys() == {'name', 'country', 'population'}
    assert 'A city and its country.' in offered[FINAL_TOOL].description
    # the store keeps it as JSON; the ledger never shows the final-answer tool as a tool call
    assert json.loads(agent.store.get_run(result.run_id).output or '') == PARIS
    assert agent.store.tool_calls(result.run_id) == []
    kinds = [e['type'] for e in agent.store.events(result.run_id)]
    assert 'output_validated' in kinds and 'tool_call_started' not in kinds and 'policy_decision' not in kinds
    validated = next(e for e in agent.store.events(result.run_id) if e['type'] == 'output_validated')
    assert validated['output'] == PARIS and validated['retries'] == 0


def test_dataclass_output() -> None:
    result = Agent(model=ScriptedModel([final({'x': 1, 'y': 2.5})]), checkpointer='memory', output_type=Point).run('p')
    assert result.output == Point(x=1.0, y=2.5)


def test_typeddict_output() -> None:
    result = Agent(model=ScriptedModel([final({'name': 'Rex', 'legs': 4})]), checkpointer='memory',
                   output_type=Pet).run('a pet')
    assert result.output == {'name': 'Rex', 'legs': 4}


def test_union_output_is_wrapped_and_picks_the_matching_member() -> None:
    model = ScriptedModel([final({'response': {'kind': 'dog', 'barks': True}})])
    result = Agent[Cat | Dog](model=model, checkpointer='memory', output_type=Cat | Dog).run('an animal')
    assert result.output == Dog(barks=True)
    params = model.requests[0].tools[-1].parameters
    assert params['required'] == ['response'] and 'anyOf' in params['properties']['response']
    assert set(params['$defs']) == {'Cat', 'Dog'}


def test_scalar_output_is_wrapped() -> None:
    result = Agent(model=ScriptedModel([final({'response': 42})]), checkpointer='memory', output_type=int).run('n')
    assert result.output == 42


def test_str_output_type_keeps_the_text_answer() -> None:
    model = ScriptedModel(['plain text'])
    result = Agent(model=model, checkpointer='memory', output_type=str).run('hi')
    assert result.output == 'plain text' and model.requests[0].tools == []


def test_invalid_output_is_sent_back_naming_each_field_then_accepted() -> None:
    model = ScriptedModel([final({'name': 'Paris', 'population': 'many'}), final(PARIS)])
    agent = Agent(model=model, checkpointer='memory', output_type=City)
    result = agent.run('capital of France')
    assert result.status == 'completed' and result.output is not None and result.output.name == 'Paris'
    told = model.requests[1].messages[-1]
    assert told.role == 'tool' and told.name == FINAL_TOOL
    assert '`country`: Field required' in told.content and '`population`:' in told.content
    events = agent.store.events(result.run_id)
    assert [e['reason'] for e in events if e['type'] == 'turn_rejected'][0].startswith('invalid output:')
    assert next(e for e in events if e['type'] == 'output_validated')['retries'] == 1


def test_retries_exhausted_fail_the_run_with_a_clear_error() -> None:
    model = ScriptedModel([final({'name': 'Paris'})] * 3)
    agent = Agent(model=model, checkpointer='memory', output_type=City, output_retries=1)
    result = agent.run('capital of France')
    assert result.status == 'failed' and result.output is None
    assert result.steps == 2  # one try plus one retry
    assert result.error is not None and result.error.type == 'OutputValidationError'
    assert 'no valid structured output after 2 tries' in result.error.message and '`country`' in result.error.message
    assert result.error.hint and 'output_retries' in result.error.hint
    assert agent.store.get_run(result.run_id).status == 'failed'


def test_text_answer_when_structured_output_is_expected_is_malformed() -> None:
    model = ScriptedModel(['Paris, France', final(PARIS)])
    result = Agent(model=model, checkpointer='memory', output_type=City).run('capital of France')
    assert result.status == 'completed' and result.output == City(**PARIS)
    told = model.requests[1].messages[-1]
    assert told.role == 'user' and f'calling the {FINAL_TOOL} tool' in told.content


def test_text_answers_count_against_the_same_retry_bound() -> None:
    result = Agent(model=ScriptedModel(['no', 'still no', 'never']), checkpointer='memory',
                   output_type=City, output_retries=2).run('x')
    assert result.status == 'failed' and result.steps == 3
    assert result.error is not None and result.error.type == 'OutputValidationError'


def test_other_calls_in_the_turn_of_an_invalid_output_still_run() -> None:
    turn = {'tool_calls': [{'name': 'add', 'arguments': {'a': 1, 'b': 2}},
                           {'name': FINAL_TOOL, 'arguments': {'name': 'x'}}]}
    model = ScriptedModel([turn, final(PARIS)])
    result = Agent(model=model, tools=[add], checkpointer='memory', output_type=City).run('x')
    assert result.status == 'completed' and result.tool_calls == 1
    replies = {m.name: m.content for m in model.requests[1].messages if m.role == 'tool'}
    assert '3' in replies['add'] and 'invalid output' in replies[FINAL_TOOL]


def test_a_valid_final_result_ends_the_run_without_running_the_turns_other_calls() -> None:
    turn = {'tool_calls': [{'name': 'add', 'arguments': {'a': 1, 'b': 2}}, {'name': FINAL_TOOL, 'arguments': PARIS}]}
    agent = Agent(model=ScriptedModel([turn]), tools=[add], checkpointer='memory', output_type=City)
    result = agent.run('x')
    assert result.status == 'completed' and result.tool_calls == 0 and agent.store.tool_calls(result.run_id) == []


def test_tools_then_final_result() -> None:
    model = ScriptedModel([{'tool_calls': [{'name': 'add', 'arguments': {'a': 2, 'b': 3}}]}, final({'response': 5})])
    result = Agent(model=model, tools=[add], checkpointer='memory', output_type=int).run('2+3')
    assert (result.status, result.output, result.tool_calls) == ('completed', 5, 1)


def test_output_schema_validates_with_json_schema() -> None:
    schema = {'type': 'object', 'properties': {'city': {'type': 'string'}}, 'required': ['city'],
              'additionalProperties': False}
    model = ScriptedModel([final({'town': 'Paris'}), final({'city': 'Paris'})])
    result = Agent(model=model, checkpointer='memory', output_type=OutputSchema(schema)).run('x')
    assert result.output == {'city': 'Paris'}
    assert '`city`: field required' in model.requests[1].messages[-1].content


def test_bad_output_schema_and_bad_retries_are_refused() -> None:
    with pytest.raises(OutputSchemaError, match='not a valid JSON Schema'):
        OutputSchema({'type': 'no-such-type'})
    with pytest.raises(ValueError, match='output_retries'):
        Agent(model=ScriptedModel(['x']), output_type=City, output_retries=-1)


class _JsonModeModel(ScriptedModel):
    """A scripted model whose profile asks for the provider's JSON-schema mode."""

    profile = ModelProfile(structured_output='json_schema')

    async def complete(self, request: ModelRequest) -> ModelResponse:
        return await super().complete(request)


def test_json_schema_mode_takes_the_text_answer_as_the_output() -> None:
    model = _JsonModeModel(['{"name": "Paris"}', json.dumps(PARIS)])
    result = Agent(model=model, checkpointer='memory', output_type=City).run('x')
    assert result.output == City(**PARIS) and result.steps == 2
    assert 'Reply again with only a JSON object' in model.requests[1].messages[-1].content


def test_typed_output_survives_a_resume_from_a_checkpoint(tmp_path: Path) -> None:
    policy = Policy.from_dict({'version': 1, 'default': 'allow', 'rules': [{'tool': 'add', 'action': 'ask'}]})
    turns = [{'tool_calls': [{'name': 'add', 'arguments': {'a': 1, 'b': 1}}]}, final(PARIS)]
    db, store = tmp_path / 'cp.sqlite3', f'sqlite:///{tmp_path / "runs.sqlite3"}'

    def agent() -> Agent[City]:
        return Agent(model=ScriptedModel(turns), tools=[add], policy=policy, checkpointer=db, store=store,
                     output_type=City)

    paused = agent().run('x', run_id='r1')
    assert paused.status == 'awaiting_approval' and paused.output is None
    resumed = agent().resume('r1', Approve())  # a new agent, as a new process would build it
    assert resumed.status == 'completed' and resumed.output == City(**PARIS)
    again = agent().resume('r1')  # an ended run: its result is rebuilt from the checkpoint
    assert isinstance(again.output, City) and again.output == resumed.output


def test_fork_keeps_the_output_type(tmp_path: Path) -> None:
    turns = [{'tool_calls': [{'name': 'add', 'arguments': {'a': 1, 'b': 1}}]}, final(PARIS)]
    agent = Agent(model=ScriptedModel(turns), tools=[add], checkpointer=tmp_path / 'cp.sqlite3', output_type=City)
    first = agent.run('x')
    forked = agent.fork(first.run_id, at_step=1)
    assert agent.resume(forked).output == City(**PARIS)


TYPING = """
from agentcore import Agent, RunResult
from agentcore.testing import ScriptedModel
from tests.core.test_output_type import City

typed: RunResult[City] = Agent(ScriptedModel([]), output_type=City).run('x')
text: RunResult[str] = Agent(ScriptedModel([])).run('x')
if typed.output is not None:
    name: str = typed.output.name
wrong: RunResult[int] = Agent(ScriptedModel([]), output_type=City).run('x')
"""


@pytest.mark.slow
def test_run_result_is_typed_for_mypy(tmp_path: Path) -> None:
    source = tmp_path / 'typed_use.py'
    source.write_text(TYPING, encoding='utf-8')
    root = Path(__file__).parents[2]
    # the repository's own mypy cache (what `mypy --strict -p agentcore` leaves) makes this a few seconds
    out = subprocess.run([sys.executable, '-m', 'mypy', '--strict', '--follow-imports=silent', str(source)],
                         capture_output=True, text=True, cwd=root, timeout=600)
    errors = [line for line in out.stdout.splitlines() if ': error:' in line]
    # exactly one error: the RunResult[City] assigned to RunResult[int]
    assert len(errors) == 1 and 'typed_use.py:10' in errors[0] and 'RunResult[City]' in errors[0], out.stdout

from __future__ import annotations

import subprocess
import sys

import pytest

import agentcore.tui
from agentcore import Budget
from agentcore.tui import parse_arguments
from agentcore.tui._argcheck import check_against_schema
from agentcore.tui._diff import unified_to_rows
from agentcore.tui._format import describe, unwrap
from agentcore.tui._status import RunTally


def test_importing_agentcore_and_the_tui_package_does_not_import_textual() -> None:
    code = 'import sys, agentcore, agentcore.tui; print("textual" in sys.modules)'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == 'False'


def test_public_api_resolves() -> None:
    assert agentcore.tui.__all__ == sorted(agentcore.tui.__all__)
    for name in agentcore.tui.__all__:
        assert getattr(agentcore.tui, name) is not None
    with pytest.raises(AttributeError):
        agentcore.tui.NotAThing  # noqa: B018


def test_parse_arguments_errors_say_what_and_where() -> None:
    assert parse_arguments('{"a": 1}', 'add') == {'a': 1}
    with pytest.raises(ValueError, match=r'not valid JSON: Expecting value \(line 2, column 11\)'):
        parse_arguments('{"a":\n  1, "b": }', 'add')
    with pytest.raises(TypeError, match='must be a JSON object, not int'):
        parse_arguments('3', 'add')

    def refuse(tool: str, args: dict[str, object]) -> dict[str, object]:
        raise RuntimeError(f'{tool}: b is\n  required')

    with pytest.raises(ValueError, match='^add: b is required$'):
        parse_arguments('{}', 'add', refuse)


def test_schema_check() -> None:
    schema = {'type': 'object', 'properties': {'n': {'type': 'integer'}, 'x': {'anyOf': [{'type': 'number'},
              {'type': 'null'}]}, 'on': {'type': 'boolean'}}, 'required': ['n'], 'additionalProperties': False}
    check_against_schema(schema, {'n': 1, 'x': None, 'on': False})
    with pytest.raises(ValueError) as err:
        check_against_schema(schema, {'x': 'big', 'on': 1, 'extra': 2})
    assert str(err.value) == ("missing argument 'n'; unexpected argument 'extra'; 'x' should be number or null, "
                              "got string; 'on' should be boolean, got integer")
    with pytest.raises(ValueError, match="'n' should be integer, got boolean"):
        check_against_schema(schema, {'n': True})


def test_unified_diff_becomes_aligned_rows() -> None:
    diff = '--- recorded call\n+++ replayed call\n@@ -1,4 +1,4 @@\n {\n-  "b": 2,\n-  "c": 3\n+  "b": 1\n }'
    left, right, rows = unified_to_rows(diff)
    assert (left, right) == ('recorded call', 'replayed call')
    assert rows == [('@@ -1,4 +1,4 @@', '@@ -1,4 +1,4 @@', 'hunk'), ('{', '{', 'same'),
                    ('  "b": 2,', '  "b": 1', 'changed'), ('  "c": 3', '', 'removed'), ('}', '}', 'same')]


def test_event_formatting_and_tally() -> None:
    assert unwrap('<untrusted-data source="tool:x" id="1">\nhello\n</untrusted-data>') == 'hello'
    assert unwrap('plain') == 'plain'
    long = {'type': 'tool_call_finished', 'run_id': 'r', 'call_id': 'c', 'tool': 't', 'content': 'x' * 25_000}
    lines = [line.text for line in describe(long)]
    assert lines[0] == '  ↳ t ok:' and lines[-1].endswith('(5000 more characters; see `agentcore runs show`)')
    assert describe({'type': 'something_new', 'run_id': 'r'})[0].text.startswith('· something_new: ')

    tally = RunTally(Budget(max_steps=5, max_tool_calls=3, max_tokens=100, max_usd=0.5))
    tally.add({'type': 'model_turn_finished', 'step': 1, 'usage': {'input_tokens': 30, 'output_tokens': 10},
               'cost_usd': 0.125})
    tally.add({'type': 'tool_call_finished', 'tool': 't'})
    assert tally.budget_left() == '4 steps, 2 calls, 60 tokens, $0.3750'
    assert RunTally(None).budget_left() == 'unlimited'


def test_an_unknown_cost_shows_as_unknown_never_zero() -> None:
    turn = {'type': 'model_turn_finished', 'run_id': 'r', 'step': 1, 'content': '', 'cost_usd': None,
            'cost_known': False, 'usage': {'input_tokens': 3, 'output_tokens': 2}}
    assert describe(turn)[0].text == '◆ turn 1 · 3 in / 2 out tokens · cost unknown'
    finished = {'type': 'run_finished', 'run_id': 'r', 'status': 'stopped_by_loop', 'steps': 4, 'cost_usd': None,
                'cost_known': False, 'stop_reason': 'loop: t({}) failed 4 times with the same arguments'}
    lines = [line.text for line in describe(finished)]
    assert lines[0] == '■ run stopped_by_loop · 4 steps · 0 tokens · cost unknown' and lines[1].startswith('  loop:')
    tally = RunTally(Budget(max_steps=5, max_usd=0.5))
    tally.add({**turn, 'cost_usd': 0.1, 'cost_known': True})
    assert tally.cost_usd == 0.1
    tally.add({**turn, 'step': 2})
    assert tally.cost_usd is None and tally.budget_left() == '3 steps, cost unknown'
    tally.add({**turn, 'step': 3, 'cost_usd': 0.2, 'cost_known': True})
    assert tally.cost_usd is None  # once unknown, the total stays unknown
    tally.add(finished)
    assert (tally.cost_usd, tally.state) == (None, 'stopped_by_loop')

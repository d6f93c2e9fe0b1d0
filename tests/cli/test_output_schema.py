"""`agentcore run --output-schema FILE`: structured output printed as JSON, bad schema files, output that never fits."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Cli, write_script

SCHEMA = {'type': 'object', 'properties': {'city': {'type': 'string'}, 'population': {'type': 'integer'}},
          'required': ['city', 'population']}


def final(arguments: dict[str, object]) -> dict[str, object]:
    return {'tool_calls': [{'name': 'final_result', 'arguments': arguments}]}


def schema_file(workdir: Path, schema: object = SCHEMA, name: str = 'schema.json') -> str:
    path = workdir / name
    path.write_text(json.dumps(schema), encoding='utf-8')
    return str(path)


def test_output_schema_prints_the_json_output(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', final({'city': 'Paris'}), final({'city': 'Paris', 'population': 2}))
    r = cli('run', 'capital of France', '--model', model, '--output-schema', schema_file(workdir))
    assert r.code == 0, r.err
    assert r.json() == {'city': 'Paris', 'population': 2}
    r = cli('run', 'capital of France', '--model', model, '--output-schema', schema_file(workdir), '--json')
    assert r.code == 0 and r.json()['output'] == {'city': 'Paris', 'population': 2}


def test_output_that_never_validates_exits_1_with_the_reason(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', *[final({'city': 'Paris'})] * 3)
    r = cli('run', 'x', '--model', model, '--output-schema', schema_file(workdir))
    assert r.code == 1 and r.out == ''
    assert 'no valid structured output after 3 tries' in r.err and '`population`: field required' in r.err


def test_bad_schema_files_give_one_line_and_exit_2(cli: Cli, workdir: Path) -> None:
    model = write_script(workdir / 'm.yaml', 'hi')
    r = cli('run', 'x', '--model', model, '--output-schema', str(workdir / 'missing.json'))
    assert r.code == 2 and 'missing.json' in r.error_line
    broken = workdir / 'broken.json'
    broken.write_text('{"type": ', encoding='utf-8')
    r = cli('run', 'x', '--model', model, '--output-schema', str(broken))
    assert r.code == 2 and 'broken.json: not valid JSON' in r.error_line
    r = cli('run', 'x', '--model', model, '--output-schema', schema_file(workdir, ['a'], 'list.json'))
    assert r.code == 2 and 'list.json: a JSON Schema must be an object' in r.error_line
    r = cli('run', 'x', '--model', model, '--output-schema', schema_file(workdir, {'type': 'nope'}, 'bad.json'))
    assert r.code == 2 and 'bad.json: not a valid JSON Schema at type' in r.error_line


def test_resume_keeps_the_output_schema(cli: Cli, workdir: Path) -> None:
    note = {'tool_calls': [{'name': 'write_note', 'arguments': {'path': 'a', 'text': 'b'}}]}
    model = write_script(workdir / 'm.yaml', note, final({'city': 'Paris', 'population': 2}))
    r = cli('run', 'x', '--model', model, '--tools', 'tests._tools:write_note', '--policy', 'policy.yaml',
            '--output-schema', schema_file(workdir), '--json')
    assert r.code == 0 and r.json()['status'] == 'awaiting_approval'
    r = cli('resume', r.json()['run_id'], '--approve')
    assert r.code == 0, r.err
    assert r.json() == {'city': 'Paris', 'population': 2}

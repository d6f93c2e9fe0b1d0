from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from agentcore.scenarios import load_scenario
from tests.scenarios._helpers import LOOKUP, ROOT, SHIPPED

#: Runs the CLI in-process in a fresh interpreter and reports, after it exits, whether litellm was imported.
_PROBE = """
import atexit, json, sys
atexit.register(lambda: print('PROBE' + json.dumps({'litellm': 'litellm' in sys.modules}), file=sys.stderr))
sys.argv = ['agentcore', *sys.argv[1:]]
from agentcore.cli import main
main()
"""


def agentcore(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])}
    return subprocess.run(
        [sys.executable, '-c', _PROBE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )


def probe(proc: subprocess.CompletedProcess[str]) -> dict[str, bool]:
    line = next(x for x in proc.stderr.splitlines() if x.startswith('PROBE'))
    return dict(json.loads(line.removeprefix('PROBE')))


def test_replay_folder_passes_without_importing_litellm(tmp_path: Path) -> None:
    junit = tmp_path / 'junit.xml'
    proc = agentcore('replay', '-j', '2', '--junit', str(junit))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert probe(proc) == {'litellm': False}
    lines = proc.stdout.splitlines()
    assert sum(line.startswith('PASS ') for line in lines) == len(list(SHIPPED.glob('*.yaml')))
    assert lines[-1].startswith(f'{len(list(SHIPPED.glob("*.yaml")))} passed, 0 failed, 0 bad input')
    suite = ET.parse(junit).getroot()
    assert suite.get('failures') == '0' and suite.get('errors') == '0'


def test_help_does_not_import_litellm() -> None:
    for args in (('--help',), ('replay', '--help'), ('record', '--help')):
        proc = agentcore(*args)
        assert proc.returncode == 0, proc.stderr
        assert probe(proc) == {'litellm': False}, args


def test_record_then_replay_through_the_cli(tmp_path: Path) -> None:
    script = tmp_path / 'script.yaml'
    script.write_text('turns:\n  - tool_calls: [{name: lookup, arguments: {key: colour}}]\n  - content: It is teal.\n')
    out = tmp_path / 'colour.yaml'
    args = ['record', 'colour', 'What colour is it?', '-m', f'scripted:{script}', '-t', LOOKUP, '--out', str(out)]
    proc = agentcore(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f'recorded 1 run to {out}' in proc.stdout
    scenario = load_scenario(out)
    assert scenario.runs[0].result.output == 'It is teal.' and scenario.config.tools == [LOOKUP]
    assert scenario.runs[0].expect.tools_called == ['lookup']
    proc = agentcore('replay', str(out), '--json', cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report['summary']['passed'] == 1 and report['results'][0]['runs'][0]['output'] == 'It is teal.'
    assert probe(proc) == {'litellm': False}


def test_exit_codes_failure_and_bad_input(tmp_path: Path, shipped_copy: Path) -> None:
    target = shipped_copy / 'denied-tool.yaml'
    target.write_text(
        target.read_text().replace(
            'equals: The workspace holds a.txt and b.txt.', 'equals: The workspace holds a.txt, b.txt.'
        )
    )
    proc = agentcore('replay', str(target))
    assert proc.returncode == 1
    assert proc.stdout.startswith(f'FAIL {target}') and 'output.equals' in proc.stdout
    bad = shipped_copy / 'bad.yaml'
    bad.write_text('version: 1\nname: bad\nconfig:\n  model: x\n  tools: 7\nruns: []\n')
    proc = agentcore('replay', str(shipped_copy))
    assert proc.returncode == 2
    error = next(line for line in proc.stdout.splitlines() if line.startswith('ERROR '))
    assert error == f'ERROR {bad}:5:10: config.tools: Input should be a valid list, got 7 (and 1 more problem)'
    shipped = len(list(SHIPPED.glob('*.yaml')))  # all pass but the edited one; bad.yaml is not shipped
    assert 'FAIL' in proc.stdout and proc.stdout.count('PASS ') == shipped - 1
    proc = agentcore('replay', str(tmp_path / 'missing'))
    assert proc.returncode == 2 and 'agentcore: error: ' in proc.stderr and 'no such file or folder' in proc.stderr
    assert 'Traceback' not in proc.stderr


@pytest.mark.parametrize(
    ('flag', 'message'),
    [('--approve=maybe', 'expected approve, reject'), ('--approve=edit:[1]', 'edit needs a JSON object')],
)
def test_record_rejects_bad_options(tmp_path: Path, flag: str, message: str) -> None:
    proc = agentcore('record', 'x', 'task', '-m', 'scripted:none.yaml', flag, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr
    assert not (tmp_path / 'scenarios').exists()

"""`--verify`: tools re-executed in real Docker sandboxes (no fakes), results and effects compared."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

import pytest

from agentcore.scenarios import areplay_paths, load_scenario, record, replay_scenario, save_scenario
from agentcore.testing import ScriptedModel
from tests.scenarios._helpers import SHIPPED, calls

pytestmark = pytest.mark.docker


def test_every_shipped_scenario_passes_with_real_sandboxes() -> None:
    report = asyncio.run(areplay_paths([SHIPPED], verify=True, jobs=2))
    failed = [r.describe() for r in report.results if not r.passed]
    assert not failed, '\n'.join(failed)
    assert report.exit_code == 0 and all(r.mode == 'verify' for r in report.results)


def test_recording_captures_sandbox_effects(tmp_path: Path) -> None:
    content = 'print(sum(range(10)))\n'
    model = ScriptedModel(
        [
            calls(('write_file', {'path': 'src/sum.py', 'content': content})),
            calls(('shell', {'command': 'python3 src/sum.py && rm src/sum.py && echo gone > log.txt'})),
            'It printed 45.',
        ]
    )
    scenario = record('effects', ['sum the first ten numbers'], model=model, tools=['write_file', 'shell'])
    (write,), (shell,) = (t.calls for t in scenario.runs[0].turns[:2])
    assert write.effects is not None and shell.effects is not None
    assert write.effects.created == {'src/sum.py': hashlib.sha256(content.encode()).hexdigest()}
    assert shell.effects.exit_code == 0 and shell.effects.deleted == ['src/sum.py']
    assert shell.effects.created == {'log.txt': hashlib.sha256(b'gone\n').hexdigest()}
    assert shell.effects.stdout_sha256 == hashlib.sha256(b'45\n').hexdigest()
    assert scenario.runs[0].expect.files == ['log.txt']
    path = save_scenario(scenario, tmp_path / 'effects.yaml')
    assert replay_scenario(path).passed and replay_scenario(path, verify=True).passed


def test_verify_reports_changed_results_and_effects(tmp_path: Path) -> None:
    path = tmp_path / 'data-analysis.yaml'
    path.write_text((SHIPPED / 'data-analysis.yaml').read_text().replace('east,gadget,1,10.00', 'east,gadget,2,10.00'))
    assert load_scenario(path).config.sandbox is not None
    assert replay_scenario(path).passed  # served from the recording: the seed file is not read
    result = replay_scenario(path, verify=True)
    assert result.status == 'failed'
    first = result.divergences[0]
    assert first.kind == 'tool_result' and first.where == 'call call_0_0 (python)'
    assert '-east: 60.00' in first.diff and '+east: 70.00' in first.diff
    kinds = {d.kind for d in result.divergences}
    assert {'tool_result', 'effects', 'model_request'} <= kinds
    effects = next(d for d in result.divergences if d.kind == 'effects')
    assert 'stdout_sha256' in effects.diff

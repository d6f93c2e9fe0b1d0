"""Scenarios with a knowledge base: `config.knowledge`, the `search_knowledge` tool, `cites` expectations, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from agentcore.scenarios import ScenarioError, knowledge_files, load_scenario, record, replay_scenario, save_scenario
from agentcore.testing import ScriptedModel
from tests.scenarios._helpers import ROOT, SHIPPED, calls

DOCS = {
    'guide/install.md': '# Install\n\nThe service runs on Debian 12.\n\n## From source\n\nRun make wheel.\n',
    'guide/backups.md': '# Backups\n\nNightly at 02:00 UTC.\n\n## Restoring\n\nStop the API, run restore-db.\n',
}
SEARCH = ('search_knowledge', {'query': 'restore a backup', 'k': 2})


def _citation(query: str = 'restore a backup') -> str:
    """The citation `search_knowledge` gives the Restoring section (ids depend only on the scenario paths)."""
    import asyncio

    from agentcore.scenarios._knowledge import open_scenario_knowledge

    async def first() -> str:
        store = await open_scenario_knowledge(DOCS)
        try:
            return str((await store.asearch(query, k=1))[0].citation)
        finally:
            store.close()

    return asyncio.run(first())


def _record(tmp_path: Path, answer: str) -> Path:
    model = ScriptedModel([calls(SEARCH), answer], name='scripted:kb')
    scenario = record('kb', ['How do I restore a backup?'], model=model, knowledge_files=DOCS)
    return save_scenario(scenario, tmp_path / 'kb.yaml')


def test_a_recorded_knowledge_run_cites_by_scenario_path_and_replays_and_verifies(tmp_path: Path) -> None:
    cite = _citation()
    assert cite.startswith('guide/backups.md, § Backups > Restoring [')
    path = _record(tmp_path, f'Stop the API, run restore-db ({cite}).')
    scenario = load_scenario(path)
    assert scenario.config.tools == ['search_knowledge']  # added for the knowledge files
    assert scenario.config.knowledge is not None and scenario.config.knowledge.files == DOCS
    assert [t.name for t in scenario.tools] == ['search_knowledge']
    run = scenario.runs[0]
    result = run.turns[0].calls[0].result
    assert result is not None and result.content.startswith(f'[1] {cite} (score ')
    assert run.expect.tools_called == ['search_knowledge'] and run.expect.cites == [cite]
    assert replay_scenario(path).status == 'passed'
    verified = replay_scenario(path, verify=True)  # re-ingested and searched again: the same passages
    assert verified.status == 'passed', verified.describe()


def test_a_citation_without_its_chunk_id_is_derived_as_file_and_section(tmp_path: Path) -> None:
    path = _record(tmp_path, 'Stop the API, run restore-db (guide/backups.md, § Backups > Restoring).')
    assert load_scenario(path).runs[0].expect.cites == ['guide/backups.md, § Backups > Restoring']
    assert replay_scenario(path).status == 'passed'


def test_cites_that_are_not_quoted_or_were_not_retrieved_are_reported(tmp_path: Path) -> None:
    path = _record(tmp_path, f'Stop the API, run restore-db ({_citation()}).')
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    data['runs'][0]['expect']['cites'] = ['guide/install.md, § Install', 'Stop the API']
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding='utf-8')
    result = replay_scenario(path)
    assert result.status == 'failed'
    assert sorted(d.message for d in result.divergences if d.kind == 'expectation') == [
        "cites: 'Stop the API' is not the citation of a passage search_knowledge returned",
        "cites: 'guide/install.md, § Install' is not in the output",
    ]


def test_verify_reports_a_changed_document(tmp_path: Path) -> None:
    path = _record(tmp_path, f'Stop the API, run restore-db ({_citation()}).')
    data = yaml.safe_load(path.read_text(encoding='utf-8'))
    files = data['config']['knowledge']['files']
    files['guide/backups.md'] = files['guide/backups.md'].replace('run restore-db', 'run restore-db --snapshot')
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding='utf-8')
    assert replay_scenario(path).status == 'passed'  # results served from the recording
    verified = replay_scenario(path, verify=True)
    assert verified.status == 'failed'
    assert [d.kind for d in verified.divergences][:1] == ['tool_result']


def test_search_knowledge_without_documents_and_bad_documents_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r'config\.tools\[0\]: search_knowledge needs documents'):
        record('kb', ['x'], model=ScriptedModel(['x']), tools=['search_knowledge'])
    with pytest.raises(ScenarioError, match=r'config\.knowledge\.files: .*relative path'):
        record('kb', ['x'], model=ScriptedModel(['x']), knowledge_files={'../up.md': '# Up\n'})
    with pytest.raises(ScenarioError, match=r'cannot ingest notes\.bin'):
        record('kb', ['x'], model=ScriptedModel(['x']), knowledge_files={'notes.bin': 'text'})
    with pytest.raises(ScenarioError, match='holds no document'):
        knowledge_files(tmp_path)


def test_knowledge_files_reads_a_folder_by_relative_path(tmp_path: Path) -> None:
    for rel, text in DOCS.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding='utf-8')
    (tmp_path / 'guide' / 'image.png').write_bytes(b'\x89PNG')
    assert knowledge_files(tmp_path) == dict(sorted(DOCS.items()))


def test_the_shipped_knowledge_scenario_cites_the_handbook() -> None:
    path = SHIPPED / 'knowledge-citations.yaml'
    scenario = load_scenario(path)
    assert scenario.config.knowledge is not None
    assert scenario.config.knowledge.files == knowledge_files(SHIPPED / 'knowledge')
    expect = scenario.runs[0].expect
    assert expect.tools_called == ['search_knowledge']
    assert [c.split(' [')[0] for c in expect.cites] == ['backups.md, § Backups', 'backups.md, § Backups > Restoring']
    assert all(c in (scenario.runs[0].result.output or '') for c in expect.cites)
    assert replay_scenario(path, verify=True).status == 'passed'


def _handbook(tmp_path: Path) -> Path:
    docs = tmp_path / 'handbook'
    for rel, text in DOCS.items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding='utf-8')
    return docs


def test_agentcore_run_with_knowledge_gives_the_agent_search_knowledge(tmp_path: Path) -> None:
    docs = _handbook(tmp_path)
    script = tmp_path / 'model.yaml'
    turns = [calls(SEARCH), {'content': 'See the Restoring section.'}]
    script.write_text(yaml.safe_dump({'turns': turns}), encoding='utf-8')
    env = {**os.environ, 'AGENTCORE_HOME': str(tmp_path / 'home'), 'PYTHONPATH': str(ROOT)}
    base = [sys.executable, '-m', 'agentcore', 'run', '-m', f'scripted:{script}', '--no-memory', '--knowledge']
    proc = subprocess.run([*base, str(docs), '--json', 'How do I restore a backup?'], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=240)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json.loads(proc.stdout)
    assert (result['status'], result['tool_calls'], result['output']) == ('completed', 1, 'See the Restoring section.')
    missing = subprocess.run([*base, str(tmp_path / 'nope'), 'x'], cwd=tmp_path, env=env, capture_output=True,
                             text=True, timeout=240)  # fmt: skip
    assert missing.returncode == 2 and '--knowledge' in missing.stderr and 'no such file' in missing.stderr


def test_the_knowledge_option_ingests_per_run_and_the_tool_name_alone_opens_the_settings_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    from agentcore.cli._build import build_agent

    monkeypatch.setenv('AGENTCORE_HOME', str(tmp_path / 'home'))
    monkeypatch.delenv('AGENTCORE_WEAVIATE_URL', raising=False)
    docs = _handbook(tmp_path)
    script = tmp_path / 'model.yaml'
    script.write_text(yaml.safe_dump({'turns': [{'content': 'done'}]}), encoding='utf-8')
    agent = build_agent(model=f'scripted:{script}', tools=['read_file'], policy=None, max_steps=None, memory=False,
                        knowledge=[str(docs)])  # fmt: skip
    assert [t.name for t in agent.tools] == ['read_file', 'search_knowledge']
    assert agent.run_metadata['cli']['knowledge'] == [str(docs.resolve())]
    store = agent.tools[1].store
    hits = asyncio.run(store.asearch('restore a backup', k=1))
    assert str(hits[0].citation).startswith(f'{(docs / "guide" / "backups.md").as_posix()}, § Backups > Restoring [')
    store.close()
    plain = build_agent(
        model=f'scripted:{script}', tools=['search_knowledge'], policy=None, max_steps=None, memory=False
    )
    assert plain.tools[0].store.describe()['path'] == str(tmp_path / 'home' / 'knowledge' / 'knowledge.sqlite3')
    plain.tools[0].store.close()

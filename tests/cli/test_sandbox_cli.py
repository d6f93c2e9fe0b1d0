from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console

from agentcore.cli import _sandbox

from .conftest import Cli

TEST_TAG = 'agentcore-sandbox:cli-json-test'


def _rows(table: str) -> dict[str, list[str]]:
    """Body rows of a rich table, keyed by their first cell."""
    rows = [[cell.strip() for cell in line.strip('│ ').split('│')] for line in table.splitlines() if line.startswith('│')]
    return {row[0]: row[1:] for row in rows}


@pytest.fixture
def docker_api() -> Any:
    from agentcore.sandbox._engine import docker_client

    return docker_client().api


@pytest.fixture
def test_tag(docker_api: Any) -> Iterator[str]:
    """A tag of its own for build tests (removed afterwards; untagging never touches the real image)."""
    yield TEST_TAG
    if docker_api.images(name=TEST_TAG):
        docker_api.remove_image(TEST_TAG)


@pytest.mark.docker
def test_sandbox_doctor_table_and_json(cli: Cli) -> None:
    r = cli('sandbox', 'doctor', '--no-smoke')
    rows = _rows(r.out)
    assert r.code == 0, r.out
    assert [rows[name][0] for name in ('engine', 'limits', 'image')] == ['ok', 'ok', 'ok']
    assert r.out.startswith('┏') and r.out.splitlines()[-1] == 'all required checks passed'
    r = cli('sandbox', 'doctor', '--no-smoke', '--json')
    data = r.json()
    assert r.code == 0 and data['ok'] is True and data['image'] == 'agentcore-sandbox:latest'
    checks = {c['name']: c for c in data['checks']}
    assert list(checks)[:3] == ['engine', 'limits', 'image'] and 'sandbox' not in checks
    assert all(checks[n]['ok'] and checks[n]['problem'] is None and checks[n]['fix'] is None
               for n in ('engine', 'limits', 'image'))
    assert checks['engine']['detail'].startswith('Docker ') and checks['engine']['required'] is True


@pytest.mark.docker
def test_sandbox_doctor_reports_a_missing_image_with_its_fix(cli: Cli) -> None:
    r = cli('sandbox', 'doctor', '--no-smoke', '--image', 'agentcore-no-such-image:0')
    assert r.code == 1 and _rows(r.out)['image'][:1] == ['FAIL'] and 'agentcore sandbox build' in r.out
    assert r.out.splitlines()[-1] == 'failed: image'
    r = cli('sandbox', 'doctor', '--no-smoke', '--image', 'agentcore-no-such-image:0', '--json')
    data = r.json()
    image = next(c for c in data['checks'] if c['name'] == 'image')
    assert r.code == 1 and data['ok'] is False
    assert image == {'name': 'image', 'ok': False, 'required': True, 'fix': 'agentcore sandbox build',
                     'detail': image['problem'], 'problem': 'agentcore-no-such-image:0 is not present '
                     '(nothing is pulled implicitly)'}  # fmt: skip


@pytest.mark.docker
def test_sandbox_build_json_progress_and_up_to_date(
    cli: Cli, test_tag: str, docker_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = cli('sandbox', 'build', '--quiet')  # .ci/setup built it: nothing to do
    assert r.code == 0 and r.out.startswith('agentcore-sandbox:latest is up to date') and r.err == ''
    r = cli('sandbox', 'build', '--json')
    latest = r.json()
    assert r.code == 0 and r.err == ''
    assert latest == {'tag': 'agentcore-sandbox:latest', 'method': 'existing', 'built': False, 'base': None,
                      'image_id': docker_api.inspect_image('agentcore-sandbox:latest')['Id'],
                      'duration_s': latest['duration_s']}  # fmt: skip
    r = cli('sandbox', 'build', '--tag', test_tag, '--force', '--json')
    built = r.json()
    assert r.code == 0 and r.err == '', r.err
    assert built['tag'] == test_tag and built['built'] is True and built['method'] in ('dockerfile', 'debootstrap')
    assert built['image_id'] == docker_api.inspect_image(test_tag)['Id'] and built['duration_s'] > 0
    assert built['base'] == 'debian:bookworm-slim' or built['base'].startswith('agentcore-sandbox-base:')
    r = cli('sandbox', 'build', '--tag', test_tag, '--json')
    again = r.json()
    assert r.code == 0 and (again['method'], again['built'], again['image_id']) == ('existing', False,
                                                                                    built['image_id'])
    # On a terminal the phases show as a progress display on stderr, instead of the build log.
    screen = io.StringIO()
    monkeypatch.setattr(_sandbox, 'progress_console', lambda: Console(file=screen, force_terminal=True, width=120))
    r = cli('sandbox', 'build', '--tag', test_tag, '--force')
    assert r.code == 0 and r.out.startswith(f'built {test_tag} (') and r.err == ''
    assert 'building the image' in screen.getvalue() and 'done' in screen.getvalue()


def test_build_progress_shows_phases_and_docker_steps() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, color_system=None)
    with _sandbox._BuildProgress(console) as shown:
        shown.line('ignored: no phase yet')
        shown.phase('import')
        shown.line('importing rootfs.tar as base [not markup]')
        shown.phase('build')
        shown.line('Step 1/4 : ARG BASE')
        shown.line('Step 3/4 : RUN useradd')
        progress = shown._progress
        build = progress.tasks[-1]
        assert (build.completed, build.total, build.fields['line']) == (2, 4, 'Step 3/4 : RUN useradd')
    assert [(t.description, t.finished) for t in progress.tasks] == [
        ('importing the root filesystem', True), ('building the image', True)]
    assert progress.tasks[-1].completed == 4 and 'ignored' not in screen.getvalue()
    failing = _sandbox._BuildProgress(Console(file=io.StringIO(), force_terminal=True))
    with pytest.raises(RuntimeError), failing:
        failing.phase('debootstrap')
        raise RuntimeError('debootstrap failed')
    task = failing._progress.tasks[0]
    assert not task.finished and task.fields['line'] == 'failed'


@pytest.mark.docker
def test_sandbox_prune_json_and_table(cli: Cli, docker_api: Any) -> None:
    from agentcore.sandbox._lifecycle import LABEL, owner_labels

    labels = {**owner_labels(), f'{LABEL}.pid': '999999999', f'{LABEL}.pid-start': ''}  # an owner that is gone
    orphan = docker_api.create_container('agentcore-sandbox:latest', command=['true'], labels=labels)['Id']
    try:
        r = cli('sandbox', 'prune', '--dry-run', '--json')
        data = r.json()
        mine = [c for c in data['removed'] if c['id'] == orphan[:12]]
        assert r.code == 0 and data['dry_run'] is True and data['all'] is False
        assert mine == [{'id': orphan[:12], 'name': mine[0]['name'], 'image': 'agentcore-sandbox:latest',
                         'state': 'created', 'owner_pid': '999999999', 'created': labels[f'{LABEL}.created']}]
        assert docker_api.containers(all=True, filters={'id': orphan})
        r = cli('sandbox', 'prune', '--dry-run')
        assert r.code == 0 and r.out.startswith('would remove ') and _rows(r.out)[orphan[:12]][0] == mine[0]['name']
        r = cli('sandbox', 'prune', '--json')
        assert r.code == 0 and r.json()['dry_run'] is False and orphan[:12] in [c['id'] for c in r.json()['removed']]
        assert not docker_api.containers(all=True, filters={'id': orphan})
    finally:
        if docker_api.containers(all=True, filters={'id': orphan}):
            docker_api.remove_container(orphan, force=True)
    r = cli('sandbox', 'prune', '--dry-run', '--json')
    assert r.code == 0 and orphan[:12] not in [c['id'] for c in r.json()['removed']]


def test_sandbox_bad_input(cli: Cli) -> None:
    r = cli('sandbox', 'build', '--method', 'nope')
    assert r.code == 2 and "unknown method 'nope'; use auto, dockerfile or debootstrap" in r.error_line
    r = cli('sandbox', 'build', '--tag', 'Bad:Tag::', '--json')
    assert r.code == 2 and r.out == '' and "--tag: 'Bad:Tag::' is not a valid image reference" in r.error_line
    r = cli('sandbox', 'doctor', '--image', 'no such image')
    assert r.code == 2 and r.out == '' and '--image' in r.error_line
    r = cli('sandbox', 'exec', '--image', 'UPPER:case', 'true')
    assert r.code == 2 and '--image' in r.error_line
    r = cli('sandbox', 'prune', '--everything')
    assert r.code == 2 and '--everything' in r.error_line
    r = cli('sandbox', 'exec', 'true', '--timeout', 'soon')
    assert r.code == 2 and '--timeout' in r.error_line

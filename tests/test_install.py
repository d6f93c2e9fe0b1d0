"""agentcore installs cleanly into a user's project: a wheel built offline, a fresh venv, a project of its own.

The wheel is built from a copy of the working tree (so a stale `build/` in the repository cannot leak old files
into it) with the build backend already installed here (`--no-build-isolation --no-index`: no network), installed
into a venv that reuses this environment's dependencies (`--system-site-packages`), and used from a project folder
that has its own `tools`, `memory` and `sandbox` packages first on `sys.path`. This environment has agentcore
installed in editable mode too; every check asserts that the venv imports the wheel's copy, not the repository.
"""

from __future__ import annotations

import configparser
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SUBPACKAGES = ('tools', 'memory', 'sandbox')
#: Files the wheel must ship: each subpackage, the typing markers and the package data the runtime reads.
REQUIRED_FILES = (
    'agentcore/__init__.py',
    'agentcore/py.typed',
    'agentcore/tools/__init__.py',
    'agentcore/tools/py.typed',
    'agentcore/memory/__init__.py',
    'agentcore/memory/py.typed',
    'agentcore/knowledge/__init__.py',
    'agentcore/knowledge/py.typed',
    'agentcore/sandbox/__init__.py',
    'agentcore/sandbox/py.typed',
    'agentcore/sandbox/Dockerfile',
    'agentcore/policy/examples/default.yaml',
)
#: What the copy of the working tree leaves out: VCS data, caches and build outputs.
NOT_SOURCE = (
    '.git',
    'build',
    'dist',
    '*.egg-info',
    '__pycache__',
    '*.pyc',
    '.mypy_cache',
    '.ruff_cache',
    '.pytest_cache',
    '.venv',
)
#: A closed loopback port: anything in a subprocess that tries the network past loopback fails fast here.
DEAD_PROXY = 'http://127.0.0.1:9'
MARKER = '@@install-check '

USER_PACKAGE = '''\
"""The user's own `{name}` package: not agentcore's."""

import os

WHO = 'user-project-{name}'

if os.environ.get('USER_IMPORT_LOG'):
    with open(os.environ['USER_IMPORT_LOG'], 'a', encoding='utf-8') as log:
        log.write(__name__ + '\\n')
'''

# Appended to the README snippet: which `tools`/`memory`/`sandbox` the process has, and which agentcore.
IMPORT_CHECK = f"""
import json as _json
import sys as _sys

_leaked = sorted(_name for _name in ('tools', 'memory', 'sandbox') if _name in _sys.modules)
import memory as _memory, sandbox as _sandbox, tools as _tools
import agentcore as _agentcore
import agentcore.memory as _ac_memory, agentcore.sandbox as _ac_sandbox, agentcore.tools as _ac_tools

print({MARKER!r} + _json.dumps({{
    'leaked': _leaked,
    'user': {{_m.__name__: [_m.WHO, _m.__file__] for _m in (_tools, _memory, _sandbox)}},
    'agentcore': {{_m.__name__: _m.__file__ for _m in (_agentcore, _ac_tools, _ac_memory, _ac_sandbox)}},
}}))
"""


@dataclass(frozen=True)
class Installed:
    source: Path
    wheel: Path
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / 'bin' / 'python'

    @property
    def script(self) -> Path:
        return self.venv / 'bin' / 'agentcore'


def _run(
    args: list[str | Path], *, cwd: Path, env: dict[str, str], timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return f'exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}'


def _env(home: Path, venv: Path | None = None, pythonpath: Path | None = None, **extra: str) -> dict[str, str]:
    """This environment minus agentcore's and Python's settings, API keys and proxies; `venv` as if activated."""
    proxies = ('http_proxy', 'https_proxy', 'all_proxy', 'no_proxy')
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(('AGENTCORE_', 'PYTHON', 'VIRTUAL_ENV'))
        and not k.endswith('_API_KEY')
        and k.lower() not in proxies
    }
    env.update(
        LITELLM_LOCAL_MODEL_COST_MAP='True',
        # litellm's aiohttp transport ignores the proxy variables; httpx honours them.
        DISABLE_AIOHTTP_TRANSPORT='True',
        HTTP_PROXY=DEAD_PROXY,
        HTTPS_PROXY=DEAD_PROXY,
        ALL_PROXY=DEAD_PROXY,
        NO_PROXY='127.0.0.1,localhost,::1',
        AGENTCORE_HOME=str(home),
        PYTHONNOUSERSITE='1',
        **extra,
    )
    if venv is not None:
        env['VIRTUAL_ENV'] = str(venv)
        env['PATH'] = f'{venv / "bin"}{os.pathsep}{env.get("PATH", "")}'
    if pythonpath is not None:
        env['PYTHONPATH'] = str(pythonpath)
    return env


def _source_files(root: Path) -> set[str]:
    """Every file of the `agentcore` package in the tree at `root`, through the subpackage symlinks."""
    out: set[str] = set()
    for folder, dirs, files in os.walk(root / 'agentcore', followlinks=True):
        dirs[:] = [d for d in dirs if d != '__pycache__']
        rel = Path(folder).relative_to(root)
        out.update((rel / f).as_posix() for f in files if not f.endswith('.pyc'))
    return out


def _first_python_block(markdown: str) -> str:
    match = re.search(r'^```python\n(.*?)^```', markdown, re.S | re.M)
    assert match, 'README.md has no ```python code block'
    return match.group(1)


@pytest.fixture(scope='module')
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel built from the working tree, installed into a fresh venv (once for the module)."""
    root = tmp_path_factory.mktemp('install')
    home = root / 'home'
    src = root / 'src'
    shutil.copytree(REPO, src, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    dist = root / 'dist'
    build = _run(
        [
            sys.executable,
            '-m',
            'pip',
            'wheel',
            '--no-deps',
            '--no-build-isolation',
            '--no-index',
            '--check-build-dependencies',
            '-w',
            dist,
            src,
        ],
        cwd=root,
        env=_env(home),
        timeout=240,
    )
    assert build.returncode == 0, (
        "building the wheel offline needs pyproject's [build-system] requires installed here "
        f'(setuptools, wheel):\n{_output(build)}'
    )
    wheels = sorted(dist.glob('agentcore-*.whl'))
    assert len(wheels) == 1, f'expected one agentcore wheel in {dist}, found {wheels}'

    venv = root / 'venv'
    made = _run(
        [sys.executable, '-m', 'venv', '--system-site-packages', '--without-pip', venv], cwd=root, env=_env(home)
    )
    assert made.returncode == 0, _output(made)
    # pip comes from the system site-packages; --ignore-installed: the editable agentcore there stays as it is.
    pip = _run(
        [venv / 'bin' / 'python', '-m', 'pip', 'install', '--no-deps', '--no-index', '--ignore-installed', wheels[0]],
        cwd=root,
        env=_env(home, venv),
    )
    assert pip.returncode == 0, _output(pip)
    return Installed(source=src, wheel=wheels[0], venv=venv)


@pytest.fixture(scope='module')
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project with its own top-level `tools`, `memory` and `sandbox` packages."""
    root = tmp_path_factory.mktemp('user-project')
    for name in SUBPACKAGES:
        (root / name).mkdir()
        (root / name / '__init__.py').write_text(USER_PACKAGE.format(name=name), encoding='utf-8')
    return root


def test_wheel_ships_agentcore_and_nothing_else(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as whl:
        names = set(whl.namelist())
        dist_info = next(n.split('/')[0] for n in names if n.endswith('.dist-info/RECORD'))
        record = {row[0] for row in csv.reader(io.StringIO(whl.read(f'{dist_info}/RECORD').decode())) if row}
        top_level = whl.read(f'{dist_info}/top_level.txt').decode().split()
        entry_points = configparser.ConfigParser()
        entry_points.read_string(whl.read(f'{dist_info}/entry_points.txt').decode())

    assert record == names
    assert {n.split('/')[0] for n in names} == {'agentcore', dist_info}
    assert top_level == ['agentcore']
    for name in SUBPACKAGES:
        assert not any(n.startswith(f'{name}/') for n in names), f'the wheel has a top-level {name}/'
    missing = [f for f in REQUIRED_FILES if f not in names]
    assert not missing, f'the wheel lacks {missing}'
    # The wheel holds exactly the package's files in the tree it was built from, subpackages through their symlinks.
    shipped = {n for n in names if n.startswith('agentcore/')}
    source = _source_files(installed.source)
    assert shipped == source, f'not shipped: {sorted(source - shipped)}; not in the tree: {sorted(shipped - source)}'
    assert entry_points['console_scripts']['agentcore'] == 'agentcore.cli:main'
    assert entry_points['pytest11']['agentcore_scenarios'] == 'agentcore.scenarios.pytest_plugin'


def test_venv_imports_the_wheel_not_the_repository(installed: Installed, tmp_path: Path, agentcore_home: Path) -> None:
    code = (
        'import json, importlib.metadata, agentcore, agentcore.tools, agentcore.memory, agentcore.sandbox\n'
        'dist = importlib.metadata.distribution("agentcore")\n'
        'print(json.dumps({"files": [m.__file__ for m in (agentcore, agentcore.tools, agentcore.memory, '
        'agentcore.sandbox)], "dist": str(dist.locate_file("agentcore/__init__.py")), '
        '"direct_url": dist.read_text("direct_url.json")}))'
    )
    proc = _run([installed.python, '-c', code], cwd=tmp_path, env=_env(agentcore_home, installed.venv))
    assert proc.returncode == 0, _output(proc)
    found = json.loads(proc.stdout)
    site = installed.venv.resolve()
    for file in [*found['files'], found['dist']]:
        path = Path(file).resolve()
        assert path.is_relative_to(site), f'{file} is not inside the venv {site}'
        assert not path.is_relative_to(REPO), f'{file} comes from the repository'
    assert 'editable' not in (found['direct_url'] or '')
    assert installed.script.is_file()
    assert installed.script.read_text(encoding='utf-8').splitlines()[0] == f'#!{installed.python}'


def test_readme_quickstart_runs_in_a_user_project(installed: Installed, project: Path, agentcore_home: Path) -> None:
    snippet = _first_python_block((REPO / 'README.md').read_text(encoding='utf-8'))
    script = project / 'quickstart.py'
    script.write_text(snippet + IMPORT_CHECK, encoding='utf-8')
    proc = _run(
        [installed.python, script.name], cwd=project, env=_env(agentcore_home, installed.venv, pythonpath=project)
    )
    assert proc.returncode == 0, _output(proc)
    printed, marker, check = proc.stdout.partition(MARKER)
    assert marker, _output(proc)
    assert printed.strip(), f'the README snippet printed nothing:\n{_output(proc)}'
    assert 'completed' in printed, f'the README snippet did not complete its run:\n{_output(proc)}'
    # The output the README shows, as `#> ` comment lines in the block (pytest-examples' style), when it shows any.
    shown = [line.removeprefix('#>').strip() for line in snippet.splitlines() if line.startswith('#>')]
    if shown:
        assert [line.strip() for line in printed.splitlines()] == shown, _output(proc)
    found = json.loads(check)
    # agentcore imported no top-level tools/memory/sandbox; importing them afterwards gives the user's own.
    assert found['leaked'] == []
    for name in SUBPACKAGES:
        who, file = found['user'][name]
        assert who == f'user-project-{name}'
        assert Path(file).resolve() == (project / name / '__init__.py').resolve()
    for name, file in found['agentcore'].items():
        assert Path(file).resolve().is_relative_to(installed.venv.resolve()), f'{name} from {file}'


def test_replay_of_the_shipped_scenarios_from_a_user_project(
    installed: Installed, project: Path, agentcore_home: Path, tmp_path: Path
) -> None:
    scenarios = sorted((REPO / 'scenarios').glob('*.yaml'))
    assert scenarios, 'no shipped scenarios'
    log = tmp_path / 'user-imports.log'
    env = _env(agentcore_home, installed.venv, pythonpath=project, USER_IMPORT_LOG=str(log))

    text = _run([installed.script, 'replay', REPO / 'scenarios'], cwd=project, env=env)
    assert text.returncode == 0, _output(text)
    lines = text.stdout.splitlines()
    assert re.fullmatch(rf'{len(scenarios)} passed, 0 failed, 0 bad input \(\d+\.\d+s\)', lines[-1]), _output(text)
    passed = [line.split()[1] for line in lines if line.startswith('PASS ')]
    assert passed == [str(p) for p in scenarios], _output(text)

    as_json = _run([installed.script, 'replay', REPO / 'scenarios', '--json'], cwd=project, env=env)
    assert as_json.returncode == 0, _output(as_json)
    report = json.loads(as_json.stdout)
    assert report['summary'] | {'duration_s': 0} == {
        'passed': len(scenarios),
        'failed': 0,
        'error': 0,
        'exit_code': 0,
        'duration_s': 0,
    }
    assert {r['path']: r['status'] for r in report['results']} == {str(p): 'passed' for p in scenarios}
    assert all(r['runs'] for r in report['results'])
    # The user's packages came first on sys.path, and agentcore never imported them.
    assert not log.exists(), f'agentcore imported the user packages: {log.read_text(encoding="utf-8")}'


@pytest.mark.parametrize('name', SUBPACKAGES)
def test_agentcore_provides_no_top_level_name(
    installed: Installed, name: str, tmp_path: Path, agentcore_home: Path
) -> None:
    proc = _run(
        [installed.python, '-c', f'import agentcore.{name}\nimport {name}'],
        cwd=tmp_path,
        env=_env(agentcore_home, installed.venv),
    )
    assert proc.returncode == 1, _output(proc)
    assert f"ModuleNotFoundError: No module named '{name}'" in proc.stderr, _output(proc)

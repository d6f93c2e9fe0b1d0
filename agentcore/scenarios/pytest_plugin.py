"""pytest plugin (entry point `agentcore_scenarios`): scenario files are collected and replayed as tests.

A `*.yaml`/`*.yml` file is a scenario test when it is named on the command line, or when it sits directly in one
of the folders of the ini option `agentcore_scenarios` (default: `scenarios`, relative to the rootdir). So
`pytest scenarios/` replays every shipped scenario, and `pytest --scenario-verify scenarios/` re-executes their
tools in real sandboxes (those tests carry the `docker` marker).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ._report import ScenarioResult


def pytest_addoption(parser: pytest.Parser) -> None:
    """The `agentcore_scenarios` ini option and the `--scenario-verify` flag."""
    parser.addini(
        'agentcore_scenarios',
        type='linelist',
        default=['scenarios'],
        help='folders (relative to the rootdir) whose *.yaml files are agentcore scenarios',
    )
    group = parser.getgroup('agentcore')
    group.addoption(
        '--scenario-verify',
        action='store_true',
        default=False,
        help='replay scenario files with their tools re-executed in fresh Docker sandboxes',
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    """A `ScenarioFile` for each scenario YAML file (see the module docstring for which files are)."""
    if file_path.suffix not in ('.yaml', '.yml') or not _is_scenario(parent.config, file_path):
        return None
    return ScenarioFile.from_parent(parent, path=file_path)


def _is_scenario(config: pytest.Config, path: Path) -> bool:
    resolved = path.resolve()
    for folder in config.getini('agentcore_scenarios'):
        if resolved.parent == (config.rootpath / str(folder)).resolve():
            return True
    return any(Path(str(arg).split('::')[0]).resolve() == resolved for arg in config.args)


class ScenarioFailed(Exception):
    """A replayed scenario diverged from its recording or missed an expectation."""

    def __init__(self, result: ScenarioResult) -> None:
        super().__init__(result.describe())
        self.result = result


class ScenarioFile(pytest.File):
    """A scenario file: one test item."""

    def collect(self) -> Any:
        item = ScenarioItem.from_parent(self, name=self.path.stem)
        if self.config.getoption('scenario_verify'):
            item.add_marker(pytest.mark.docker)
        yield item


class ScenarioItem(pytest.Item):
    """Replays one scenario file; fails with the replay's report (divergences and diffs)."""

    def runtest(self) -> None:
        from ._replay import replay_scenario

        result = replay_scenario(self.path, verify=bool(self.config.getoption('scenario_verify')))
        if not result.passed:
            raise ScenarioFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailed):
            return excinfo.value.result.describe()
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f'scenario {self.name}'

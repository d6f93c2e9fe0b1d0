"""Replay results: divergences, per-scenario results, and their text, JSON and JUnit XML forms."""

from __future__ import annotations

import json
from typing import Literal
from xml.etree import ElementTree as ET

from pydantic import BaseModel, Field

DivergenceKind = Literal[
    'model_request', 'tool_call', 'tool_result', 'effects', 'approval', 'memory', 'outcome', 'expectation'
]
ResultStatus = Literal['passed', 'failed', 'error']


class Divergence(BaseModel):
    """One difference between the replay and the recording, or one unmet expectation.

    Attributes:
        kind: what differs.
        run: the run's number in the scenario (1-based).
        where: a readable position, e.g. `turn 3` or `call call_2_0 (python)`.
        field: the path of the recorded part in the scenario file, e.g. `runs[0].turns[2].request`.
        message: what changed, in one line.
        diff: a unified diff (recorded -> replayed) when there is one.
    """

    kind: DivergenceKind
    run: int
    where: str = ''
    field: str = ''
    message: str
    diff: str = ''

    def headline(self) -> str:
        where = f'run {self.run}' + (f', {self.where}' if self.where else '')
        return f'{where}: {self.message}' + (f' [{self.field}]' if self.field else '')


class RunSummary(BaseModel):
    """How a replayed run ended."""

    run_id: str
    status: str
    output: str | None = None
    stop_reason: str | None = None
    steps: int = 0
    tool_calls: int = 0


class ScenarioResult(BaseModel):
    """The outcome of replaying one scenario file."""

    path: str
    name: str = ''
    mode: Literal['replay', 'verify'] = 'replay'
    status: ResultStatus
    runs: list[RunSummary] = Field(default_factory=list)
    divergences: list[Divergence] = Field(default_factory=list)
    error: str | None = None
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == 'passed'

    def signature(self) -> str:
        """Everything but the timing, as canonical JSON: equal for identical replays."""
        return json.dumps(self.model_dump(mode='json', exclude={'duration_s'}), sort_keys=True)

    def describe(self) -> str:
        """A readable report: one headline, then each divergence with its diff, indented."""
        label = {'passed': 'PASS', 'failed': 'FAIL', 'error': 'ERROR'}[self.status]
        if self.status == 'error':
            return f'{label} {self.error}'
        head = (
            f'{label} {self.path} ({self.name}, {self.mode}, {len(self.runs)} run{"s" * (len(self.runs) != 1)}, '
            f'{self.duration_s:.2f}s)'
        )
        lines = [head]
        for d in self.divergences:
            lines.append(f'  - {d.kind}: {d.headline()}')
            lines.extend(f'      {line}' for line in d.diff.splitlines())
        return '\n'.join(lines)


class ReplayReport(BaseModel):
    """The outcome of replaying a set of scenario files."""

    results: list[ScenarioResult] = Field(default_factory=list)
    duration_s: float = 0.0

    @property
    def exit_code(self) -> int:
        """0: all passed; 1: some failed; 2: some file was bad input (or there was none)."""
        if not self.results or any(r.status == 'error' for r in self.results):
            return 2
        return 0 if all(r.passed for r in self.results) else 1

    def counts(self) -> dict[str, int]:
        out = {'passed': 0, 'failed': 0, 'error': 0}
        for r in self.results:
            out[r.status] += 1
        return out

    def summary(self) -> str:
        c = self.counts()
        return f'{c["passed"]} passed, {c["failed"]} failed, {c["error"]} bad input ({self.duration_s:.2f}s)'

    def to_junit(self) -> str:
        """JUnit XML: one test suite, one test case per scenario file."""
        c = self.counts()
        suite = ET.Element(
            'testsuite',
            name='agentcore-scenarios',
            tests=str(len(self.results)),
            failures=str(c['failed']),
            errors=str(c['error']),
            time=f'{self.duration_s:.3f}',
        )
        for r in self.results:
            case = ET.SubElement(
                suite,
                'testcase',
                classname=f'scenarios.{r.mode}',
                name=r.name or r.path,
                file=r.path,
                time=f'{r.duration_s:.3f}',
            )
            if r.status == 'failed':
                first = r.divergences[0].headline() if r.divergences else 'failed'
                ET.SubElement(case, 'failure', message=first).text = r.describe()
            elif r.status == 'error':
                ET.SubElement(case, 'error', message=r.error or 'bad input').text = r.error
        ET.indent(suite)
        return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding='unicode') + '\n'

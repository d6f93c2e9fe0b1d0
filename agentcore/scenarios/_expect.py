"""Checking a run's expectations, and deriving default expectations from a recorded run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ._report import RunSummary
from ._schema import Expectations, OutputExpectation


@dataclass
class RunFacts:
    """What a run did, gathered from its events (and its sandbox's workspace)."""

    summary: RunSummary
    tools_called: list[str] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    #: What each successful `search_knowledge` call returned (the passages under their citations).
    retrieved: list[str] = field(default_factory=list)


#: A passage's citation line in a `search_knowledge` result: `[n] CITATION [CHUNK_ID] (score S)`.
_CITATION_LINE = re.compile(r'^\[\d+\] (?P<where>.+) (?P<id>\[[0-9a-f]{16}\]) \(score [0-9.]+\)$', re.MULTILINE)


def citations(retrieved: Iterable[str]) -> list[tuple[str, str]]:
    """The citations in `search_knowledge` results, in order: (`FILE, § SECTION [CHUNK_ID]`, `FILE, § SECTION`)."""
    return [(f'{m["where"]} {m["id"]}', m['where']) for text in retrieved for m in _CITATION_LINE.finditer(text)]


def unmet(expect: Expectations, facts: RunFacts) -> list[str]:
    """One line per expectation the run does not meet (empty when all hold)."""
    out: list[str] = []
    s = facts.summary
    if expect.status is not None and s.status != expect.status:
        out.append(f'status: expected {expect.status!r}, got {s.status!r} ({s.stop_reason or "no stop reason"})')
    if expect.output is not None:
        out.extend(_output(expect.output, s.output))
    called = set(facts.tools_called)
    out.extend(f'tools_called: {t!r} was never called' for t in expect.tools_called if t not in called)
    out.extend(f'tools_not_called: {t!r} was called' for t in expect.tools_not_called if t in called)
    out.extend(f'denied: no call of {t!r} was denied by the policy' for t in expect.denied if t not in facts.denied)
    if expect.no_policy_violations and facts.denied:
        out.append(f'no_policy_violations: the policy denied {", ".join(sorted(set(facts.denied)))}')
    out.extend(f'files: {p!r} is not in the workspace' for p in expect.files if p not in facts.files)
    out.extend(
        f'guardrail_flagged: no guardrail flagged {k!r}' for k in expect.guardrail_flagged if k not in facts.flagged
    )
    if expect.output_fields:
        out.extend(_fields(expect.output_fields, s.output))
    out.extend(_cites(expect.cites, s.output, facts.retrieved))
    return out


def _cites(expected: list[str], output: str | None, retrieved: list[str]) -> Iterable[str]:
    """One line per `cites` entry missing from the output, or naming no passage `search_knowledge` returned."""
    found = {form for pair in citations(retrieved) for form in pair}
    for cite in expected:
        if cite not in (output or ''):
            yield f'cites: {cite!r} is not in the output'
        elif cite not in found:
            yield f'cites: {cite!r} is not the citation of a passage search_knowledge returned'


_MISSING = object()


def _fields(expected: dict[str, Any], output: str | None) -> Iterable[str]:
    """One line per `output_fields` entry the structured output (JSON text) does not hold."""
    try:
        data = json.loads(output) if output is not None else _MISSING
    except json.JSONDecodeError:
        data = _MISSING
    if data is _MISSING:
        yield f'output_fields: the output is not JSON ({output!r:.80})'
        return
    for path, want in expected.items():
        got = field_at(data, path)
        if got is _MISSING:
            yield f'output_fields.{path}: not in the output'
        elif got != want:
            yield f'output_fields.{path}: expected {want!r}, got {got!r}'


def field_at(data: Any, path: str) -> Any:
    """The value at a dotted `path` (object keys, list indexes) in JSON data; a private sentinel when absent."""
    for part in path.split('.'):
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.lstrip('-').isdigit() and -len(data) <= int(part) < len(data):
            data = data[int(part)]
        else:
            return _MISSING
    return data


def _output(expect: OutputExpectation, output: str | None) -> Iterable[str]:
    text = output or ''
    shown = repr(text if len(text) <= 200 else text[:197] + '...')
    if expect.equals is not None and text != expect.equals:
        yield f'output.equals: expected {expect.equals!r}, got {shown}'
    for part in expect.contains:
        if part not in text:
            yield f'output.contains: {part!r} not in {shown}'
    if expect.regex is not None and re.search(expect.regex, text) is None:
        yield f'output.regex: {expect.regex!r} does not match {shown}'


def derive(facts: RunFacts, *, structured: bool = False) -> Expectations:
    """Expectations a recorded run meets.

    Its status and output, the tools it called, the calls the policy denied
    (or none), the files it left in the workspace, what guardrails flagged and the citations of retrieved passages
    its output quotes (`cites`: the whole citation when quoted whole, else `FILE, § SECTION`). Review and edit them.
    With `structured` output (JSON), the top-level fields that hold a string, number or boolean become
    `output_fields` instead of an exact `output.equals`.
    """
    s = facts.summary
    output = OutputExpectation(equals=s.output) if s.output is not None else None
    fields: dict[str, Any] = {}
    if structured and s.output is not None:
        data = json.loads(s.output)
        if isinstance(data, dict):
            fields = {k: v for k, v in data.items() if isinstance(v, str | int | float | bool)}
            output = None if fields else output
    return Expectations(
        status=s.status,
        output=output,
        tools_called=sorted(set(facts.tools_called)),
        denied=sorted(set(facts.denied)),
        no_policy_violations=not facts.denied,
        files=sorted(facts.files),
        guardrail_flagged=sorted(set(facts.flagged)),
        output_fields=fields,
        cites=_quoted(citations(facts.retrieved), s.output or ''),
    )


def _quoted(found: list[tuple[str, str]], output: str) -> list[str]:
    """The citations quoted in `output`: whole, or as `FILE, § SECTION` not followed by a subsection or an id."""
    out: list[str] = []
    for whole, where in found:
        alone = re.search(re.escape(where) + r'(?![^\s).,;:\]]| >| \[)', output)
        cite = whole if whole in output else where if alone else None
        if cite is not None and cite not in out:
            out.append(cite)
    return out

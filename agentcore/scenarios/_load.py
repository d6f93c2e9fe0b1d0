"""Loading scenario files: parse, validate, and check that every recorded request matches its digest."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from .._messages import Message, ToolSpec
from ._digest import request_digest
from ._schema import Scenario, ScenarioRun
from ._yamlio import ScenarioError, locate, parse_scenario, read_text

#: File suffixes taken for scenarios when a folder is given.
SUFFIXES = ('.yaml', '.yml')


def tool_specs(scenario: Scenario) -> list[ToolSpec]:
    """The recorded tool specs, as the model saw them (the final-answer tool last, with an `output_schema`)."""
    specs = [ToolSpec(name=t.name, description=t.description, parameters=t.parameters) for t in scenario.tools]
    schema = scenario.config.output_schema
    if schema is not None:
        from .._output_type import OutputSchema, output_spec

        final = output_spec(OutputSchema(schema))
        assert final is not None
        specs.append(final.tool_spec())
    return specs


def full_requests(run: ScenarioRun) -> list[list[Message]]:
    """The whole message list of each turn's request, rebuilt from the recorded additions."""
    out: list[list[Message]] = []
    for i, turn in enumerate(run.turns):
        if i == 0 or turn.request.restart:
            messages = list(turn.request.messages)
        else:
            prev = run.turns[i - 1]
            answer = [prev.response.message()] if prev.response is not None else []
            messages = [*out[-1], *answer, *turn.request.messages]
        out.append(messages)
    return out


def check_digests(scenario: Scenario, file: str, text: str | None = None) -> None:
    """Check that each turn's `request.sha256` is the digest of its rebuilt request.

    Raises:
        ScenarioError: a recorded request was edited (or its digest was), with the turn's position.
    """
    specs = tool_specs(scenario)
    for r, run in enumerate(scenario.runs):
        for t, messages in enumerate(full_requests(run)):
            if request_digest(messages, specs) != run.turns[t].request.sha256:
                loc = ('runs', r, 'turns', t, 'request', 'sha256')
                pos = locate(text, loc) if text is not None else None
                raise ScenarioError(
                    file,
                    'does not match the recorded request (its messages, or the tool specs, were edited)',
                    line=pos[0] if pos else None,
                    column=pos[1] if pos else None,
                    field=f'runs[{r}].turns[{t}].request.sha256',
                    hint='record the scenario again rather than editing recorded turns by hand',
                )


def load_scenario(path: str | Path) -> Scenario:
    """Read, validate and integrity-check one scenario file.

    Raises:
        ScenarioError: unreadable, not YAML, invalid (file, line:column, field path and reason on one line), or a
            recorded request that does not match its digest.
    """
    p = Path(path)
    text = read_text(p)
    scenario = parse_scenario(text, str(p))
    check_digests(scenario, str(p), text)
    return scenario


def scenario_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The scenario files named by `paths`.

    Files as given, folders by their `*.yaml`/`*.yml` entries (sorted, not
    recursive, so a `scripts/` subfolder of model scripts is left out).

    Raises:
        ScenarioError: a path does not exist.
    """
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(c for c in p.iterdir() if c.suffix in SUFFIXES and c.is_file())
        elif p.exists():
            yield p
        else:
            raise ScenarioError(str(p), 'no such file or folder', hint='give scenario files or a folder of them')

"""Turn a validated `PolicySpec` into matchable rules, rejecting what types alone cannot (patterns, bounds...)."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from agentcore._provenance import ArgumentProvenance

from ._constraints import Constraint, domain_error, normalise_host, normalise_path
from ._errors import PolicyBoundsError, PolicyPatternError, PolicyValueError
from ._schema import Action, ArgConstraint, RuleSpec

_WILDCARDS = frozenset('*?[')


def glob_error(pattern: str) -> str | None:
    """Why `pattern` is not a usable tool-name glob (`*`, `?`, `[abc]`, `[!abc]`), or `None`."""
    if not pattern:
        return 'empty glob'
    if any(c.isspace() for c in pattern):
        return f'glob {pattern!r} contains whitespace'
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == ']':
            return f'glob {pattern!r} has an unmatched "]" at position {i}'
        if c == '[':
            start = i + 2 if pattern[i + 1 : i + 2] == '!' else i + 1
            end = pattern.find(']', start)
            if end == -1:
                return f'glob {pattern!r} has an unclosed "[" at position {i}'
            if end == start:
                return f'glob {pattern!r} has an empty character class at position {i}'
            i = end
        i += 1
    return None


def literal_prefix(pattern: str) -> str:
    """The part of a glob before its first wildcard (`mcp__github__` for `mcp__github__*`)."""
    for i, c in enumerate(pattern):
        if c in _WILDCARDS:
            return pattern[:i]
    return pattern


@dataclass(frozen=True)
class CompiledRule:
    """One rule ready to match. `label` names it in decisions, e.g. `rules[1] (shell: deny)`."""

    index: int
    globs: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    action: Action
    constraints: tuple[Constraint, ...]
    reason: str | None
    untrusted_content: Action | None = None

    @property
    def label(self) -> str:
        return f'rules[{self.index}] ({"|".join(self.globs)}: {self.action})'

    def matching_glob(self, tool_name: str) -> str | None:
        """The first of this rule's globs matching `tool_name`, or `None`."""
        for glob, pattern in zip(self.globs, self.patterns, strict=True):
            if pattern.match(tool_name):
                return glob
        return None

    def failure(
        self, arguments: dict[str, Any], provenance: Sequence[ArgumentProvenance] | None = None
    ) -> str | None:
        """The first failing constraint, in words, or `None`."""
        for constraint in self.constraints:
            problem = constraint.failure(arguments, provenance)
            if problem:
                return problem
        return None


def _compile_constraint(file: str, where: str, argument: str, spec: ArgConstraint) -> Constraint:
    string_kinds = [k for k in ('prefix', 'regex', 'domains') if getattr(spec, k) is not None]
    numeric = spec.min is not None or spec.max is not None
    if not string_kinds and not numeric and not spec.trusted:
        raise PolicyValueError(file, where, 'constraint sets none of prefix, regex, min, max, domains, trusted')
    if string_kinds and numeric:
        raise PolicyBoundsError(
            file, where, f'{string_kinds[0]} (a string constraint) cannot hold together with min/max (numeric bounds)'
        )
    if spec.min is not None and spec.max is not None and spec.min > spec.max:
        raise PolicyBoundsError(
            file, f'{where}.min', f'min ({spec.min:g}) is greater than max ({spec.max:g}): no value can pass'
        )
    if spec.cwd is not None and (spec.prefix is None or not spec.cwd.startswith('/')):
        reason = 'cwd must be an absolute path' if spec.prefix is not None else 'cwd is only used with prefix'
        raise PolicyValueError(file, f'{where}.cwd', reason)
    prefixes: tuple[str, ...] | None = None
    if spec.prefix is not None:
        if not spec.prefix:
            raise PolicyValueError(file, f'{where}.prefix', 'empty list: no path could pass')
        norm = [normalise_path(p) for p in spec.prefix]
        for i, p in enumerate(norm):
            if p is None:
                raise PolicyValueError(file, f'{where}.prefix[{i}]', f'{spec.prefix[i]!r} is not a usable path')
        prefixes = tuple(p for p in norm if p is not None)
    regex = None
    if spec.regex is not None:
        try:
            regex = re.compile(spec.regex)
        except re.error as exc:
            raise PolicyPatternError(
                file, f'{where}.regex', f'invalid regex {spec.regex!r}: {exc}', hint='use Python `re` syntax'
            ) from None
    domains: tuple[str, ...] | None = None
    if spec.domains is not None:
        domains = _domains(file, f'{where}.domains', spec.domains)
    return Constraint(argument, prefixes, spec.cwd, regex, spec.min, spec.max, domains, spec.optional,
                      bool(spec.trusted))


def _domains(file: str, where: str, entries: list[str]) -> tuple[str, ...]:
    out = []
    for i, entry in enumerate(entries):
        if entry == '*' and where == 'network.allowed_domains':
            out.append('*')
            continue
        problem = domain_error(entry)
        if problem:
            raise PolicyValueError(file, f'{where}[{i}]', problem)
        host = normalise_host(entry)
        assert host is not None  # domain_error() passed
        out.append(host)
    return tuple(out)


def compile_rule(file: str, index: int, spec: RuleSpec) -> CompiledRule:
    """Compile `rules[index]`.

    Raises:
        PolicyPatternError: a glob or regex does not compile.
        PolicyBoundsError: min above max, or numeric bounds mixed with string constraints.
        PolicyValueError: an empty tool list, a bad domain/path, or `when` on a deny rule (it would do nothing).
    """
    where = f'rules[{index}]'
    if not spec.tool:
        raise PolicyValueError(file, f'{where}.tool', 'empty list: the rule would match no tool')
    patterns = []
    for i, glob in enumerate(spec.tool):
        problem = glob_error(glob)
        if problem:
            field = f'{where}.tool' if len(spec.tool) == 1 else f'{where}.tool[{i}]'
            raise PolicyPatternError(file, field, problem, hint='globs use *, ? and [...] like shell file names')
        patterns.append(re.compile(fnmatch.translate(glob)))
    if spec.when and spec.action == 'deny':
        raise PolicyValueError(
            file,
            f'{where}.when',
            'constraints on a deny rule have no effect (they only narrow allow/ask rules)',
            hint='drop `when`, or make the rule allow/ask',
        )
    constraints = tuple(_compile_constraint(file, f'{where}.when.{arg}', arg, c) for arg, c in spec.when.items())
    if spec.untrusted_content is not None and spec.action == 'deny':
        raise PolicyValueError(file, f'{where}.untrusted_content', 'has no effect on a deny rule',
                               hint='drop it, or make the rule allow/ask')
    return CompiledRule(index, tuple(spec.tool), tuple(patterns), spec.action, constraints, spec.reason,
                        spec.untrusted_content)


def compile_domains(file: str, entries: list[str] | None) -> tuple[str, ...] | None:
    """Validate and normalise `network.allowed_domains`.

    Raises:
        PolicyValueError: an entry is not a bare domain name.
    """
    return None if entries is None else _domains(file, 'network.allowed_domains', entries)

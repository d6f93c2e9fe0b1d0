"""Errors raised when a policy file cannot be used. One subclass per kind of failure."""

from __future__ import annotations

from typing import ClassVar

from agentcore._errors import AgentcoreError


class PolicyFileError(AgentcoreError, ValueError):
    """A policy file (or dict) is unusable. The message is one line: file, field (or line) and reason.

    Attributes:
        file: the file path, or `<dict>` for `Policy.from_dict`.
        field: dotted/indexed location of the offending value, e.g. `rules[2].when.path.prefix`, or `None`.
        reason: what is wrong, in words.
        line: 1-based line number for syntax errors, else `None`.
        hint: how to fix it, or `None`.
        kind: a stable identifier of the failure class.
    """

    usage_error: ClassVar[bool] = True
    kind: ClassVar[str] = 'invalid'

    def __init__(
        self, file: str, field: str | None, reason: str, *, hint: str | None = None, line: int | None = None
    ) -> None:
        self.file = file
        self.field = field
        self.reason = reason
        self.line = line
        where = f'policy file {file}'
        if field:
            where += f', field {field}'
        elif line is not None:
            where += f', line {line}'
        super().__init__(' '.join(f'{where}: {reason}'.split()), hint=hint)


class PolicyUnreadableError(PolicyFileError):
    """The file does not exist, cannot be read or is not UTF-8."""

    kind = 'unreadable'


class PolicySyntaxError(PolicyFileError):
    """The file is not valid YAML/TOML (or has a duplicate key). `line` says where."""

    kind = 'syntax'


class PolicyUnknownFieldError(PolicyFileError):
    """A key the policy format does not know (usually a typo)."""

    kind = 'unknown_field'


class PolicyTypeError(PolicyFileError):
    """A value of the wrong type (a string where a list is expected...)."""

    kind = 'wrong_type'


class PolicyValueError(PolicyFileError):
    """A value of the right type but not allowed (unknown action, negative budget, bad domain, missing field)."""

    kind = 'bad_value'


class PolicyPatternError(PolicyFileError):
    """A tool-name glob or an argument regex that does not compile."""

    kind = 'bad_pattern'


class PolicyBoundsError(PolicyFileError):
    """Bounds that no value can satisfy, e.g. `min` greater than `max`."""

    kind = 'contradictory_bounds'

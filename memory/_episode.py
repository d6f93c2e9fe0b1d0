"""The data model: `Episode` (one remembered run), `EpisodeFilter` and `MemoryHit`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ['OUTCOMES', 'Episode', 'EpisodeFilter', 'MemoryHit', 'validate_namespace']

#: Outcomes the agent graph produces. Other lower-case identifiers are accepted too.
OUTCOMES: tuple[str, ...] = ('completed', 'failed', 'stopped_by_budget', 'stopped_by_loop', 'denied')

_NAMESPACE_RE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$')
_OUTCOME_RE = re.compile(r'^[a-z][a-z0-9_]{0,31}$')
_MAX_TEXT = 65_536
_MAX_TAGS = 64
_MAX_TAG_LEN = 64
_MAX_SOURCES = 64
_MAX_SOURCE_LEN = 256

Text = Annotated[str, Field(max_length=_MAX_TEXT)]
MetaValue = str | int | float | bool | None


def validate_namespace(value: str) -> str:
    """Return `value` if it is a valid namespace (agent or user), else raise `ValueError`.

    A namespace is 1-64 characters of letters, digits, `_` and `-`, starting with a letter or digit (it becomes a
    Weaviate tenant name).
    """
    if not isinstance(value, str) or not _NAMESPACE_RE.match(value):
        raise ValueError(
            f'invalid namespace {value!r}: use 1-64 letters, digits, "_" or "-", starting with a letter or digit'
        )
    return value


def _utc(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f'{field} must be timezone-aware (for example datetime.now(UTC)), got naive {value}')
    return value.astimezone(UTC)


def _clean_tags(values: Sequence[str], field: str) -> list[str]:
    seen: dict[str, None] = {}
    for raw in values:
        tag = raw.strip().lower()
        if not tag:
            raise ValueError(f'{field}: empty tag')
        if len(tag) > _MAX_TAG_LEN:
            raise ValueError(f'{field}: tag {tag[:20]!r}... is longer than {_MAX_TAG_LEN} characters')
        seen.setdefault(tag, None)
    if len(seen) > _MAX_TAGS:
        raise ValueError(f'{field}: at most {_MAX_TAGS} tags, got {len(seen)}')
    return list(seen)


def _now() -> datetime:
    return datetime.now(UTC)


class Episode(BaseModel):
    """One remembered agent run: what was asked, what was tried, how it ended and what was learned.

    Limits: text fields up to 65,536 characters; up to 64 tags of up to 64 characters (stripped, lower-cased and
    de-duplicated); `lessons` up to 64 entries (a single string is accepted as one lesson; blank ones are dropped). `created_at` must be
    timezone-aware and is stored in UTC. Construction raises `pydantic.ValidationError` (a `ValueError`) on bad input.

    `trusted` is false when the episode was written while untrusted content (tool output, recalled memory, MCP
    results) was in the run's context; `provenance` then lists those sources (up to 64, each up to 256 characters,
    e.g. `tool:read_file#call_0_0`). Giving a non-empty `provenance` makes the episode untrusted unless `trusted` is
    given; `trusted=True` with a non-empty `provenance` is an error. Whatever `trusted` says, a recalled episode is
    data, never instructions.
    """

    model_config = ConfigDict(extra='forbid', frozen=True)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()), min_length=1, max_length=128)
    run_id: str | None = Field(default=None, max_length=128)
    namespace: str = 'default'
    task: Text = Field(min_length=1)
    plan_summary: Text = ''
    steps_digest: Text = ''
    outcome: str
    lessons: list[Text] = Field(default_factory=list, max_length=64)
    tags: list[str] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=_now)
    metadata: dict[str, MetaValue] = Field(default_factory=dict)
    trusted: bool = True
    provenance: list[str] = Field(default_factory=list, max_length=_MAX_SOURCES)

    @model_validator(mode='before')
    @classmethod
    def _untrusted_when_sourced(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get('provenance') and 'trusted' not in data:
            return {**data, 'trusted': False}
        return data

    @model_validator(mode='after')
    def _check_trust(self) -> Episode:
        if self.trusted and self.provenance:
            raise ValueError('trusted=True contradicts a non-empty provenance (the untrusted sources in context)')
        return self

    @field_validator('provenance')
    @classmethod
    def _check_provenance(cls, value: list[str]) -> list[str]:
        cleaned: dict[str, None] = {}
        for raw in value:
            source = raw.strip()
            if not source or len(source) > _MAX_SOURCE_LEN:
                raise ValueError(f'provenance: each source is 1-{_MAX_SOURCE_LEN} characters, got {raw[:40]!r}')
            cleaned.setdefault(source, None)
        return list(cleaned)

    @field_validator('namespace')
    @classmethod
    def _check_namespace(cls, value: str) -> str:
        return validate_namespace(value)

    @field_validator('task')
    @classmethod
    def _check_task(cls, value: str) -> str:
        if not value.strip():
            raise ValueError('task must not be blank')
        return value

    @field_validator('outcome')
    @classmethod
    def _check_outcome(cls, value: str) -> str:
        if not _OUTCOME_RE.match(value):
            raise ValueError(f'invalid outcome {value!r}: use a lower-case identifier such as {", ".join(OUTCOMES)}')
        return value

    @field_validator('lessons', mode='before')
    @classmethod
    def _one_lesson(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator('lessons')
    @classmethod
    def _drop_blank_lessons(cls, value: list[str]) -> list[str]:
        return [lesson for lesson in value if lesson.strip()]

    @field_validator('tags')
    @classmethod
    def _check_tags(cls, value: list[str]) -> list[str]:
        return _clean_tags(value, 'tags')

    @field_validator('created_at')
    @classmethod
    def _check_created_at(cls, value: datetime) -> datetime:
        return _utc(value, 'created_at')

    def text(self) -> str:
        """The text that is embedded for this episode: task, plan, lessons and tags (steps digest truncated)."""
        parts = [self.task, self.plan_summary, *self.lessons, ' '.join(self.tags), self.steps_digest[:2000]]
        return '\n'.join(p for p in parts if p)


class EpisodeFilter(BaseModel):
    """Restricts `search` and `list`. Every given condition must hold (AND); unset conditions match everything.

    Attributes:
        namespace: Only this namespace (agent or user); `None` means every namespace.
        tags: The episode must carry all of these tags.
        any_tags: The episode must carry at least one of these tags.
        outcome: The episode's outcome must be one of these (a single string is accepted).
        since: `created_at >= since` (timezone-aware).
        until: `created_at < until` (timezone-aware).
        run_id: Only the episode(s) of this run.
    """

    model_config = ConfigDict(extra='forbid', frozen=True)

    namespace: str | None = None
    tags: tuple[str, ...] = ()
    any_tags: tuple[str, ...] = ()
    outcome: tuple[str, ...] | None = None
    since: datetime | None = None
    until: datetime | None = None
    run_id: str | None = None

    @field_validator('namespace')
    @classmethod
    def _check_namespace(cls, value: str | None) -> str | None:
        return None if value is None else validate_namespace(value)

    @field_validator('tags', 'any_tags')
    @classmethod
    def _check_tags(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_clean_tags(value, 'filter tags'))

    @field_validator('outcome', mode='before')
    @classmethod
    def _one_outcome(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator('since', 'until')
    @classmethod
    def _check_time(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value, 'since/until')

    @model_validator(mode='after')
    def _check_range(self) -> EpisodeFilter:
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError(f'empty time range: since {self.since} is not before until {self.until}')
        if self.outcome is not None and not self.outcome:
            raise ValueError('outcome filter is empty: pass None to match every outcome')
        return self

    def matches(self, episode: Episode) -> bool:
        """Whether `episode` satisfies every condition (the reference semantics both backends implement)."""
        checks = (
            self.namespace is None or episode.namespace == self.namespace,
            set(self.tags).issubset(episode.tags),
            not self.any_tags or bool(set(self.any_tags) & set(episode.tags)),
            self.outcome is None or episode.outcome in self.outcome,
            self.since is None or episode.created_at >= self.since,
            self.until is None or episode.created_at < self.until,
            self.run_id is None or episode.run_id == self.run_id,
        )
        return all(checks)


class MemoryHit(BaseModel):
    """A search result: the episode and its hybrid relevance score (higher is better, in [0, 1])."""

    model_config = ConfigDict(frozen=True)

    episode: Episode
    score: float

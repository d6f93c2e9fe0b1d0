"""The data model: validation of episodes and filters, with one clear line per problem."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from agentcore.memory import OUTCOMES, Episode, EpisodeFilter, MemoryHit


def test_defaults() -> None:
    e = Episode(task='do it', outcome='completed')
    assert e.namespace == 'default'
    assert len(e.id) == 36 and e.run_id is None
    assert e.created_at.tzinfo is UTC and (datetime.now(UTC) - e.created_at) < timedelta(seconds=5)
    assert (e.lessons, e.tags, e.metadata) == ([], [], {})
    assert Episode(task='do it', outcome='completed').id != e.id


def test_normalisation() -> None:
    e = Episode(task='t', outcome='failed', tags=[' CI ', 'ci', 'Python'], lessons='one lesson',
                created_at=datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))))  # fmt: skip
    assert e.tags == ['ci', 'python']
    assert e.lessons == ['one lesson']
    assert e.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC) and e.created_at.tzinfo is UTC
    assert Episode(task='t', outcome='failed', lessons='').lessons == []
    assert Episode(task='t', outcome='failed', lessons=['a', '  ']).lessons == ['a']


@pytest.mark.parametrize(
    ('fields', 'message'),
    [
        ({'task': '   '}, 'task must not be blank'),
        ({'namespace': 'has space'}, 'invalid namespace'),
        ({'namespace': '-leading'}, 'invalid namespace'),
        ({'namespace': 'x' * 65}, 'invalid namespace'),
        ({'outcome': 'Completed!'}, 'invalid outcome'),
        ({'created_at': datetime(2026, 1, 1)}, 'must be timezone-aware'),  # noqa: DTZ001 - the point of the test
        ({'tags': ['']}, 'empty tag'),
        ({'tags': ['x' * 65]}, 'longer than 64'),
        ({'tags': [f't{i}' for i in range(65)]}, 'at most 64 tags'),
        ({'task': 'x' * 70_000}, 'at most 65536'),
        ({'unknown': 1}, 'Extra inputs are not permitted'),
    ],
)
def test_invalid_episodes(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Episode(**{'task': 't', 'outcome': 'completed', **fields})  # type: ignore[arg-type]


def test_outcomes_beyond_the_known_ones_are_accepted() -> None:
    assert 'stopped_by_budget' in OUTCOMES
    assert Episode(task='t', outcome='timed_out').outcome == 'timed_out'


def test_episode_is_immutable_and_serialisable() -> None:
    e = Episode(task='t', outcome='completed', metadata={'k': 1.5})
    with pytest.raises(ValidationError):
        e.task = 'other'  # type: ignore[misc]
    assert Episode.model_validate_json(e.model_dump_json()) == e


def test_text_for_embedding_includes_the_useful_fields() -> None:
    e = Episode(task='T', plan_summary='P', lessons=['L1', 'L2'], tags=['a', 'b'], steps_digest='S' * 5000,
                outcome='completed')  # fmt: skip
    text = e.text()
    assert text.startswith('T\nP\nL1\nL2\na b\n')
    assert text.count('S') == 2000


def test_filter_validation() -> None:
    f = EpisodeFilter(outcome='failed', tags=['CI'], any_tags=['X'])
    assert (f.outcome, f.tags, f.any_tags) == (('failed',), ('ci',), ('x',))
    now = datetime.now(UTC)
    with pytest.raises(ValidationError, match='empty time range'):
        EpisodeFilter(since=now, until=now)
    with pytest.raises(ValidationError, match='timezone-aware'):
        EpisodeFilter(since=datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(ValidationError, match='outcome filter is empty'):
        EpisodeFilter(outcome=())
    with pytest.raises(ValidationError, match='invalid namespace'):
        EpisodeFilter(namespace='a b')


def test_filter_reference_semantics() -> None:
    e = Episode(task='t', outcome='failed', tags=['a', 'b'], run_id='r', namespace='n',
                created_at=datetime(2026, 1, 2, tzinfo=UTC))  # fmt: skip
    day = datetime(2026, 1, 2, tzinfo=UTC)
    assert EpisodeFilter().matches(e)
    assert EpisodeFilter(tags=('a', 'b'), any_tags=('b', 'z'), outcome=('failed',), run_id='r', namespace='n',
                         since=day, until=day + timedelta(seconds=1)).matches(e)  # fmt: skip
    assert not EpisodeFilter(tags=('a', 'z')).matches(e)
    assert not EpisodeFilter(any_tags=('z',)).matches(e)
    assert not EpisodeFilter(until=day).matches(e)  # until is exclusive
    assert not EpisodeFilter(namespace='other').matches(e)


def test_memory_hit() -> None:
    hit = MemoryHit(episode=Episode(task='t', outcome='completed'), score=0.5)
    assert hit.score == 0.5 and hit.episode.task == 't'

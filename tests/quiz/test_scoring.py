"""The submit scores every answer by quiz.scoring (saved by the deadline) against the sealed
key, with the answers it brings written in the same UPDATE."""

import datetime

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from quiz import scoring
from quiz.enums import AttemptStatus
from quiz.models import AttemptQuestion, Option
from quiz.services.attempts import attempt_start, attempt_submit
from tests.factories import contestant
from tests.quiz.factories import sealed_round

pytestmark = pytest.mark.django_db
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def scoring_round():
    return sealed_round(pool_size=40, fields=4, attempts_per_day=None, min_start_interval_minutes=None)


def test_an_answer_counts_when_saved_by_the_deadline():
    deadline = datetime.datetime(2026, 11, 24, 8, 0, tzinfo=datetime.UTC)
    assert scoring.answer_counts(chosen_index=0, answered_at=deadline, deadline=deadline)
    assert not scoring.answer_counts(chosen_index=0, answered_at=deadline + SECOND, deadline=deadline)
    assert not scoring.answer_counts(chosen_index=None, answered_at=deadline, deadline=deadline)
    assert not scoring.answer_counts(chosen_index=2, answered_at=None, deadline=deadline)
    assert scoring.duration_ms(started_at=deadline, finished_at=deadline + SECOND * 1.5) == 1500
    assert scoring.duration_ms(started_at=deadline, finished_at=deadline - SECOND) == 0


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    saved=st.dictionaries(st.integers(1, 20), st.tuples(st.integers(0, 5), st.booleans()), max_size=20),
    brought=st.dictionaries(st.integers(1, 20), st.integers(0, 5), max_size=20),
)
def test_the_submit_scores_what_was_saved_in_time_and_what_it_brings(scoring_round, saved, brought):
    user = contestant()
    attempt = attempt_start(round=scoring_round, user=user)
    rows = {row.position: row for row in AttemptQuestion.objects.filter(attempt=attempt)}
    for position, (index, in_time) in saved.items():
        row = rows[position]
        row.chosen_index = index % row.option_count
        row.answered_at = attempt.deadline - SECOND if in_time else attempt.deadline + SECOND  # the latter by hand
        AttemptQuestion.objects.filter(pk=row.pk).update(chosen_index=row.chosen_index, answered_at=row.answered_at)
    brought = {p: i % rows[p].option_count for p, i in brought.items()}
    right_options = set(Option.objects.filter(is_correct=True).values_list("pk", flat=True))

    finished = attempt_submit(attempt=attempt, user=user, answers=brought)

    expected_chosen, expected_right = {}, {}
    for position, row in rows.items():
        chosen, counts = row.chosen_index, position in saved and saved[position][1]
        if position in brought and brought[position] != row.chosen_index:
            chosen, counts = brought[position], True  # a change the submit brings is saved now
        expected_chosen[position] = chosen
        expected_right[position] = bool(counts and row.option_ids[chosen] in right_options)
    stored = {r.position: r for r in AttemptQuestion.objects.filter(attempt=attempt)}
    assert finished.status == AttemptStatus.SUBMITTED
    assert finished.score == sum(expected_right.values())
    assert {p: r.chosen_index for p, r in stored.items()} == expected_chosen
    assert {p: r.is_correct for p, r in stored.items()} == expected_right
    assert all(stored[p].answered_at <= attempt.deadline for p in brought if brought[p] != rows[p].chosen_index)

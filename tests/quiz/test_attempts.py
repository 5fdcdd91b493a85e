import datetime

import pytest
import time_machine
from django.utils import timezone

from quiz import tasks
from quiz.enums import AttemptStatus
from quiz.errors import QuizError
from quiz.models import Attempt, AttemptQuestion, Option, RoundEntry
from quiz.services.attempts import attempt_save_answer, attempt_start, attempt_submit, finalize_expired_attempts
from quiz.services.pool import blueprint_set, round_pool_add, round_pool_add_random
from quiz.services.rounds import round_approve
from tests.factories import UserFactory, contestant
from tests.quiz.factories import FieldFactory, QuestionFactory, RoundFactory, answer_all, sealed_round

pytestmark = pytest.mark.django_db


def test_attempt_start_draws_to_the_blueprint_with_shuffled_options():
    round = RoundFactory()
    fields = [FieldFactory() for _ in range(4)]
    for i in range(40):
        QuestionFactory(field=fields[i % 4])
    for field in fields:
        round_pool_add_random(round=round, field=field, count=10)
    blueprint_set(round=round, counts={fields[0].pk: 8, fields[1].pk: 4, fields[2].pk: 4, fields[3].pk: 4})
    round = round_approve(round=round, by=UserFactory(is_staff=True))

    attempt = attempt_start(round=round, user=contestant())

    items = list(attempt.items.select_related("question"))
    assert len(items) == 20
    per_field = {f.pk: sum(1 for i in items if i.question.field_id == f.pk) for f in fields}
    assert per_field == {fields[0].pk: 8, fields[1].pk: 4, fields[2].pk: 4, fields[3].pk: 4}
    assert sorted(i.position for i in items) == list(range(1, 21))
    for item in items:
        assert sorted(item.option_ids) == sorted(Option.objects.filter(question=item.question).values_list("pk", flat=True))
    assert attempt.deadline == attempt.started_at + datetime.timedelta(seconds=900)


def test_attempt_without_blueprint_draws_every_field_in_proportion():
    round = RoundFactory()
    a, b = FieldFactory(), FieldFactory()
    qs = [QuestionFactory(field=a) for _ in range(30)] + [QuestionFactory(field=b) for _ in range(10)]
    round_pool_add(round=round, question_ids=[q.pk for q in qs])
    round = round_approve(round=round, by=UserFactory(is_staff=True))

    attempt = attempt_start(round=round, user=contestant())

    fields = list(attempt.items.values_list("question__field_id", flat=True))
    assert (fields.count(a.pk), fields.count(b.pk)) == (15, 5)


def test_attempt_deadline_is_capped_by_round_close():
    round = sealed_round(closes_at=timezone.now() + datetime.timedelta(minutes=5))
    attempt = attempt_start(round=round, user=contestant())
    assert attempt.deadline == round.closes_at


def test_attempt_start_twice_returns_the_open_attempt():
    round = sealed_round()
    user = contestant()
    first = attempt_start(round=round, user=user)
    second = attempt_start(round=round, user=user)
    assert first.pk == second.pk
    assert Attempt.objects.count() == 1


@pytest.mark.parametrize(
    ("opens", "closes"),
    [(datetime.timedelta(hours=1), datetime.timedelta(days=2)), (-datetime.timedelta(days=8), -datetime.timedelta(days=1))],
)
def test_attempt_start_outside_the_window_is_refused(opens, closes):
    now = timezone.now()
    round = sealed_round(opens_at=now + opens, closes_at=now + closes)
    with pytest.raises(QuizError, match="không mở"):
        attempt_start(round=round, user=contestant())


def test_attempt_start_on_a_draft_round_is_refused():
    round = RoundFactory()
    with pytest.raises(QuizError):
        attempt_start(round=round, user=contestant())


def test_attempt_start_over_the_limit_is_refused():
    round = sealed_round(max_attempts=2)
    user = contestant()
    for _ in range(2):
        attempt = attempt_start(round=round, user=user)
        attempt_submit(attempt=attempt, user=user, answers={})
    with pytest.raises(QuizError, match="đã thi đủ 2 lần"):
        attempt_start(round=round, user=user)


def test_attempt_start_without_profile_is_refused():
    round = sealed_round()
    with pytest.raises(QuizError, match="hoàn thiện thông tin"):
        attempt_start(round=round, user=UserFactory())


def test_attempt_submit_scores_and_records_the_best_attempt():
    round = sealed_round()
    user = contestant()
    attempt = attempt_start(round=round, user=user)

    result = attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=17))

    assert (result.status, result.score) == (AttemptStatus.SUBMITTED, 17)
    assert AttemptQuestion.objects.filter(attempt=attempt, is_correct=True).count() == 17
    entry = RoundEntry.objects.get(round=round, user=user)
    assert (entry.score, entry.best_attempt_id, entry.attempts_count) == (17, attempt.pk, 1)

    better = attempt_start(round=round, user=user)
    attempt_submit(attempt=better, user=user, answers=answer_all(better, right=19))
    worse = attempt_start(round=round, user=user)
    attempt_submit(attempt=worse, user=user, answers=answer_all(worse, right=3))
    entry.refresh_from_db()
    assert (entry.score, entry.best_attempt_id, entry.attempts_count) == (19, better.pk, 3)


def test_attempt_submit_twice_scores_once():
    round = sealed_round()
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    answers = answer_all(attempt, right=20)

    first = attempt_submit(attempt=attempt, user=user, answers=answers)
    second = attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=0))

    assert (first.score, second.score) == (20, 20)
    assert RoundEntry.objects.get().attempts_count == 1


def test_attempt_submit_with_tampered_answers_is_refused_and_saved_answers_stay():
    round = sealed_round()
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    assert attempt_save_answer(attempt_id=attempt.pk, user=user, position=1, index=2)

    for answers in ({1: 9}, {99: 0}, {2: -1}):
        with pytest.raises(QuizError, match="không khớp"):
            attempt_submit(attempt=attempt, user=user, answers=answers)

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.OPEN
    assert attempt.items.get(position=1).chosen_index == 2


def test_someone_elses_attempt_cannot_be_saved_or_submitted():
    round = sealed_round()
    owner, other = contestant(), contestant()
    attempt = attempt_start(round=round, user=owner)

    assert attempt_save_answer(attempt_id=attempt.pk, user=other, position=1, index=0) is False
    with pytest.raises(QuizError, match="không phải của anh/chị"):
        attempt_submit(attempt=attempt, user=other, answers={})


def test_autosave_refuses_a_missing_option_or_after_the_deadline():
    round = sealed_round()
    user = contestant()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = attempt_start(round=round, user=user)

        assert attempt_save_answer(attempt_id=attempt.pk, user=user, position=1, index=4) is False
        clock.move_to(attempt.deadline + datetime.timedelta(seconds=1))
        assert attempt_save_answer(attempt_id=attempt.pk, user=user, position=1, index=0) is False


def test_late_submit_counts_only_what_was_saved_before_the_deadline():
    round = sealed_round()
    user = contestant()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = attempt_start(round=round, user=user)  # 15 minutes to answer
        answers = answer_all(attempt, right=20)
        clock.shift(datetime.timedelta(minutes=10))
        for position in (1, 2, 3):
            attempt_save_answer(attempt_id=attempt.pk, user=user, position=position, index=answers[position])
        clock.shift(datetime.timedelta(minutes=10))  # five minutes past the deadline, everything posted

        result = attempt_submit(attempt=attempt, user=user, answers=answers)

    assert result.score == 3
    assert result.duration_ms == 15 * 60 * 1000


def test_submit_within_the_grace_counts_the_posted_answers():
    round = sealed_round()
    user = contestant()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = attempt_start(round=round, user=user)
        clock.move_to(attempt.deadline + datetime.timedelta(seconds=5))

        result = attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=20))

    assert result.score == 20


def test_finalize_expired_attempts_closes_them_with_saved_answers():
    round = sealed_round()
    user = contestant()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = attempt_start(round=round, user=user)
        answers = answer_all(attempt, right=20)
        clock.shift(datetime.timedelta(minutes=1))
        attempt_save_answer(attempt_id=attempt.pk, user=user, position=1, index=answers[1])
        assert finalize_expired_attempts() == 0  # not yet
        clock.move_to(attempt.deadline + datetime.timedelta(minutes=1))

        assert finalize_expired_attempts() == 1
        assert finalize_expired_attempts() == 0

    attempt.refresh_from_db()
    assert (attempt.status, attempt.score) == (AttemptStatus.EXPIRED, 1)
    assert RoundEntry.objects.get().score == 1


def test_finalize_task_runs_the_service():
    round = sealed_round()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        attempt = attempt_start(round=round, user=contestant())
        clock.move_to(attempt.deadline + datetime.timedelta(minutes=1))

        assert tasks.finalize_expired_attempts.delay().get() == 1

import datetime

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.enums import Role
from quiz import ranking, selectors
from quiz.enums import PrizeTier
from quiz.errors import QuizError, SealedError
from quiz.models import BlueprintItem, Option, Prize, Question, Round, RoundQuestion
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.pool import blueprint_set, round_pool_add, round_pool_add_random, round_pool_copy
from quiz.services.prizes import prize_verify, round_prizes_draft, round_publish_results
from quiz.services.rounds import round_approve
from tests.factories import UserFactory, contestant, staff_user
from tests.quiz.factories import FieldFactory, QuestionFactory, RoundFactory, answer_all, sealed_round

pytestmark = pytest.mark.django_db


def test_round_approve_logs_who_and_when_and_seals_everything():
    organizer = staff_user(Role.ORGANIZER)
    round = sealed_round(organizer=organizer)
    question = round.pool.first().question

    assert (round.approved_by, round.approved_at is not None) == (organizer, True)
    with pytest.raises(SealedError), transaction.atomic():
        Option.objects.filter(question=question, letter="B").get().delete()
    option = Option.objects.get(question=question, letter="A")
    option.text = "Đổi đáp án"
    with pytest.raises(SealedError):
        option.save()
    question.text = "Sửa câu hỏi"
    with pytest.raises(SealedError):
        question.save()
    with pytest.raises(SealedError):
        round_pool_add(round=round, question_ids=[QuestionFactory().pk])
    with pytest.raises(SealedError), transaction.atomic():
        RoundQuestion.objects.filter(round=round).first().delete()
    with pytest.raises(SealedError):
        BlueprintItem.objects.create(round=round, field=FieldFactory(), count=1)
    with pytest.raises(QuizError, match="đã được duyệt"):
        round_approve(round=round, by=organizer)


def test_round_approve_refuses_a_pool_that_cannot_fill_the_blueprint():
    round = RoundFactory()
    a, b = FieldFactory(name="Điều lệ Đảng"), FieldFactory(name="Chi bộ kiểu mẫu")
    round_pool_add(round=round, question_ids=[QuestionFactory(field=a).pk for _ in range(18)] + [QuestionFactory(field=b).pk])
    blueprint_set(round=round, counts={a.pk: 15, b.pk: 5})

    with pytest.raises(QuizError, match="Lĩnh vực «Chi bộ kiểu mẫu» cần 5 câu mỗi bài nhưng bộ câu hỏi chỉ có 1 câu"):
        round_approve(round=round, by=UserFactory())
    assert Round.objects.get(pk=round.pk).approved_at is None


def test_round_approve_refuses_unapproved_questions_and_small_pools():
    round = RoundFactory()
    round_pool_add(round=round, question_ids=[QuestionFactory(status="draft").pk])
    with pytest.raises(QuizError) as exc:
        round_approve(round=round, by=UserFactory())
    assert "ít hơn số câu mỗi bài thi (20)" in exc.value.message
    assert "chưa được duyệt" in exc.value.message


def test_the_seed_weeks_can_be_set_up():
    """Week 1: 40, week 2: 40, week 3: 50 new + 50 of week 1, week 4: 200 — as the seed ran."""
    fields = [FieldFactory() for _ in range(5)]
    for i in range(330):
        QuestionFactory(field=fields[i % 5])
    week1, week2, week3, week4 = (RoundFactory(number=n) for n in (1, 2, 3, 4))
    week2.contest = week3.contest = week4.contest = week1.contest
    week3.closes_at = week4.closes_at = week1.closes_at + datetime.timedelta(days=1)
    for r in (week2, week3, week4):
        r.save()
    for field in fields:
        round_pool_add_random(round=week1, field=field, count=8)
        round_pool_add_random(round=week2, field=field, count=8)
        round_pool_add_random(round=week3, field=field, count=10)
    round_pool_copy(round=week3, source=week1)
    round_pool_add_random(round=week3, field=fields[0], count=10)
    week4_ids = list(Question.objects.values_list("pk", flat=True)[:200])
    round_pool_add(round=week4, question_ids=week4_ids)

    counts = [RoundQuestion.objects.filter(round=r).count() for r in (week1, week2, week3, week4)]
    assert counts == [40, 40, 100, 200]
    week1_ids = set(week1.pool.values_list("question_id", flat=True))
    assert week1_ids < set(week3.pool.values_list("question_id", flat=True))
    assert not week1_ids & set(week2.pool.values_list("question_id", flat=True))
    for r in (week1, week2):
        round_approve(round=r, by=UserFactory())
    # Week 1 shows its answers at its close, while weeks 3 and 4 are still open: their reuse of
    # its questions is sealed only when confirmed (quiz.selectors.pool_published_questions).
    for r in (week3, week4):
        with pytest.raises(QuizError, match="đã công bố đáp án"):
            round_approve(round=r, by=UserFactory())
        round_approve(round=r, by=UserFactory(), confirm_published=True)


def _finish(round, user, right, seconds, prediction=None):
    """An attempt started `seconds` ago and submitted now (the clock travels, no row is written by hand)."""
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(seconds=seconds), tick=False) as clock:
        attempt = attempt_start(round=round, user=user)
        clock.move_to(now)
        answers = answer_all(attempt, right=right)
        return attempt_submit(attempt=attempt, user=user, answers=answers, prediction=prediction)


def _close(round, clock):
    """The round closes: the clock (time-machine's fixture) moves past its closing time."""
    clock.move_to(round.closes_at + datetime.timedelta(seconds=1), tick=False)
    return Round.objects.get(pk=round.pk)


def test_ranking_score_then_time_and_prizes_skip_staff(time_machine):
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=0)
    fast, slow, low, clerk = contestant(), contestant(), contestant(), contestant()
    clerk.groups.add(*UserFactory(roles=[Role.SECRETARIAT]).groups.all())
    _finish(round, slow, 20, 90)
    _finish(round, fast, 20, 30)
    _finish(round, clerk, 20, 10)
    _finish(round, low, 19, 5)
    round = _close(round, time_machine)

    ranked = [e.user for e in selectors.leaderboard(round=round)]
    prizes = round_prizes_draft(round=round)

    assert ranked == [clerk, fast, slow, low]
    assert [(p.user, p.tier, p.rank) for p in prizes] == [
        (fast, PrizeTier.FIRST, 2), (slow, PrizeTier.SECOND, 3), (low, PrizeTier.THIRD, 4),
    ]  # fmt: skip


def test_prizes_are_drafted_only_after_close_and_published_once(time_machine):
    round = sealed_round(prizes_first=1, prizes_second=0, prizes_third=0, prizes_consolation=0)
    winner = contestant()
    _finish(round, winner, 20, 40)
    with pytest.raises(QuizError, match="sau khi tuần thi đã đóng"):
        round_prizes_draft(round=round)
    round = _close(round, time_machine)
    with pytest.raises(QuizError, match="Chưa có danh sách giải"):
        round_publish_results(round=round, by=UserFactory())

    round_prizes_draft(round=round)
    round_prizes_draft(round=round)  # a second draft replaces the first
    with pytest.raises(QuizError, match="chưa xác minh hết"):
        round_publish_results(round=round, by=UserFactory())
    prize_verify(prize=Prize.objects.get(), by=UserFactory(), valid=True)
    published = round_publish_results(round=round, by=UserFactory())

    assert Prize.objects.get().user == winner
    assert published.results_published_at is not None
    with pytest.raises(QuizError):
        round_publish_results(round=published, by=UserFactory())


def test_prediction_rule_breaks_ties_by_distance():
    round = sealed_round(tiebreaker_enabled=True, ranking_rule="score_prediction_time")
    near, far = contestant(), contestant()
    for user, guess, seconds in ((far, 50, 20), (near, 2, 60)):
        _finish(round, user, 20, seconds, prediction=guess)

    assert [e.user for e in ranking.ranked_entries(round=round)] == [near, far]


def test_tiebreaker_must_be_answered_before_submitting():
    round = sealed_round(tiebreaker_enabled=True)
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    with pytest.raises(QuizError, match="câu hỏi dự đoán"):
        attempt_submit(attempt=attempt, user=user, answers={})


def test_round_stats_add_up():
    round = sealed_round()
    a, b = contestant(), contestant()
    _finish(round, a, 20, 25)
    _finish(round, a, 19, 30)
    _finish(round, b, 19, 40)
    _finish(round, b, 10, 40)
    attempt_start(round=round, user=contestant())  # open: not counted

    stats = selectors.round_stats(round=round)

    assert (stats.participants, stats.attempts) == (2, 4)
    assert (stats.full_attempts, stats.full_people, stats.near_attempts, stats.near_people) == (1, 1, 2, 2)
    assert stats.fastest_full_ms == 25_000
    assert sum(count for _score, count in stats.distribution) == stats.attempts
    assert dict(stats.distribution)[10] == 1
    assert sum(q["shown"] for q in stats.per_question) == 4 * 20


def test_leaderboard_is_one_query(django_assert_num_queries):
    round = sealed_round()
    for seconds in (30, 40, 50):
        _finish(round, contestant(), 20, seconds)
    with django_assert_num_queries(1):
        rows = selectors.leaderboard(round=round)
        [(r.user.full_name, r.best_attempt.organization.name) for r in rows]


def test_a_winner_found_not_valid_is_replaced_by_the_next_contestant(time_machine):
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=0, prizes_consolation=0)
    first, second, third = contestant(), contestant(), contestant()
    _finish(round, first, 20, 30)
    _finish(round, second, 20, 40)
    _finish(round, third, 19, 20)
    round = _close(round, time_machine)
    round_prizes_draft(round=round)
    secretary = staff_user(Role.SECRETARIAT)
    prize_verify(prize=Prize.objects.get(user=second), by=secretary, valid=True, note="Đã gọi đơn vị xác nhận")
    with pytest.raises(QuizError, match="Cần ghi lý do"):
        prize_verify(prize=Prize.objects.get(user=first), by=secretary, valid=False)

    prize_verify(prize=Prize.objects.get(user=first), by=secretary, valid=False, note="Dùng tài khoản của người khác")

    prizes = {p.user: p for p in Prize.objects.filter(round=round)}
    assert prizes[first].status == "invalid" and prizes[first].verified_by == secretary
    assert (prizes[second].tier, prizes[second].status) == (PrizeTier.FIRST, "verified")
    assert (prizes[third].tier, prizes[third].status) == (PrizeTier.SECOND, "draft")

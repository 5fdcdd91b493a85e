import pytest
from django.core.management import call_command
from django.db.models import F

from contests.selectors import current_contest
from quiz.models import Attempt, Prize, RoundEntry
from reports import selectors

pytestmark = pytest.mark.django_db


def test_simulated_contest_is_consistent(capsys):
    call_command("simulate_contest", "--scale", "0.02", "--seed", "3")

    contest = current_contest()
    weeks, total = selectors.weekly_table(contest=contest)
    units = selectors.unit_table(contest=contest)

    assert len(weeks) == 4
    assert total.attempts == Attempt.objects.filter(round__contest=contest).count() == sum(w.attempts for w in weeks)
    assert total.participants == RoundEntry.objects.filter(round__contest=contest).count()
    assert sum(u.attempts for u in units) == total.attempts
    assert sum(u.full_attempts for u in units) == total.full_attempts
    assert sum(u.prize_total for u in units) == Prize.objects.filter(round__contest=contest).count() > 0
    assert [w.round.pool.count() for w in weeks] == [40, 40, 100, 200]
    for attempt in Attempt.objects.filter(round__contest=contest).select_related("round")[:200]:
        assert attempt.round.opens_at <= attempt.started_at < attempt.round.closes_at
        assert 0 <= attempt.score <= 20
    from essays.models import Essay, EssayPrize, JudgingRound

    essays = Essay.objects.filter(phase__contest=contest)
    assert essays.count() == 10
    assert [r.status for r in JudgingRound.objects.filter(phase__contest=contest).order_by("order")] == ["closed", "closed"]
    assert EssayPrize.objects.filter(essay__phase__contest=contest).count() == min(
        10, essays.filter(eligibility="eligible").count()
    )
    assert sum(u.essays_submitted for u in units) == essays.count()
    assert essays.filter(published_at__isnull=False).count() == EssayPrize.objects.filter(essay__phase__contest=contest).count()
    assert "Đã tạo" in capsys.readouterr().out


def test_simulated_rounds_are_sealed_and_attempts_keep_their_answers():
    from django.db.models import Count, Q

    from quiz.models import AttemptQuestion, Round, RoundSeal
    from quiz.seal import seal_verify

    call_command("simulate_contest", "--scale", "0.01", "--seed", "4")

    contest = current_contest()
    rounds = list(Round.objects.filter(contest=contest))
    assert RoundSeal.objects.filter(round__in=rounds).count() == len(rounds) == 4
    assert [seal_verify(r) for r in rounds] == [[], [], [], []]
    attempts = Attempt.objects.filter(round__contest=contest).annotate(
        n=Count("items"), right=Count("items", filter=Q(items__is_correct=True))
    )
    assert {(a.n, a.right == a.score) for a in attempts} == {(20, True)}
    late = AttemptQuestion.objects.filter(attempt__round__contest=contest, answered_at__gt=F("attempt__finished_at"))
    assert not late.exists()
    assert not Attempt.objects.filter(round__contest=contest, finished_at__gt=F("deadline")).exists()


def test_simulation_refuses_a_silly_scale():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--scale"):
        call_command("simulate_contest", "--scale", "500")


def test_simulated_attempts_are_drawn_by_the_real_draw_and_deadline():
    from collections import Counter

    from quiz.models import AttemptQuestion, Round, RoundQuestion
    from quiz.services.deadlines import attempt_deadline
    from reports.simulation import BLUEPRINT

    call_command("simulate_contest", "--scale", "0.01", "--seed", "6")

    contest = current_contest()
    week4 = Round.objects.get(contest=contest, number=4)
    assert sorted(week4.blueprint.values_list("count", flat=True), reverse=True) == BLUEPRINT
    pool = dict(RoundQuestion.objects.filter(round=week4).values_list("question_id", "question__field_id"))
    per_attempt = {}
    for attempt_id, question_id in AttemptQuestion.objects.filter(attempt__round=week4).values_list("attempt_id", "question_id"):
        assert question_id in pool  # from the round's sealed pool
        per_attempt.setdefault(attempt_id, Counter())[pool[question_id]] += 1
    wanted = dict(week4.blueprint.values_list("field_id", "count"))
    assert per_attempt and all(counts == wanted for counts in per_attempt.values())
    for attempt in Attempt.objects.filter(round__contest=contest).select_related("round")[:200]:
        assert attempt.deadline == attempt_deadline(round=attempt.round, started_at=attempt.started_at)

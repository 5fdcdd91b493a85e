"""The prediction tie-break needs the prediction question: a round ranked by «độ lệch dự đoán»
with the question off cannot be sealed (quiz.selectors.round_ranking_problems, asked by
round_problems and the admin's round form), so no round ranks contestants by a question they
never saw."""

import datetime

import pytest
from django.utils import timezone

from accounts.enums import Role
from quiz import selectors
from quiz.enums import RankingRule
from quiz.errors import QuizError
from quiz.models import Round
from quiz.services.pool import round_pool_add
from quiz.services.rounds import round_approve
from tests.admin.test_rounds import _round_form
from tests.factories import staff_user
from tests.quiz.factories import QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Cách xếp hạng dùng độ lệch dự đoán nhưng câu hỏi phụ dự đoán đang tắt"


@pytest.mark.parametrize("rule", RankingRule.values)
@pytest.mark.parametrize("question", [True, False])
def test_only_the_prediction_rule_without_the_question_is_a_problem(rule, question):
    problems = selectors.round_ranking_problems(ranking_rule=rule, tiebreaker_enabled=question)

    assert bool(problems) == (rule == RankingRule.SCORE_PREDICTION_TIME and not question)


@pytest.mark.parametrize("question", [True, False])
def test_a_round_ranked_by_prediction_seals_only_with_the_question(question):
    round = RoundFactory(ranking_rule=RankingRule.SCORE_PREDICTION_TIME, tiebreaker_enabled=question)
    round_pool_add(round=round, question_ids=[q.pk for q in QuestionFactory.create_batch(20)])
    organizer = staff_user(Role.ORGANIZER)

    if question:
        round_approve(round=round, by=organizer)
        assert Round.objects.get(pk=round.pk).is_sealed
    else:
        with pytest.raises(QuizError, match=MESSAGE):
            round_approve(round=round, by=organizer)
        assert not Round.objects.get(pk=round.pk).is_sealed
        assert MESSAGE in " ".join(selectors.round_problems(round=round))


def test_the_admin_form_refuses_the_prediction_rule_without_the_question(client):
    client.force_login(staff_user(Role.ORGANIZER))
    round = RoundFactory(
        opens_at=timezone.now() + datetime.timedelta(days=30), closes_at=timezone.now() + datetime.timedelta(days=36)
    )
    url = f"/admin/quiz/round/{round.pk}/change/"

    refused = client.post(url, _round_form(round, ranking_rule=RankingRule.SCORE_PREDICTION_TIME))

    assert refused.status_code == 200 and MESSAGE in refused.content.decode()
    assert Round.objects.get(pk=round.pk).ranking_rule == RankingRule.SCORE_TIME
    accepted = client.post(url, _round_form(round, ranking_rule=RankingRule.SCORE_PREDICTION_TIME, tiebreaker_enabled="on"))
    assert accepted.status_code == 302
    assert Round.objects.filter(pk=round.pk, ranking_rule=RankingRule.SCORE_PREDICTION_TIME, tiebreaker_enabled=True).exists()

"""The prediction on the tie-broken leaderboard: shown beside each entry with the count of full
scores it is compared with, once the round has closed and only under the prediction rule."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from quiz.enums import RankingRule
from tests.budgets import QUERIES
from tests.factories import contestant, staff_user
from tests.quiz.factories import sealed_round
from tests.quiz.test_phone_pages import _close, _crowd, _publish, _take

pytestmark = pytest.mark.django_db


def _prediction_round(**extra):
    return sealed_round(
        ranking_rule=RankingRule.SCORE_PREDICTION_TIME, tiebreaker_enabled=True, prizes_first=1, prizes_second=1,
        prizes_third=0, prizes_consolation=0, **extra,
    )  # fmt: skip


def _played(round):
    near, far, full = contestant(), contestant(), contestant()
    _take(round, full, right=20, seconds=90, prediction=1)
    _take(round, far, right=15, seconds=30, prediction=9)
    _take(round, near, right=15, seconds=60, prediction=2)
    return near, far, full


def test_published_prediction_leaderboard_shows_each_prediction_and_the_count(client, time_machine):
    round = _prediction_round()
    near, far, full = _played(round)
    round = _publish(round, time_machine)
    client.force_login(contestant())

    html = client.get(reverse("quiz:leaderboard", args=[round.pk])).content.decode()

    assert "Tuần này có 1 người đạt điểm tuyệt đối." in html
    assert html.count('data-cell="prediction"') == 3
    assert "Dự đoán 2 (lệch 1)" in html and "Dự đoán 9 (lệch 8)" in html and "Dự đoán 1 (lệch 0)" in html
    # The nearer prediction ranks the slower contestant above, and the page shows why.
    assert html.index(f'data-entry="{near.pk}"') < html.index(f'data-entry="{far.pk}"')


def test_no_prediction_on_the_live_leaderboard_before_close(client):
    round = _prediction_round()
    _played(round)
    client.force_login(staff_user(Role.ORGANIZER))  # may follow the ranking live

    html = client.get(reverse("quiz:leaderboard", args=[round.pk])).content.decode()

    assert html.count("data-entry=") == 3
    assert 'data-cell="prediction"' not in html and "data-prediction-rule" not in html


def test_staff_see_predictions_on_the_live_leaderboard_once_closed(client, time_machine):
    round = _prediction_round()
    _played(round)
    round = _close(round, time_machine)
    client.force_login(staff_user(Role.SECRETARIAT))

    html = client.get(reverse("quiz:leaderboard", args=[round.pk])).content.decode()

    assert html.count('data-cell="prediction"') == 3


def test_contestants_see_nothing_of_a_closed_round_before_publication(client, time_machine):
    round = _prediction_round()
    _played(round)
    round = _close(round, time_machine)
    client.force_login(contestant())

    html = client.get(reverse("quiz:leaderboard", args=[round.pk])).content.decode()

    assert "Dự đoán" not in html and "data-entry=" not in html


def test_score_time_rounds_show_no_prediction(client, time_machine):
    round = sealed_round(prizes_first=1, prizes_second=0, prizes_third=0, prizes_consolation=0)
    _take(round, contestant(), right=20, seconds=30)
    round = _publish(round, time_machine)

    html = client.get(reverse("quiz:leaderboard", args=[round.pk])).content.decode()

    assert "data-entry=" in html and 'data-cell="prediction"' not in html


def test_prediction_leaderboard_keeps_the_leaderboard_budget(client, django_assert_num_queries, time_machine):
    round = _prediction_round()
    first = _take(round, contestant(), right=20, seconds=30, prediction=1)
    round = _publish(round, time_machine)
    client.force_login(contestant())
    url = reverse("quiz:leaderboard", args=[round.pk])
    client.get(url)

    with django_assert_num_queries(QUERIES["leaderboard_page"]):
        one = client.get(url).content.decode()
    _crowd(round, 3, like=first, score=4)
    with django_assert_num_queries(QUERIES["leaderboard_page"]):
        four = client.get(url).content.decode()

    assert (one.count('data-cell="prediction"'), four.count('data-cell="prediction"')) == (1, 4)

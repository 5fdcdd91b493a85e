"""«Kết quả của tôi» lists the practice set's attempts apart from the contest's weekly rounds
(not ranked, no standing), and the review labels the contestant's choice «Anh/chị chọn»,
right or wrong."""

import re

import pytest
from django.urls import reverse

from quiz.enums import ReviewPolicy, RoundKind
from quiz.models import Attempt
from tests.factories import ContestFactory, contestant
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _play(client, round, *, right: int) -> Attempt:
    response = client.post(reverse("quiz:start", args=[round.pk]))
    attempt = Attempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", response["Location"]).group(1)))
    answers = answer_all(attempt, right=right)
    client.post(reverse("quiz:attempt", args=[attempt.pk]), {f"q{p}": i for p, i in answers.items()})
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def contest():
    return ContestFactory(status="published")


def test_practice_attempts_are_listed_apart_from_the_weekly_rounds(client, contest):
    weekly = sealed_round(contest=contest, name="Tuần thi thứ nhất")
    practice = sealed_round(contest=contest, kind=RoundKind.PRACTICE, name="Bộ câu hỏi mẫu")
    client.force_login(contestant())
    week_attempt = _play(client, weekly, right=12)
    first, second = _play(client, practice, right=5), _play(client, practice, right=9)

    html = client.get(reverse("quiz:my_results"), {"contest": contest.slug}).content.decode()

    section = html[html.index("data-practice-attempts") :]
    standings = html[: html.index("data-practice-attempts")]
    for attempt in (first, second):
        assert reverse("quiz:result", args=[attempt.pk]) in section
        assert reverse("quiz:result", args=[attempt.pk]) not in standings
    assert "5/20" in section and "9/20" in section
    assert reverse("quiz:result", args=[week_attempt.pk]) in standings
    assert reverse("quiz:result", args=[week_attempt.pk]) not in section
    assert standings.count('class="card standing"') == 1  # the weekly round only: practice has no standing
    assert "Bộ câu hỏi mẫu" not in standings


def test_only_practice_attempts_still_shows_them(client, contest):
    practice = sealed_round(contest=contest, kind=RoundKind.PRACTICE, name="Bộ câu hỏi mẫu")
    client.force_login(contestant())
    attempt = _play(client, practice, right=3)

    html = client.get(reverse("quiz:my_results"), {"contest": contest.slug}).content.decode()

    assert "Anh/chị chưa làm bài thi tuần nào; các bài thi thử ở bên dưới." in html
    assert reverse("quiz:result", args=[attempt.pk]) in html[html.index("data-practice-attempts") :]


def test_the_practice_review_labels_every_choice_right_or_wrong(client, contest):
    practice = sealed_round(contest=contest, kind=RoundKind.PRACTICE, review_policy=ReviewPolicy.AFTER_CLOSE)
    client.force_login(contestant())
    attempt = _play(client, practice, right=7)

    html = client.get(reverse("quiz:result", args=[attempt.pk])).content.decode()

    assert html.count("data-chosen") == 20  # every question answered: 7 right, 13 wrong
    right_cards = re.findall(r'<section class="card review review-right">(.*?)</section>', html, re.S)
    assert len(right_cards) == 7
    assert all("Anh/chị chọn" in card and "Đáp án đúng" in card for card in right_cards)

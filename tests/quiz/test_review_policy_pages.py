"""A finished attempt shows its score and time always; which questions were right, the right
options and anything "is_correct" only when the round's review policy allows it
(quiz.selectors.review_allowed) — for every policy, round open or closed, weekly or practice.
Reading the score of each attempt is all a harvester gets while the round is open."""

import datetime
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz import selectors
from quiz.enums import ReviewPolicy, RoundKind
from quiz.models import Attempt, Option, Round
from tests.factories import contestant
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db

# What the contest promises, written out case by case (not derived from the selector under test).
EXPECTED = {
    (ReviewPolicy.IMMEDIATE, "open", False): True,
    (ReviewPolicy.IMMEDIATE, "closed", False): True,
    (ReviewPolicy.AFTER_CLOSE, "open", False): False,
    (ReviewPolicy.AFTER_CLOSE, "closed", False): True,
    (ReviewPolicy.NONE, "open", False): False,
    (ReviewPolicy.NONE, "closed", False): False,
    # The practice set is for learning: its key is shown after every attempt, whatever is set.
    **{(policy, state, True): True for policy in ReviewPolicy for state in ("open", "closed")},
}

MARKS = ("review-right", "review-wrong", "Đáp án đúng", "Anh/chị chọn", "is_correct", 'class="correct', "correct")


@pytest.mark.parametrize(
    "policy,state,practice", list(itertools.product(ReviewPolicy, ("open", "closed"), (False, True)))
)  # fmt: skip
def test_result_page_shows_the_key_only_when_the_policy_allows(client, policy, state, practice):
    kind = RoundKind.PRACTICE if practice else RoundKind.WEEKLY
    round = sealed_round(review_policy=policy, kind=kind, attempts_per_day=None, min_start_interval_minutes=None)
    user = contestant()
    client.force_login(user)
    response = client.post(reverse("quiz:start", args=[round.pk]))
    attempt = Attempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", response["Location"]).group(1)))
    answers = answer_all(attempt, right=7)
    client.post(reverse("quiz:attempt", args=[attempt.pk]), {f"q{p}": i for p, i in answers.items()})
    if state == "closed":
        # Behind the seal's back, as time would: the window is over.
        Round.objects.filter(pk=round.pk).update(
            opens_at=timezone.now() - datetime.timedelta(days=8), closes_at=timezone.now() - datetime.timedelta(minutes=1)
        )
    attempt.refresh_from_db()
    allowed = EXPECTED[(policy, state, practice)]

    html = client.get(reverse("quiz:result", args=[attempt.pk])).content.decode()
    pages = {
        "result": html,
        "round": client.get(reverse("quiz:round", args=[round.pk])).content.decode(),
        "mine": client.get(reverse("quiz:my_results")).content.decode(),
    }

    assert selectors.review_allowed(attempt=attempt) is allowed
    assert "7/20" in html and "Thời gian làm bài" in html  # score and time, always
    right_texts = set(
        Option.objects.filter(pk__in=[oid for item in attempt.items.all() for oid in item.option_ids], is_correct=True)
        .values_list("text", flat=True)
    )  # fmt: skip
    if allowed:
        assert "Đáp án đúng" in html and "review-right" in html and "review-wrong" in html
        assert right_texts <= {t for t in right_texts if t in html}
        return
    for name, page in pages.items():
        for mark in MARKS:
            assert mark not in page, (name, mark)
        shown = [t for t in right_texts if t in page]
        assert shown == [], (name, shown)
    # Not even the questions: the page has nothing to lay a guess against.
    assert all(item.question.text not in html for item in attempt.items.select_related("question"))

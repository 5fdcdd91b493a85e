"""On a phone (390×844): the page of a shared result with its two share buttons, and the
leaderboard of a closed round ranked by the prediction, each prediction under its name."""

import datetime
from urllib.parse import quote

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quiz.enums import RankingRule
from quiz.models import ResultShare, Round
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.prizes import round_prizes_draft
from tests.browser.conftest import PHONE, assert_fits_phone, screenshot
from tests.browser.test_phone_screens import _take
from tests.factories import contestant
from tests.quiz.factories import answer_all, sealed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _published(**extra):
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=0, prizes_consolation=0, **extra)
    people = [
        contestant(user__email="thao@example.com", user__full_name="Nguyễn Thị Phương Thảo"),
        contestant(user__full_name="Hoàng Văn Trường Giang"),
        contestant(user__full_name="Lê Minh"),
    ]
    return round, people


def _publish(round):
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    round = Round.objects.get(pk=round.pk)
    round_prizes_draft(round=round)
    round.prizes.update(status="verified")
    Round.objects.filter(pk=round.pk).update(results_published_at=timezone.now())
    return Round.objects.get(pk=round.pk)


def _in_width(locator):
    box = locator.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box


def test_a_shared_result_fits_the_phone_with_both_buttons(page, login, tmp_path):
    round, (me, *others) = _published()
    _take(round, me, right=20, seconds=95)
    for person in others:
        _take(round, person, right=12, seconds=300)
    round = _publish(round)
    login(me.email)
    page.goto(f"{page.base_url}/quiz/my-results/")
    page.locator("[data-share-form] summary").click()
    assert_fits_phone(page)
    page.locator("[data-share-form]").screenshot(path=str(tmp_path / "my-results-share-form-390.png"))
    page.get_by_role("button", name="Tạo trang chia sẻ").click()

    share = ResultShare.objects.get()
    expect(page).to_have_url(f"{page.base_url}/share/{share.token}/")
    assert_fits_phone(page)
    expect(page.locator("[data-prize]")).to_have_text("Giải Nhất")
    for button in ("[data-share-zalo]", "[data-share-facebook]"):
        _in_width(page.locator(button))
        assert page.locator(button).bounding_box()["height"] >= 44
    page.screenshot(path=str(tmp_path / "share-owner-390.png"), full_page=True)
    page.context.clear_cookies()
    page.goto(f"{page.base_url}/share/{share.token}/")
    expect(page.locator("[data-share-owner]")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "share-public-390.png"), full_page=True)


def test_the_prediction_leaderboard_fits_the_phone(page, login, tmp_path):
    round, people = _published(ranking_rule=RankingRule.SCORE_PREDICTION_TIME, tiebreaker_enabled=True)
    for person, (right, prediction) in zip(people, [(20, 3), (18, 1), (18, 40)], strict=True):
        attempt = attempt_start(round=round, user=person)
        attempt_submit(attempt=attempt, user=person, answers=answer_all(attempt, right=right), prediction=prediction)
    round = _publish(round)
    login(people[0].email)

    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/leaderboard/")

    assert_fits_phone(page)
    expect(page.locator("[data-prediction-rule]")).to_be_visible()
    cells = page.locator("[data-cell=prediction]")
    expect(cells).to_have_count(3)
    for i in range(3):
        _in_width(cells.nth(i))
    expect(cells.nth(1)).to_have_text("Dự đoán 1 (lệch 0)")
    page.screenshot(path=str(tmp_path / "leaderboard-predictions-390.png"), full_page=True)


def test_a_certificate_is_shared_from_my_results_on_the_phone(page, login):
    """Each valid certificate on «Kết quả của tôi» has its two share buttons, in the width of the
    phone and big enough for a thumb; they share the verification page, which has the card."""
    from awards.certificates import certificates_issue, verify_url
    from awards.models import Certificate

    round, (me, *others) = _published()
    _take(round, me, right=20, seconds=95)
    for person in others:
        _take(round, person, right=12, seconds=300)
    round = _publish(round)
    certificates_issue(contest=round.contest)
    login(me.email)
    page.goto(f"{page.base_url}/quiz/my-results/")

    shares = page.locator("[data-certificate-share]")
    expect(shares).to_have_count(Certificate.objects.filter(user=me).count())
    assert_fits_phone(page)
    for link in shares.first.locator("a").all():
        _in_width(link)
        assert link.bounding_box()["height"] >= 44
    prize = Certificate.objects.get(user=me, kind=Certificate.Kind.QUIZ_PRIZE)
    assert quote(verify_url(prize.code), safe="") in page.locator("[data-my-certificates]").inner_html()
    page.locator("[data-my-certificates]").scroll_into_view_if_needed()
    screenshot(page, "my-results-certificate-share-390", full_page=False)

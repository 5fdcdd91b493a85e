"""«Giải bình chọn» on screen: the secretariat's award decision page lists it with its amount (1366×768);
the essay's submitter finds its award form on «Kết quả của tôi» (390×844). Screenshots go to
$SCREENSHOTS_OUT when set."""

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from awards import winner_details as wd
from awards.models import VOTE_TIER, AwardPart, PrizeAmount
from tests.browser.conftest import PHONE, STAFF, assert_fits_phone
from tests.browser.conftest import screenshot as _shot
from tests.essays.factories import vote_prize
from tests.factories import ContestFactory, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_vote_prize_on_the_award_page_and_the_winners_results(page, login):
    contest = ContestFactory()
    prize = vote_prize(contest)
    PrizeAmount.objects.create(contest=contest, part=AwardPart.ESSAY, tier=VOTE_TIER, amount=3_000_000)
    secretary = staff_user(Role.SECRETARIAT)
    winner = wd.winner_prize("vote", prize.pk)
    wd.winner_details_request(winner=winner, by=secretary)

    page.set_viewport_size(STAFF)
    login(secretary.email)
    page.goto(f"{page.base_url}/reports/awards/decision/?contest={contest.slug}")
    expect(page.locator("[data-award-line]")).to_contain_text("Bình chọn của bạn đọc – Giai đoạn 2")
    expect(page.locator("[data-award-downloads]")).to_be_visible()
    _shot(page, "award-decision-vote-prize-1366")

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    login(prize.essay.submitter.email)
    page.goto(f"{page.base_url}/quiz/my-results/?contest={contest.slug}")
    expect(page.get_by_text(f"Giải bình chọn – {prize.essay.title}")).to_be_visible()
    expect(page.get_by_role("link", name="Cung cấp thông tin nhận giải")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "my-results-vote-prize-390")

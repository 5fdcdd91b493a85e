"""The decisive moments on screen: the secretariat finds the first winner not valid (deciding the
integrity case beside the verdict) and verifies the others at 1366×768; the organizer publishes
through the confirmation page; the public leaderboard and the contestant's «Kết quả của tôi» at
390×844 leave her out with a note and tell her why. Screenshots go to $SCREENSHOTS_OUT when set."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from audit.models import IntegrityDecision
from quiz.models import Prize, Round, RoundEntry
from quiz.services.prizes import round_prizes_draft
from tests.awards.test_prize_lifecycle import _take
from tests.browser.conftest import PHONE, STAFF, assert_fits_phone
from tests.browser.conftest import screenshot as _shot
from tests.factories import contestant, staff_user
from tests.quiz.factories import sealed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invalid_winner_on_every_screen(page, login):
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=1, prizes_consolation=0)
    names = ("Nguyễn Thị An", "Trần Văn Bình", "Lê Thị Cúc", "Phạm Văn Dũng", "Hoàng Thị Em")
    people = [contestant(user__full_name=name) for name in names]
    for user, (right, seconds) in zip(people, [(20, 22), (20, 95), (19, 120), (18, 130), (17, 140)]):
        _take(round, user, right, seconds)
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    round_prizes_draft(round=Round.objects.get(pk=round.pk))
    an = people[0]

    secretary = staff_user(Role.SECRETARIAT)
    page.set_viewport_size(STAFF)
    login(secretary.email)
    page.goto(f"{page.base_url}/reports/rounds/{round.pk}/winners/")
    card = page.locator(f"[data-winner='{an.email}']")
    expect(card.locator("[data-prize-cases]")).to_be_visible()  # her fast full score, undecided
    _shot(page, "winners-before-1366")
    card.get_by_label("Ghi chú").fill("Đơn vị xác nhận không phải người dự thi")
    card.get_by_role("button", name="Không hợp lệ").click()
    for user in people[1:4]:
        page.locator(f"[data-winner='{user.email}']").get_by_role("button", name="Xác minh hợp lệ").click()
        expect(page.get_by_text(f"Đã ghi kết quả xác minh: {user.full_name}.")).to_be_visible()
    _shot(page, "winners-after-1366")
    assert IntegrityDecision.objects.get(key=f"fast:{an.pk}").verdict == "disqualify"
    assert RoundEntry.objects.get(user=an).disqualified

    organizer = staff_user(Role.ORGANIZER)
    page.context.clear_cookies()
    login(organizer.email)
    page.goto(f"{page.base_url}/quiz/manage/rounds/{round.pk}/")
    _shot(page, "manage-round-1366")
    page.get_by_role("link", name="Công bố kết quả").click()
    expect(page.locator("[data-publish-summary]")).to_be_visible()
    _shot(page, "publish-confirm-1366")
    page.get_by_label("Tôi đã xem danh sách trên và đồng ý công bố.").check()
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.get_by_text("Đã công bố kết quả tuần thi.")).to_be_visible()
    assert Round.objects.get(pk=round.pk).results_published_at is not None

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    login(an.email)
    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/leaderboard/")
    expect(page.locator("[data-removed]")).to_be_visible()
    assert an.full_name not in page.locator("table.board").inner_text()
    assert_fits_phone(page)
    _shot(page, "leaderboard-390")
    page.goto(f"{page.base_url}/quiz/my-results/")
    expect(page.locator("[data-prize-invalid]")).to_contain_text("Đơn vị xác nhận không phải người dự thi")
    assert_fits_phone(page)
    _shot(page, "my-results-invalid-390")

    page.context.clear_cookies()
    login(people[1].email)
    page.goto(f"{page.base_url}/quiz/my-results/")
    expect(page.locator("[data-place]").first).to_have_text("thứ 1 / 4")
    expect(page.locator("[data-prize]").first).to_have_text("Giải Nhất")
    _shot(page, "my-results-moved-up-390")
    assert Prize.objects.get(user=people[1]).tier == "first"


def test_publication_waits_on_an_open_case_and_the_essay_pages(page, login):
    from essays import judging
    from quiz.services.prizes import prize_verify
    from tests.awards.test_prize_lifecycle import _essay_final

    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=0, prizes_consolation=0)
    people = [contestant(user__full_name=name) for name in ("Đỗ Thị Giang", "Vũ Văn Hải", "Bùi Thị Lan")]
    for user, (right, seconds) in zip(people, [(20, 95), (20, 18), (19, 120)]):
        _take(round, user, right, seconds)
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    secretary, organizer = staff_user(Role.SECRETARIAT), staff_user(Role.ORGANIZER)
    for prize in round_prizes_draft(round=Round.objects.get(pk=round.pk)):
        prize_verify(prize=prize, by=secretary, valid=True)
    final, _ranked = _essay_final(n=4)
    judging.prizes_award(round=final, plan=[("first", 1), ("second", 1), ("third", 1)])
    judging.prize_verify(prize=judging.EssayPrizes().prizes(final).order_by("rank").first(), by=secretary, valid=True)

    page.set_viewport_size(STAFF)
    login(organizer.email)
    page.goto(f"{page.base_url}/reports/rounds/{round.pk}/publish/")
    expect(page.locator("[data-open-cases]")).to_be_visible()  # Vũ Văn Hải's 18-second full score
    _shot(page, "publish-confirm-open-case-1366")
    page.get_by_label("Tôi đã xem danh sách trên và đồng ý công bố.").check()
    page.get_by_label("Lý do vẫn công bố").fill("Đơn vị đã xác nhận trực tiếp")
    page.get_by_role("button", name="Công bố kết quả").click()
    expect(page.get_by_text("Đã công bố kết quả tuần thi.")).to_be_visible()

    page.goto(f"{page.base_url}/reports/essays/winners/")
    expect(page.locator("[data-verified-group]")).to_be_visible()
    _shot(page, "essay-winners-1366")
    page.goto(f"{page.base_url}/reports/essays/rounds/{final.pk}/publish/")
    expect(page.locator("[data-publish-refusal]")).to_be_visible()  # two prizes still await a verdict
    _shot(page, "essay-publish-refused-1366")

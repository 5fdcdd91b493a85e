"""The contestant's phone (390×844): tables whose five figures stay on the screen, the attempt
page's sticky bar and navigator, submitting without a network, the time-out with an empty
prediction, the unit picker and the essay's word count."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import OrganizationKind
from quiz.models import Attempt, Round, RoundEntry
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.prizes import round_prizes_draft
from tests.browser.conftest import PHONE, assert_fits_phone
from tests.essays.factories import EssayPhaseFactory
from tests.factories import OrganizationFactory, contestant
from tests.quiz.factories import answer_all, sealed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CELLS = ["rank", "name", "unit", "score", "time"]


def _take(round, user, *, right: int, seconds: int):
    attempt = attempt_start(round=round, user=user)
    attempt = attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right))
    Attempt.objects.filter(pk=attempt.pk).update(duration_ms=seconds * 1000)
    RoundEntry.objects.filter(best_attempt=attempt).update(duration_ms=seconds * 1000)


def _assert_in_width(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None, locator
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (locator, box)


def _assert_on_screen(page, locator) -> None:
    box = locator.bounding_box()
    assert box is not None, locator
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (locator, box)
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (locator, box)


def test_leaderboard_and_my_results_keep_rank_name_unit_score_and_time_on_the_screen(page, login):
    committee = OrganizationFactory(name="Đảng bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Bắc Yên Bái")
    cell = OrganizationFactory(name="Chi bộ Phòng Kế hoạch - Kinh doanh", kind=OrganizationKind.CELL, parent=committee)
    round = sealed_round(prizes_first=1, prizes_second=1, prizes_third=0, prizes_consolation=0)
    me = contestant(user__email="toi@example.com", user__full_name="Nguyễn Thị Phương Thảo", organization=cell)
    others = [contestant(user__full_name=f"Hoàng Văn Trường Giang {n}", organization=cell) for n in range(2)]
    _take(round, others[0], right=20, seconds=95)
    _take(round, me, right=19, seconds=212)
    _take(round, others[1], right=12, seconds=600)
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    round = Round.objects.get(pk=round.pk)
    round_prizes_draft(round=round)
    round.prizes.update(status="verified")
    Round.objects.filter(pk=round.pk).update(results_published_at=timezone.now())
    login(me.email)

    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/leaderboard/")
    assert_fits_phone(page)
    rows = page.locator("tr[data-entry]")
    expect(rows).to_have_count(3)
    for i in range(3):
        for cell_name in CELLS:
            _assert_in_width(page, rows.nth(i).locator(f"[data-cell={cell_name}]"))
    mine = page.locator(f"tr[data-entry='{me.pk}']")
    expect(mine.get_by_text("Bạn", exact=True)).to_be_visible()
    expect(mine.locator("[data-cell=unit]")).to_have_text(
        "Đảng bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Bắc Yên Bái › Chi bộ Phòng Kế hoạch - Kinh doanh"
    )
    expect(rows.nth(0).locator("[data-prize]")).to_have_text("Giải Nhất")

    page.goto(f"{page.base_url}/quiz/my-results/")
    assert_fits_phone(page)
    expect(page.locator("[data-place]")).to_have_text("thứ 2 / 3")
    row = page.locator("table.data tbody tr").first
    for cell in row.locator("td").all():
        _assert_in_width(page, cell)


def _start(page, round):
    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/$"))


def test_the_bar_stays_in_view_at_the_bottom_and_leads_to_unanswered_questions(page, login):
    round = sealed_round(tiebreaker_enabled=True)
    user = contestant(user__email="thanh.dieu.huong@example.com")
    login(user.email)
    _start(page, round)
    bar = page.locator("[data-bar]")
    expect(page.locator("[data-answered]")).to_have_text("0")
    expect(bar).to_contain_text("/21")  # the prediction counts as a question

    for position in (1, 2, 3):
        page.locator(f"#q-{position} input").first.check()
    expect(page.locator("[data-save-status]")).to_have_text(re.compile(r"^Đã lưu"))

    # At the very bottom of the page the bar, its countdown and its save status are on the screen.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_timeout(200)
    _assert_on_screen(page, bar)
    _assert_on_screen(page, page.locator("[data-countdown]"))
    _assert_on_screen(page, page.locator("[data-save-status]"))

    # «Câu chưa làm» from the top: question 4, just under the bar, not hidden behind it.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("[data-next-unanswered]").click()
    question = page.locator("#q-4")
    _assert_on_screen(page, question.locator("legend"))
    assert question.bounding_box()["y"] >= bar.bounding_box()["y"] + bar.bounding_box()["height"] - 1
    expect(page.locator("#q-4 input").first).to_be_focused()

    # The list of questions: answered ones marked, a tap goes to the question.
    page.locator("[data-qnav] summary").click()
    expect(page.locator("[data-nav='1']")).to_have_class(re.compile("is-answered"))
    expect(page.locator("[data-nav='12']")).not_to_have_class(re.compile("is-answered"))
    page.locator("[data-nav='prediction']").click()
    _assert_on_screen(page, page.locator("#q-prediction legend"))
    page.locator("#id_prediction").fill("7")
    expect(page.locator("[data-answered]")).to_have_text("4")
    assert_fits_phone(page)


def test_submit_without_a_network_waits_with_a_message_and_goes_through_when_it_returns(page, login):
    round = sealed_round()
    user = contestant(user__email="mat.mang@example.com")
    login(user.email)
    _start(page, round)
    attempt = Attempt.objects.get(user=user)
    answers = answer_all(attempt, right=15)
    for position, index in answers.items():
        page.locator(f"#q-{position} input[value='{index}']").check()
    expect(page.locator("[data-save-status]")).to_have_text(re.compile(r"^Đã lưu"))

    page.context.set_offline(True)
    page.get_by_role("button", name="Nộp bài").click()
    wait = page.locator("[data-submit-wait]")
    expect(wait).to_be_visible()
    expect(wait).to_contain_text("Chưa có mạng")
    _assert_on_screen(page, wait)
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/$"))  # still the page, not an error page
    attempt.refresh_from_db()
    assert attempt.status == "open"

    page.context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/result/$"), timeout=15_000)
    expect(page.locator("[data-score]")).to_have_text("15/20")


def test_time_out_with_an_empty_prediction_submits_without_an_error(page, login):
    round = sealed_round(tiebreaker_enabled=True)
    user = contestant(user__email="het.gio@example.com")
    login(user.email)
    _start(page, round)
    attempt = Attempt.objects.get(user=user)
    answers = answer_all(attempt, right=6)
    for position, index in list(answers.items())[:6]:
        page.locator(f"#q-{position} input[value='{index}']").check()
    expect(page.locator("[data-save-status]")).to_have_text(re.compile(r"^Đã lưu"))

    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + datetime.timedelta(seconds=4))
    page.reload()
    expect(page).to_have_url(re.compile(r"/quiz/attempts/\d+/result/$"), timeout=20_000)

    expect(page.locator("[data-score]")).to_have_text("6/20")
    expect(page.locator(".message-error")).to_have_count(0)
    attempt.refresh_from_db()
    assert (attempt.status, attempt.prediction) == ("submitted", None)


def test_the_unit_picker_shows_paths_and_chooses_only_on_a_tap(page, login):
    tax = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh")
    bank = OrganizationFactory(name="Đảng bộ Kho bạc Nhà nước tỉnh")
    tax_cell = OrganizationFactory(name="Chi bộ Phòng Tổng hợp", kind=OrganizationKind.CELL, parent=tax)
    OrganizationFactory(name="Chi bộ Phòng Tổng hợp", kind=OrganizationKind.CELL, parent=bank)
    user = contestant(user__email="chon.don.vi@example.com", user__full_name="Lê Thị Chọn")
    login(user.email)

    page.goto(f"{page.base_url}/accounts/profile/")
    select = page.locator("#id_organization")
    before = select.input_value()
    page.get_by_label("Tìm đơn vị…").fill("phong tong hop")
    results = page.locator(".unit-picker").get_by_role("option")
    expect(results).to_have_count(2)
    expect(results.nth(0)).to_have_text(re.compile(r"Đảng bộ Cục Thuế tỉnh ›\s*Chi bộ Phòng Tổng hợp"))
    expect(results.nth(1)).to_have_text(re.compile(r"Đảng bộ Kho bạc Nhà nước tỉnh ›\s*Chi bộ Phòng Tổng hợp"))
    assert select.input_value() == before  # typing chose nothing
    assert_fits_phone(page)

    results.nth(0).tap()
    assert select.input_value() == str(tax_cell.pk)
    expect(page.locator("[data-unit-chosen]")).to_have_text("Đã chọn: Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Tổng hợp")
    expect(results).to_have_count(0)

    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.get_by_text("Đã lưu thông tin cá nhân.")).to_be_visible()
    user.profile.refresh_from_db()
    assert user.profile.organization == tax_cell


def test_the_essay_form_counts_words_as_they_are_typed(page, login):
    EssayPhaseFactory(min_words=5, max_words=8)
    user = contestant(user__email="viet.bai@example.com")
    login(user.email)

    page.goto(f"{page.base_url}/essays/new/")
    counter = page.locator("[data-word-count]")
    page.locator("#id_body").fill("Chi bộ kiểu mẫu")
    expect(counter).to_have_text("4 chữ — cần ít nhất 5 chữ (tối đa 8).")
    page.locator("#id_body").fill("Chi bộ kiểu mẫu, đảng viên tiêu biểu")
    expect(counter).to_have_text("8 chữ — trong khoảng 5–8 chữ.")
    page.locator("#id_body").fill("Chi bộ kiểu mẫu, đảng viên tiêu biểu của cơ quan")
    expect(counter).to_have_text("11 chữ — vượt quá 8 chữ cho phép.")

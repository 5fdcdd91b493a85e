"""An erratum on screen: the organizer re-keys a question of a published week in the admin, through
the form and the confirmation page (1366×768); the public round page then shows the erratum under
«Mã niêm phong» with its reason, the answers accepted, the new key file's fingerprint and its
download, on a phone (390×844). Screenshots go to $SCREENSHOTS_OUT when set."""

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from quiz.models import AttemptQuestion, Option, RoundErratum
from tests.browser.conftest import PHONE, STAFF, assert_fits_phone
from tests.browser.conftest import screenshot as _shot
from tests.factories import staff_user
from tests.quiz.test_errata import REASON, _played, _publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_erratum_from_the_admin_to_the_public_page(page, login):
    round, people = _played(rights=(20, 19, 18, 17))
    round = _publish(round)
    item = AttemptQuestion.objects.get(attempt__round=round, attempt__user=people[1], position=20)
    question = item.question
    her_letter = Option.objects.get(pk=item.option_ids[item.chosen_index]).letter  # wrong by the seal
    # Whoever else answered that question with her letter gains a point too (the wrong answers are drawn at random).
    gain = sum(
        1
        for row in AttemptQuestion.objects.filter(attempt__round=round, question=question, is_correct=False)
        if row.chosen_index is not None and Option.objects.get(pk=row.option_ids[row.chosen_index]).letter == her_letter
    )

    page.set_viewport_size(STAFF)
    login(staff_user(Role.ORGANIZER).email)
    page.goto(f"{page.base_url}/admin/quiz/round/{round.pk}/change/")
    page.locator("[data-erratum]").click()
    page.locator("#id_question").select_option(str(question.pk))
    page.get_by_role("radio", name="Sửa đáp án").check()
    page.get_by_role("checkbox", name="A", exact=True).check()
    page.get_by_role("checkbox", name=her_letter, exact=True).check()
    page.get_by_label("Lý do đính chính").fill(REASON)
    page.get_by_role("button", name="Xem trước thay đổi").click()
    confirmation = page.locator("[data-erratum-confirmation]")
    expect(confirmation).to_be_visible()
    expect(confirmation.locator("[data-gain]")).to_have_text(str(gain))
    expect(confirmation.locator("[data-published]")).to_be_visible()
    _shot(page, "erratum-confirmation-1366")
    page.get_by_role("button", name="Xác nhận đính chính").click()
    expect(page.get_by_text(f"Đã đính chính đáp án câu {question.code}")).to_be_visible()
    erratum = RoundErratum.objects.get()

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(f"{page.base_url}/quiz/rounds/{round.pk}/#dinh-chinh")
    block = page.locator("[data-erratum='1']")
    expect(block).to_contain_text(f"Sửa đáp án câu {question.code}")
    expect(block).to_contain_text(f"Đáp án được chấm đúng: A, {her_letter}.")
    expect(block).to_contain_text(REASON)
    expect(block.locator("[data-erratum-fingerprint]")).to_have_attribute("data-erratum-fingerprint", erratum.sha256)
    expect(block.get_by_role("link", name="Tải tệp đính chính số 1")).to_be_visible()
    assert_fits_phone(page)
    page.locator("#niem-phong").scroll_into_view_if_needed()
    _shot(page, "erratum-public-390")

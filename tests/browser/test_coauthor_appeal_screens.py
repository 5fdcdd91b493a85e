"""A co-author's appeal on screen: «Kết quả của tôi» offers «Khiếu nại» on the essay (390×844), the
form files it; the secretariat's list marks the co-author and offers the workbook (1366×768).
Screenshots go to $SCREENSHOTS_OUT when set."""

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from audit.models import Appeal
from tests.audit.test_appeals_coauthors import REASON, _judged_essay, _person
from tests.browser.conftest import PHONE, STAFF, assert_fits_phone
from tests.browser.conftest import screenshot as _shot
from tests.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coauthor_appeals_from_my_results_and_the_office_sees_it(page, login):
    coauthor = _person()
    essay = _judged_essay(coauthor_phone=coauthor.phone)
    contest = essay.phase.contest.slug

    page.set_viewport_size(PHONE)
    login(coauthor.email)
    page.goto(f"{page.base_url}/quiz/my-results/?contest={contest}")
    expect(page.locator("[data-appeals]")).to_contain_text(essay.title)
    assert_fits_phone(page)
    _shot(page, "my-results-coauthor-appeal-390")
    page.locator("[data-appeal-new]").click()
    page.get_by_label("Nội dung khiếu nại").fill(REASON)
    page.get_by_role("button", name="Gửi khiếu nại").click()
    expect(page.get_by_text("Đã gửi khiếu nại.")).to_be_visible()
    assert Appeal.objects.get().appellant == coauthor

    page.context.clear_cookies()
    page.set_viewport_size(STAFF)
    login(staff_user(Role.SECRETARIAT).email)
    page.goto(f"{page.base_url}/reports/appeals/?contest={contest}")
    expect(page.locator("[data-coauthor]")).to_be_visible()
    expect(page.locator("[data-appeals-export]")).to_be_visible()
    _shot(page, "appeals-list-coauthor-1366")

"""An appeal against a refusal at screening on screen: the submitter's essay page offers «Khiếu nại»
(390×844); the secretariat's appeal page shows the screening's reasons (1366×768). Screenshots go
to $SCREENSHOTS_OUT when set."""

import pytest
from playwright.sync_api import expect

from accounts.enums import Role
from audit.models import Appeal
from tests.audit.test_appeals_coauthors import REASON
from tests.audit.test_appeals_screening import _refused
from tests.browser.conftest import PHONE, STAFF, assert_fits_phone
from tests.browser.conftest import screenshot as _shot
from tests.factories import staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_essay_is_appealed_and_the_office_sees_the_screening(page, login):
    essay = _refused()

    page.set_viewport_size(PHONE)
    login(essay.submitter.email)
    page.goto(f"{page.base_url}/essays/mine/{essay.pk}/")
    expect(page.locator("[data-appeal-new]")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "essay-refused-appeal-390")
    page.locator("[data-appeal-new]").click()
    page.get_by_label("Nội dung khiếu nại").fill(REASON)
    page.get_by_role("button", name="Gửi khiếu nại").click()
    expect(page.get_by_text("Đã gửi khiếu nại.")).to_be_visible()
    appeal = Appeal.objects.get()

    page.context.clear_cookies()
    page.set_viewport_size(STAFF)
    login(staff_user(Role.SECRETARIAT).email)
    page.goto(f"{page.base_url}/reports/appeals/{appeal.pk}/?contest={essay.phase.contest.slug}")
    expect(page.locator("[data-screening]")).to_be_visible()
    _shot(page, "appeal-screening-1366")

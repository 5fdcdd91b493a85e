"""The distinct people beside the weekly sums, on the secretariat's dashboard (1366×768) and on
/stats/ (a phone)."""

import pytest
from django.core.cache import cache

from accounts.enums import Role
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.factories import staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_and_stats_show_people_once_beside_the_weekly_sums(page, login, known_contest):  # noqa: F811
    cache.clear()
    page.goto(f"{page.base_url}/stats/")
    assert_fits_phone(page)
    assert page.locator("[data-figure=people]").inner_text().startswith("Có 3 người khác nhau đã tham gia")
    screenshot(page, "stats-people-390")

    login(staff_user(Role.SECRETARIAT).email)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{page.base_url}/reports/")

    assert page.locator("[data-total=participants]").inner_text() == "5"
    assert page.locator("[data-total=people]").inner_text() == "3"
    # The figures are the kept ones (quiz.figures): the page says when they were counted.
    assert page.locator("[data-figures-updated]").inner_text().startswith("Số liệu cập nhật lúc ")
    page.locator("[data-table=weeks]").scroll_into_view_if_needed()
    screenshot(page, "dashboard-weeks-1366", full_page=False)

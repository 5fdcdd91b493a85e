"""A unit officer on a phone (390×844): their units, the week's figures, who has not taken part
with a phone number to tap, the download and the member list import, all within the screen."""

import pytest
from playwright.sync_api import expect

from accounts.enums import OrganizationKind
from accounts.models import Member
from accounts.services import unit_officer_assign
from quiz.figures import figures_recompute
from quiz.services.attempts import attempt_start, attempt_submit
from tests.browser.conftest import assert_fits_phone, screenshot
from tests.factories import ContestFactory, OrganizationFactory, UserFactory, contestant
from tests.quiz.factories import answer_all, sealed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_unit_officer_follows_their_unit_on_a_phone(page, login):
    contest = ContestFactory()
    tax = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh", member_count=305)
    cell = OrganizationFactory(name="Chi bộ Phòng Tuyên truyền - Hỗ trợ người nộp thuế", kind=OrganizationKind.CELL, parent=tax)
    other = OrganizationFactory(name="Đảng bộ Công ty Điện lực")
    week = sealed_round(contest=contest, number=1, pool_size=20, fields=2)
    player = contestant(organization=cell, user__full_name="Bùi Quang Huy")
    attempt = attempt_start(round=week, user=player)
    attempt_submit(attempt=attempt, user=player, answers=answer_all(attempt, right=18))
    figures_recompute(contest=contest)  # the beat (quiz.figures)
    contestant(organization=cell, user__full_name="Đỗ Văn Chưa Thi")
    Member.objects.create(
        organization=cell, full_name="Nguyễn Thị Bích Ngọc", phone="0352000101", email="ngoc.nguyen.thi.bich@example.com",
        position="Phó Trưởng phòng Tuyên truyền - Hỗ trợ người nộp thuế", token="t1",
    )  # fmt: skip
    officer = UserFactory(email="unitofficer@example.com")
    unit_officer_assign(user=officer, organization=tax)

    login("unitofficer@example.com")
    page.goto(page.base_url + "/reports/units/")
    expect(page.get_by_role("heading", name="Đơn vị phụ trách")).to_be_visible()
    expect(page.get_by_text("Đảng bộ Công ty Điện lực")).to_have_count(0)
    expect(page.locator("[data-figures-updated]")).to_contain_text("Số liệu cập nhật lúc")
    assert_fits_phone(page)
    screenshot(page, "officer-units-390")

    page.get_by_role("link", name="Xem người chưa tham gia").click()
    expect(page.locator("[data-absent-count]")).to_have_text("2")
    expect(page.locator("[data-list=absent]")).to_contain_text("Nguyễn Thị Bích Ngọc")
    expect(page.locator("[data-list=absent]")).to_contain_text("Đỗ Văn Chưa Thi")
    expect(page.locator("[data-list=absent]")).not_to_contain_text("Bùi Quang Huy")
    tel = page.locator('[data-list=absent] a[href="tel:0352000101"]')
    assert tel.bounding_box()["height"] >= 44
    assert_fits_phone(page)
    screenshot(page, "officer-unit-390")

    with page.expect_download() as download:
        page.get_by_role("link", name="Tải danh sách (Excel)").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("link", name="Nhập danh sách từ Excel").click()
    expect(page.get_by_role("heading", name="Nhập danh sách thành viên")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "officer-import-390")

    response = page.goto(page.base_url + f"/reports/units/{other.pk}/")
    assert response.status == 404

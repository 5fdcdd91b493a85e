"""A unit officer's member list on a phone (390×844) and at a desk (1366×768): a list LibreOffice
made (two numbers without their 0) imported whole, invitations sent by SMS and e-mail with their
progress, and the list showing who was invited by which channel and who signed up."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.enums import MemberStatus, OrganizationKind
from accounts.models import Member
from accounts.services import unit_officer_assign
from contests import sms
from tests.browser.conftest import assert_fits_phone
from tests.browser.conftest import screenshot as _shot
from tests.factories import ContestFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIST = Path(__file__).parent.parent / "accounts" / "data" / "member_list_libreoffice_vi.xlsx"


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1366, "height": 768}], ids=["390", "1366"])
def test_an_officer_imports_a_real_list_and_invites_by_sms(page, login, viewport):
    page.set_viewport_size(viewport)
    sms.outbox.clear()
    ContestFactory()
    tax = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh", member_count=305)
    cell = OrganizationFactory(name="Chi bộ Phòng Tuyên truyền - Hỗ trợ người nộp thuế", kind=OrganizationKind.CELL, parent=tax)
    Member.objects.create(
        organization=cell, full_name="Nguyễn Thị Bích Ngọc", phone="0352000101", email="ngoc.nguyen.thi.bich@example.com",
        position="Phó Trưởng phòng Tuyên truyền - Hỗ trợ người nộp thuế", token="t1",
        status=MemberStatus.ACCEPTED,
    )  # fmt: skip
    officer = UserFactory(email="unitofficer@example.com")
    unit_officer_assign(user=officer, organization=tax)
    size = viewport["width"]

    login("unitofficer@example.com")
    page.goto(page.base_url + f"/accounts/units/{tax.pk}/members/import/")
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(LIST))
    page.get_by_role("button", name="Nhập danh sách").click()
    expect(page.get_by_text("Đã nhập danh sách: 5 người mới")).to_be_visible()
    expect(page.get_by_role("heading", name="Danh sách thành viên")).to_be_visible()
    _shot(page, f"officer-members-imported-{size}")

    page.get_by_role("button", name="Gửi lời mời cho 5 người chưa mời").click()
    expect(page.get_by_role("heading", name="Gửi lời mời đăng ký")).to_be_visible()
    expect(page.get_by_text("đã xử lý 6/6 lời mời")).to_be_visible()
    assert sorted(m.to for m in sms.outbox) == ["0352000102", "0903111222", "0912345678", "0913222333", "0987654321"]
    if size == 390:
        assert_fits_phone(page)
    _shot(page, f"officer-invitation-progress-{size}")

    page.get_by_role("link", name="Xem ai đã được mời, ai đã đăng ký").click()
    members = page.locator("[data-list=members]")
    expect(members.locator("[data-channel=sms] .badge-invite-sent")).to_have_count(5)
    expect(members.locator("[data-channel=email] .badge-invite-sent")).to_have_count(1)
    expect(members).to_contain_text("Đã đăng ký")
    resend = members.get_by_role("button", name="Gửi lại lời mời").first
    assert resend.bounding_box()["height"] >= 44
    if size == 390:
        assert_fits_phone(page)
    _shot(page, f"officer-members-invited-{size}")

    resend.click()
    expect(page.get_by_text("chỉ nhận một lời mời mỗi ngày")).to_be_visible()
    assert len(sms.outbox) == 5


def test_a_number_that_cannot_be_repaired_is_explained_on_the_phone(page, login, tmp_path):
    from openpyxl import Workbook

    from accounts.members import MEMBER_HEADERS

    tax = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh")
    officer = UserFactory(email="unitofficer@example.com")
    unit_officer_assign(user=officer, organization=tax)
    workbook = Workbook()
    workbook.active.append(MEMBER_HEADERS)
    workbook.active.append(["Nguyễn Văn An", 913222333, "", "", "", "Có"])
    workbook.active.append(["Trần Thị Bình", "9,13E+08", "", "", "", "Không"])
    workbook.save(tmp_path / "danh-sach.xlsx")

    login("unitofficer@example.com")
    page.goto(page.base_url + f"/accounts/units/{tax.pk}/members/import/")
    page.get_by_label("Tệp Excel (.xlsx)").set_input_files(str(tmp_path / "danh-sach.xlsx"))
    page.get_by_role("button", name="Nhập danh sách").click()

    expect(page.get_by_role("alert")).to_contain_text("Dòng 3: số điện thoại «9,13E+08» đã bị bảng tính đổi sang dạng số mũ")
    expect(page.get_by_role("alert")).not_to_contain_text("Dòng 2")
    assert_fits_phone(page)
    _shot(page, "officer-import-error-390")

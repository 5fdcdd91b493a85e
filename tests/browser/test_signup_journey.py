import re

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from tests.browser.conftest import assert_fits_phone
from tests.factories import ContestFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_user_signs_up_completes_profile_and_lands_home(page, mailoutbox, sms_outbox):
    ContestFactory(name="Cuộc thi Đảng viên tốt")
    parent = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh")
    OrganizationFactory(name="Chi bộ Phòng Kiểm tra thuế", kind="cell", parent=parent)
    OrganizationFactory(name="Đảng bộ Công ty Điện lực Yên Bái")

    page.goto(page.base_url + "/")
    assert_fits_phone(page)
    page.get_by_role("link", name="Đăng ký dự thi").click()
    page.locator("input[name=phone]").fill("0912 345 678")
    page.locator("input[name=email]").fill("lan.nguyen@example.com")
    page.locator("input[name=password1]").fill("Chibo-KieuMau-2026")
    page.locator("input[name=password2]").fill("Chibo-KieuMau-2026")
    assert_fits_phone(page)
    page.get_by_role("button", name="Đăng ký").click()
    # No consent to the notice on personal data, no sign-up: a clear message, then tick the box.
    expect(page.get_by_text("Vui lòng đánh dấu ô đồng ý với Thông báo về xử lý dữ liệu cá nhân")).to_be_visible()
    assert_fits_phone(page)
    page.locator("input[name=password1]").fill("Chibo-KieuMau-2026")
    page.locator("input[name=password2]").fill("Chibo-KieuMau-2026")
    page.get_by_label("Tôi đã đọc và đồng ý").check()
    page.get_by_role("button", name="Đăng ký").click()

    # The number is confirmed by the code sent by SMS (the form never tells whether it is taken).
    expect(page).to_have_url(re.compile(r"/accounts/verify/phone/$|/accounts/phone/verify/$|verify"))
    code = re.search(r"\b([A-Z0-9]{6})\b", sms_outbox[-1].body).group(1)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name="Xác nhận").click()

    expect(page).to_have_url(re.compile(r"/accounts/profile/"))
    assert_fits_phone(page)
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
    page.get_by_label("Số điện thoại di động").fill("0123 456")
    page.get_by_label("Tìm đơn vị…").fill("kiem tra")
    page.get_by_role("option", name="Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Kiểm tra thuế").tap()  # nothing is picked silently
    page.get_by_label("Chức vụ, vị trí công tác").fill("Kiểm soát viên thuế")
    page.get_by_text("Có", exact=True).click()
    page.get_by_role("button", name="Lưu thông tin").click()

    # A wrong number: a clear Vietnamese message, and the rest of the form kept.
    expect(page.get_by_text("Số điện thoại di động không hợp lệ")).to_be_visible()
    expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Thị Lan")
    expect(page.get_by_label("Chức vụ, vị trí công tác")).to_have_value("Kiểm soát viên thuế")

    page.get_by_label("Số điện thoại di động").fill("+84 912 345 678")
    page.get_by_role("button", name="Lưu thông tin").click()

    expect(page).to_have_url(page.base_url + "/")
    expect(page.get_by_text("Đã lưu thông tin cá nhân.")).to_be_visible()
    profile = Profile.objects.select_related("user", "organization").get(user__email="lan.nguyen@example.com")
    assert profile.phone == "0912345678"
    assert profile.organization.name == "Chi bộ Phòng Kiểm tra thuế"
    assert profile.user.full_name == "Nguyễn Thị Lan"

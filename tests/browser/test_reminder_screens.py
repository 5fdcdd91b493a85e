"""A unit officer's phone (390×844): the reminder page (who, by which channel, the limits), sending,
each person's delivery; and a contestant choosing Zalo on their profile."""

import pytest
from playwright.sync_api import expect

from accounts.enums import OrganizationKind
from accounts.models import Member
from accounts.services import unit_officer_assign
from contests.enums import NotificationChannel
from contests.models import ChannelChoice
from tests.browser.conftest import assert_fits_phone
from tests.browser.conftest import screenshot as _shot
from tests.factories import ContestFactory, OrganizationFactory, UserFactory, contestant
from tests.quiz.factories import sealed_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_reminds_the_missing_members_from_a_phone(page, login, sms_outbox):
    bloc = OrganizationFactory(code="DUK", name="Đảng ủy Khối", kind=OrganizationKind.BLOC)
    tax = OrganizationFactory(code="CTHUE", name="Đảng bộ Cục Thuế tỉnh", parent=bloc, member_count=40)
    cell = OrganizationFactory(code="CTHUE-1", name="Chi bộ Phòng Kiểm tra thuế số 1", kind=OrganizationKind.CELL, parent=tax)
    officer = UserFactory(email="canbo@example.com", full_name="Vương Thị Thanh")
    unit_officer_assign(user=officer, organization=tax)
    sealed_round(contest=ContestFactory(), number=2, pool_size=20, fields=2)
    names = ["Đỗ Văn Vắng", "Nguyễn Thị Hồng Nhung", "Trần Quốc Bảo"]
    for i, name in enumerate(names):
        user = contestant(
            organization=cell if i else tax, phone=f"091200070{i}", user__full_name=name,
            user__phone=f"091200070{i}", user__phone_verified=True,
        )  # fmt: skip
        if i == 1:
            ChannelChoice.objects.create(user=user, channel=NotificationChannel.ZALO)
    Member.objects.create(organization=cell, full_name="Phan Văn Chưa", phone="0352000201", token="m-chua")
    login("canbo@example.com")

    page.goto(page.base_url + f"/reports/units/{tax.pk}/reminders/")
    expect(page.locator("[data-list=reminder-people] li")).to_have_count(3)
    invite = page.get_by_role("button", name="Gửi lại lời mời đăng ký cho 1 người")
    expect(invite).to_be_visible()
    assert invite.bounding_box()["height"] >= 44
    assert_fits_phone(page)
    _shot(page, "reminders-390")
    page.get_by_role("button", name="Gửi lời nhắc").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Lời nhắc đã gửi")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "reminder-sent-390")

    # The listed person with no account: the invitation again, its progress on the batch's page.
    page.goto(page.base_url + f"/reports/units/{tax.pk}/reminders/")
    page.get_by_role("button", name="Gửi lại lời mời đăng ký cho 1 người").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Đang gửi lời mời cho 1 người")).to_be_visible()
    assert_fits_phone(page)
    _shot(page, "reminder-invitation-390")


def test_a_contestant_chooses_zalo_on_the_profile(page, login):
    user = contestant(user__email="thisinh@example.com", user__phone="0912000800", user__phone_verified=True)
    login("thisinh@example.com")

    page.goto(page.base_url + "/accounts/profile/")
    page.get_by_label("Zalo", exact=True).check()
    assert_fits_phone(page)
    _shot(page, "profile-channel-390")
    page.get_by_role("button", name="Lưu thông tin").click()
    page.wait_for_load_state()

    assert ChannelChoice.objects.get(user=user).channel == "zalo"

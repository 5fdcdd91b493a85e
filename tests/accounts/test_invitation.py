"""An invited person: the e-mail with a signed link, sign-up, the profile prefilled from the
member list, the invitation accepted and the person in the right unit."""

import re

import pytest
from django.core import signing

from accounts.enums import MemberStatus, OrganizationKind
from accounts.members import INVITATION_SALT, invitation_link
from accounts.models import Member
from accounts.services import unit_officer_assign
from tests.factories import OrganizationFactory, UserFactory, contestant

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    tax = OrganizationFactory(code="CTHUE", name="Đảng bộ Cục Thuế tỉnh")
    cell = OrganizationFactory(code="CTHUE-1", name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    return Member.objects.create(
        organization=cell, full_name="Nguyễn Thị Bích Ngọc", phone="0352000101", email="ngoc@example.com",
        position="Phó Trưởng phòng", is_party_member=True, token="tok-" + "x" * 39,
    )  # fmt: skip


def test_invitation_signup_prefills_the_profile_and_lands_in_the_unit(
    client, member, mailoutbox, sms_outbox, django_capture_on_commit_callbacks
):
    officer = UserFactory()
    unit_officer_assign(user=officer, organization=member.organization.parent)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/accounts/units/{member.organization.parent.pk}/invitations/send/")
    client.logout()
    assert [m.to for m in mailoutbox] == [["ngoc@example.com"]]
    assert [m.to for m in sms_outbox] == ["0352000101"]
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", mailoutbox[0].body).group(1)
    member.refresh_from_db()
    assert member.status == MemberStatus.SENT and member.sent_at is not None

    landing = client.get(link)
    assert landing.status_code == 200 and "Chi bộ Phòng Kiểm tra" in landing.content.decode()
    assert client.post(link)["Location"] == "/accounts/signup/"
    signup = client.get("/accounts/signup/").context["form"]
    assert (signup.initial["phone"], signup.initial["email"]) == ("0352000101", "ngoc@example.com")
    client.post(
        "/accounts/signup/",
        {"phone": "0352000101", "email": "ngoc@example.com", "password1": "Chibo-KieuMau-2026",
         "password2": "Chibo-KieuMau-2026", "consent": "on"},
    )  # fmt: skip
    code = re.search(r"\b([A-Z0-9]{6})\b", sms_outbox[-1].body).group(1)
    assert client.post("/accounts/phone/verify/", {"code": code})["Location"] == "/accounts/profile/"

    form = client.get("/accounts/profile/").context["form"]
    assert {k: v for k, v in form.initial.items() if k not in ("notifications", "channel")} == {
        "full_name": "Nguyễn Thị Bích Ngọc", "phone": "0352000101", "organization": member.organization_id,
        "position": "Phó Trưởng phòng", "is_party_member": "1",
    }  # fmt: skip
    response = client.post("/accounts/profile/", {**form.initial, "full_name": "Nguyễn Thị Bích Ngọc"})

    assert response.status_code == 302, response.context["form"].errors
    member.refresh_from_db()
    user = member.user
    assert (member.status, user.email, user.profile.organization, user.profile.position) == (
        MemberStatus.ACCEPTED, "ngoc@example.com", member.organization, "Phó Trưởng phòng"
    )  # fmt: skip
    assert client.get(link).status_code == 404  # used once


def test_a_signed_in_person_following_the_link_goes_to_the_prefilled_profile(client, member):
    user = UserFactory(full_name="", phone="0352000101", phone_verified=True)
    client.force_login(user)

    assert client.get(invitation_link(member))["Location"] == "/accounts/profile/"
    assert client.get("/accounts/profile/").context["form"].initial["phone"] == "0352000101"


def test_an_edited_or_forged_link_is_refused(client, member):
    good = invitation_link(member)
    forged = "/accounts/invitation/" + signing.dumps(member.token, salt="another-salt") + "/"
    unknown = "/accounts/invitation/" + signing.dumps("no-such-token", salt=INVITATION_SALT) + "/"

    assert client.get(good[:-3] + "xx/").status_code == 404
    assert client.get(forged).status_code == 404
    assert client.get(unknown).status_code == 404
    assert "Lời mời không còn hiệu lực" in client.get(unknown).content.decode()


def test_an_account_takes_one_line_only(member):
    from accounts.members import invitation_accept

    user = contestant(user__phone="0352000101", user__phone_verified=True)
    other = Member.objects.create(organization=member.organization, full_name="Trần Văn B", phone="0352000199", token="o")
    assert invitation_accept(member=member, user=user) is True
    assert invitation_accept(member=other, user=user) is False
    assert invitation_accept(member=member, user=contestant()) is False  # already accepted


PROFILE = {"full_name": "Trần Văn Cường", "phone": "0912000555", "position": "Chuyên viên", "is_party_member": "0"}


@pytest.mark.parametrize(
    "phone, verified", [("0912000555", True), ("0352000101", False), (None, False)], ids=["other", "unverified", "none"]
)
def test_an_invitation_followed_by_someone_else_applies_nothing(client, member, phone, verified):
    """A forwarded or leaked link, opened by whoever is signed in: nothing of it is filled in or
    accepted unless the account's verified sign-in number is the listed one."""
    stranger = UserFactory(full_name="", phone=phone, phone_verified=verified)
    client.force_login(stranger)

    client.get(invitation_link(member))
    page = client.get("/accounts/profile/")
    saved = client.post("/accounts/profile/", {**PROFILE, "organization": member.organization_id}, follow=True)

    assert page.context["form"].initial.get("position") is None
    assert page.context["member"] is None
    assert "Lời mời này dành cho một số điện thoại khác" in page.content.decode()
    assert saved.status_code == 200
    member.refresh_from_db()
    assert (member.status, member.user_id) == (MemberStatus.LISTED, None)


def test_the_service_refuses_an_account_whose_number_is_not_the_listed_one(member):
    from accounts.members import invitation_accept

    assert invitation_accept(member=member, user=contestant(user__phone="0912000556", user__phone_verified=True)) is False
    assert invitation_accept(member=member, user=contestant(user__phone="0352000101", user__phone_verified=False)) is False
    member.refresh_from_db()
    assert member.status == MemberStatus.LISTED

import re

import pytest
from django.urls import reverse

from accounts.enums import OrganizationKind, Role
from accounts.models import Profile, ProfileUnitChange, User
from tests.factories import OrganizationFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def _form(org, **overrides):
    data = {
        "full_name": "Trần Thị Bích Ngọc",
        "phone": "0987 654 321",
        "organization": str(org.pk),
        "position": "Chuyên viên",
        "is_party_member": "1",
    }
    return data | overrides


def test_profile_complete_creates_profile_and_contestant_role(client):
    user = UserFactory()
    org = OrganizationFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), _form(org))

    assert response.status_code == 302
    assert response["Location"] == "/"
    profile = Profile.objects.get(user=user)
    assert (profile.phone, profile.organization, profile.is_party_member) == ("0987654321", org, True)
    user.refresh_from_db()
    assert user.full_name == "Trần Thị Bích Ngọc"
    assert list(user.groups.values_list("name", flat=True)) == [Role.CONTESTANT]


def test_profile_wrong_phone_keeps_the_rest_of_the_form(client):
    user = UserFactory()
    org = OrganizationFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), _form(org, phone="12345"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Số điện thoại di động không hợp lệ" in html
    assert 'value="Trần Thị Bích Ngọc"' in html
    assert f'<option value="{org.pk}" selected>' in html
    assert not Profile.objects.filter(user=user).exists()


def test_profile_missing_unit_says_so_in_vietnamese(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), _form(OrganizationFactory(), organization=""))

    assert "Vui lòng chọn đơn vị công tác." in response.content.decode()
    assert 'value="Chuyên viên"' in response.content.decode()


def test_profile_tampered_unit_is_refused(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), _form(OrganizationFactory(), organization="999999"))

    assert "Đơn vị đã chọn không tồn tại" in response.content.decode()


def test_profile_unit_change_is_recorded(client):
    profile = ProfileFactory()
    new_org = OrganizationFactory()
    client.force_login(profile.user)

    client.post(reverse("accounts:profile"), _form(new_org))

    change = ProfileUnitChange.objects.get()
    assert (change.old_organization, change.new_organization, change.changed_by) == (
        profile.organization,
        new_org,
        profile.user,
    )


def test_profile_page_groups_units_with_cells_under_their_organization(client):
    parent = OrganizationFactory(name="Đảng bộ Cục Thuế tỉnh")
    OrganizationFactory(name="Chi bộ Phòng Kiểm tra thuế", kind=OrganizationKind.CELL, parent=parent)
    OrganizationFactory(name="Huyện ủy Lục Yên", kind=OrganizationKind.DISTRICT)
    client.force_login(UserFactory())

    html = client.get(reverse("accounts:profile")).content.decode()

    assert '<optgroup label="Đảng bộ, chi bộ cơ sở">' in html
    assert html.index(">Đảng bộ Cục Thuế tỉnh<") < html.index(">Đảng bộ Cục Thuế tỉnh › Chi bộ Phòng Kiểm tra thuế<")
    assert '<optgroup label="Huyện, thị, thành ủy">' in html


def test_profile_next_only_follows_local_urls(client):
    client.force_login(UserFactory())
    org = OrganizationFactory()

    response = client.post(reverse("accounts:profile"), _form(org, next="https://evil.example.com/"))

    assert response["Location"] == "/"


def test_login_without_profile_goes_to_profile(client):
    UserFactory(email="new@example.com")

    response = client.post(reverse("account_login"), {"login": "new@example.com", "password": "DemoPass123!"})

    assert response["Location"] == reverse("accounts:profile")


def test_signup_then_profile_is_asked(client, mailoutbox, sms_outbox):
    response = client.post(
        reverse("account_signup"),
        {
            "phone": "0912 345 678",
            "email": "Lan.Nguyen@Example.com",
            "password1": "Chibo-KieuMau-2026",
            "password2": "Chibo-KieuMau-2026",
            "consent": "on",
        },
    )
    assert response["Location"] == reverse("account_verify_phone")
    code = re.search(r"\b([A-Z0-9]{6})\b", sms_outbox[0].body).group(1)

    response = client.post(reverse("account_verify_phone"), {"code": code})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    # The e-mail address is confirmed by its link, when the contestant gets round to it.
    assert re.search(r"/accounts/confirm-email/\S+/", mailoutbox[0].body)


def test_signup_same_email_other_case_creates_no_second_account(client, mailoutbox):
    UserFactory(email="lan@example.com")

    response = client.post(
        reverse("account_signup"),
        {
            "phone": "0912345678",
            "email": "LAN@example.com",
            "password1": "Chibo-KieuMau-2026",
            "password2": "Chibo-KieuMau-2026",
            "consent": "on",
        },
    )

    assert response["Location"] == reverse("account_verify_phone")
    assert User.objects.filter(email__iexact="lan@example.com").count() == 1
    assert mailoutbox[0].to == ["lan@example.com"]


def test_password_reset_sends_an_email(client, mailoutbox):
    UserFactory(email="quen@example.com")

    response = client.post(reverse("account_reset_password"), {"email": "quen@example.com"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["quen@example.com"]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_profile_required_sends_a_contestant_without_profile_to_the_form(rf):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.http import HttpResponse

    from accounts.decorators import profile_required

    @profile_required
    def take_part(request):
        return HttpResponse("ok")

    request = rf.get("/quiz/rounds/1/")
    request.user = UserFactory()
    request.session = {}
    request._messages = FallbackStorage(request)

    response = take_part(request)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/?next=%2Fquiz%2Frounds%2F1%2F"
    request.user = ProfileFactory().user
    assert take_part(request).content == b"ok"

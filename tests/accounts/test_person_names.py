"""Names that cannot be names (a formula for the workbooks they end up in, a link for the
invitation e-mails) are refused by the one rule, contests.cleaning.clean_person_name, wherever a
name comes in: the profile form, the member import, the admin (the models' validator)."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.urls import reverse

from accounts.members import members_import
from accounts.models import Member, User
from contests.cleaning import clean_person_name
from tests.factories import OrganizationFactory, UserFactory, staff_user

HOSTILE = [
    '=HYPERLINK("http://x")',
    "=1+2",
    "+Nguyễn Văn An",
    "-Nguyễn Văn An",
    "@SUM(A1)",
    "  =cmd|' /C calc'!A0",
    "Nguyễn http Văn",
    "Xem tại www.example.vn",
    "An ://x",
    "Nguyễn <b>An</b>",
    "Trần; Văn",
    'Lê "An"',
    "Nguyễn Văn 2",
    "A",
]
LEGIT = [
    "Nguyễn Văn An",
    "Lê Thị Hồng-Nhung",
    "H'Hen Niê",
    "Ksor H’Bia",
    "Nguyễn T. An",
    "Đặng Thùy Trâm",
    "Hoàng Ngọc Ánh Dương",
    "Nông Thị Hạnh",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_a_formula_a_link_or_a_character_no_name_has_is_refused(name):
    with pytest.raises(ValidationError) as refused:
        clean_person_name(name)
    assert refused.value.messages[0].startswith("Họ và tên")


@pytest.mark.parametrize("name", LEGIT)
def test_vietnamese_names_pass_and_come_out_nfc_with_single_spaces(name):
    typed_on_a_mac = "  " + unicodedata.normalize("NFD", name).replace(" ", "   ") + " "
    assert clean_person_name(typed_on_a_mac) == name


@pytest.mark.django_db
def test_the_profile_form_refuses_a_formula(client):
    user = UserFactory(full_name="Trần Văn Cũ")
    client.force_login(user)
    data = {
        "full_name": '=HYPERLINK("http://x")',
        "phone": "0987 654 321",
        "organization": str(OrganizationFactory().pk),
        "position": "Chuyên viên",
        "is_party_member": "1",
    }

    response = client.post(reverse("accounts:profile"), data)

    assert response.status_code == 200
    assert "không được chứa công thức hay đường link" in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Trần Văn Cũ"


@pytest.mark.django_db
def test_the_member_import_refuses_a_formula_by_row_and_writes_nothing():
    unit = OrganizationFactory(code="CTHUE")
    organizer = staff_user("organizer")
    rows = [
        ["Lê Thị Hồng-Nhung", "0912 345 678", "", "CTHUE", "Chuyên viên", "Có"],
        ['=HYPERLINK("http://x")', "0912 345 679", "", "CTHUE", "Chuyên viên", "Có"],
    ]

    result = members_import(rows=rows, by=organizer, organization=unit)

    assert not result.ok
    assert len(result.errors) == 1
    assert result.errors[0].startswith("Dòng 3: họ và tên")
    assert "công thức hay đường link" in result.errors[0]
    assert Member.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("model", [User, Member])
def test_the_admin_forms_refuse_it_through_the_models_validator(model):
    form = modelform_factory(model, fields=["full_name"])(data={"full_name": "@SUM(A1)"})

    assert not form.is_valid()
    assert "Họ và tên phải bắt đầu bằng chữ cái" in form.errors["full_name"][0]

"""Names typed in the profile form or imported with the unit tree arrive as clean text: NFC,
trimmed, and without control or direction characters (refused with the field and row named)."""

import unicodedata

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from accounts.collation import vi_sort_key
from accounts.models import Organization, Profile, User
from accounts.services import ORGANIZATION_HEADERS
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _profile(org, **overrides):
    data = {"full_name": "Trần Thị Bích Ngọc", "phone": "0987654321", "organization": str(org.pk)}
    return data | {"position": "Chuyên viên", "is_party_member": "1"} | overrides


def _workbook(tmp_path, rows, header=ORGANIZATION_HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    path = tmp_path / "don-vi.xlsx"
    wb.save(path)
    return str(path)


def test_profile_form_stores_a_decomposed_name_composed(client):
    user = UserFactory()
    client.force_login(user)
    typed = nfd("Nguyễn Thị Ánh Tuyết")
    assert typed != "Nguyễn Thị Ánh Tuyết"

    response = client.post(
        reverse("accounts:profile"), _profile(OrganizationFactory(), full_name=typed, position=nfd("Phó Chánh Văn phòng"))
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Nguyễn Thị Ánh Tuyết"
    assert user.profile.position == "Phó Chánh Văn phòng"


def test_names_stored_nfc_sort_and_search_as_typed_on_any_keyboard():
    typed = ["Ương Văn Bình", nfd("Đỗ Thị Hà"), "Dương An", nfd("Ân Hạnh"), "An Khang"]
    for name in typed:
        UserFactory(full_name=name)

    stored = list(User.objects.values_list("full_name", flat=True))

    assert all(unicodedata.is_normalized("NFC", name) for name in stored)
    assert sorted(stored, key=vi_sort_key) == ["An Khang", "Ân Hạnh", "Dương An", "Đỗ Thị Hà", "Ương Văn Bình"]
    # A search typed in NFC finds a name that was typed decomposed.
    assert User.objects.filter(full_name__icontains="Đỗ Thị").count() == 1


def test_profile_form_refuses_a_direction_override_naming_the_field(client):
    user = UserFactory(full_name="Trần Ngọc")
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), _profile(OrganizationFactory(), full_name="Trần \u202eNgọc"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "«Họ và tên» có ký tự không được phép U+202E" in html
    user.refresh_from_db()
    assert user.full_name == "Trần Ngọc"
    assert not Profile.objects.filter(user=user).exists()


def test_profile_form_refuses_a_control_character_in_the_position(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("accounts:profile"), _profile(OrganizationFactory(), position="Chuyên\x01viên"))

    assert "«Chức vụ, vị trí công tác» có ký tự không được phép U+0001" in response.content.decode()
    assert response.status_code == 200
    assert not Profile.objects.filter(user=user).exists()


def test_organization_import_refuses_bad_characters_naming_row_and_column(tmp_path, capsys):
    path = _workbook(
        tmp_path,
        [
            ["A1", "Đơn vị tốt", "", "", "", "", ""],
            ["A2", "Chi bộ\x85 3", "", "", "", "", ""],  # C1 control: XML allows it, so a workbook can hold it
            ["A3", "Chi bộ 4", "\u202eCB4", "", "", "", ""],
            ["A4", "Chi bộ\n5", "", "", "", "", ""],  # Alt+Enter in a one-line cell
        ],
    )

    with pytest.raises(CommandError):
        call_command("import_organizations", path)

    err = capsys.readouterr().err
    assert "Dòng 3: «Tên đơn vị» có ký tự không được phép U+0085 (ký tự điều khiển, không nhìn thấy) ở vị trí thứ 7" in err
    assert "Dòng 4: «Tên viết tắt» có ký tự không được phép U+202E" in err
    assert "Dòng 5: «Tên đơn vị» chỉ được viết trên một dòng: có U+000A (dấu xuống dòng) ở vị trí thứ 7." in err
    assert Organization.objects.count() == 0


def test_organization_import_stores_nfc_and_reads_a_decomposed_header(tmp_path):
    header = [nfd(h) for h in ORGANIZATION_HEADERS]
    path = _workbook(tmp_path, [[" CTHUE ", nfd("Đảng bộ Cục Thuế tỉnh "), nfd("Cục Thuế"), "", "", 305, ""]], header=header)

    call_command("import_organizations", path)

    org = Organization.objects.get()
    assert (org.code, org.name, org.short_name) == ("CTHUE", "Đảng bộ Cục Thuế tỉnh", "Cục Thuế")

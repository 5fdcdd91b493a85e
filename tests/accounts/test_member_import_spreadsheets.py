"""Member lists as spreadsheets really hand them over: numbers typed as 0913222333 come back as the
number 913222333 (Excel, LibreOffice), sometimes as 913222333.0, or, in LibreOffice set to
Vietnamese, 0903.111.222 read with the dot as a thousands separator. The 0 is put back; what
cannot be repaired is refused with its cause (accounts.phone)."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from accounts.enums import OrganizationKind
from accounts.members import MEMBER_HEADERS, members_import_upload
from accounts.models import Member
from accounts.services import unit_officer_assign
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
# The five people of tests/accounts/data/member_list.csv, as their numbers must be stored.
PHONES = {"0913222333", "0352000102", "0987654321", "0903111222", "0912345678"}


@pytest.fixture
def unit():
    tax = OrganizationFactory(code="CTHUE", name="Đảng bộ Cục Thuế tỉnh")
    OrganizationFactory(code="CTHUE-1", name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    officer = UserFactory()
    unit_officer_assign(user=officer, organization=tax)
    return tax, officer


def _upload(path_or_rows) -> SimpleUploadedFile:
    if isinstance(path_or_rows, Path):
        return SimpleUploadedFile(path_or_rows.name, path_or_rows.read_bytes())
    wb = Workbook()
    ws = wb.active
    ws.append(MEMBER_HEADERS)
    for row in path_or_rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())


def test_numbers_stored_as_number_cells_are_imported_with_their_zero(unit):
    tax, officer = unit
    rows = [
        ["Nguyễn Văn An", 913222333, "", "", "", "Có"],
        ["Trần Thị Bình", 352000102.0, "", "", "", "Không"],
        ["Lê Văn Cường", 84987654321, "", "", "", "Có"],
        ["Phạm Thị Dung", "0903 111 222", "", "", "", "Không"],
        ["Hoàng Văn Em", "+84 912-345-678", "", "", "", "Có"],
    ]
    upload = _upload(rows)
    cells = [r[1] for r in load_workbook(io.BytesIO(upload.read())).active.iter_rows(min_row=2, values_only=True)]
    upload.seek(0)
    assert [type(c) for c in cells] == [int, int, int, str, str]  # really number cells

    summary, errors = members_import_upload(file=upload, by=officer, organization=tax)

    assert errors == []
    assert summary.startswith("Đã nhập danh sách: 5 người mới")
    assert set(Member.objects.values_list("phone", flat=True)) == PHONES


def test_the_list_libreoffice_made_from_a_csv_in_vietnamese_is_imported_whole(unit):
    """member_list_libreoffice_vi.xlsx is LibreOffice's own conversion of member_list.csv
    (`libreoffice --headless --infilter=CSV:44,34,76,1,,1066 --convert-to xlsx`): two of its five
    numbers are number cells without their 0."""
    tax, officer = unit
    path = DATA / "member_list_libreoffice_vi.xlsx"
    cells = [r[1] for r in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert 913222333 in cells and 903111222 in cells

    summary, errors = members_import_upload(file=_upload(path), by=officer, organization=tax)

    assert (errors, set(Member.objects.values_list("phone", flat=True))) == ([], PHONES)


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed")
def test_a_csv_converted_by_libreoffice_now_is_imported_whole(unit, tmp_path):
    tax, officer = unit
    shutil.copy(DATA / "member_list.csv", tmp_path / "list.csv")
    subprocess.run(  # noqa: S603 - a fixed command on a file the test wrote
        ["libreoffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",  # noqa: S607
         "--infilter=CSV:44,34,76,1,,1066", "--convert-to", "xlsx", "--outdir", str(tmp_path), str(tmp_path / "list.csv")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    if not (tmp_path / "list.xlsx").exists():
        pytest.skip("LibreOffice has no spreadsheet filter here (its Calc is not installed)")

    summary, errors = members_import_upload(file=_upload(tmp_path / "list.xlsx"), by=officer, organization=tax)

    assert (errors, set(Member.objects.values_list("phone", flat=True))) == ([], PHONES)


def test_a_number_lost_to_scientific_form_is_refused_with_its_cause_and_nothing_written(unit):
    tax, officer = unit
    rows = [
        ["Nguyễn Văn An", 913222333, "", "", "", "Có"],
        ["Trần Thị Bình", "9,13E+08", "", "", "", "Không"],
        ["Lê Văn Cường", "024 3822 2222", "", "", "", "Có"],
    ]

    summary, errors = members_import_upload(file=_upload(rows), by=officer, organization=tax)

    assert summary is None
    assert errors == [
        "Dòng 3: số điện thoại «9,13E+08» đã bị bảng tính đổi sang dạng số mũ và mất chữ số: hãy định dạng cột "
        "Số điện thoại là Văn bản (Text) rồi gõ lại số.",
        "Dòng 4: «024 3822 2222» là số máy bàn: cần số di động (đăng ký nhận mã qua SMS).",
    ]
    assert not Member.objects.exists()

"""Imports report hostile rows by number instead of failing at the database, and every workbook
import reads within bounds (contests.workbooks): a zip bomb is refused before openpyxl opens it,
a file over the row cap is refused after reading one row over it."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.enums import Role
from accounts.importers import read_member_rows, read_organization_rows
from accounts.members import MEMBER_HEADERS, members_import_upload
from accounts.models import Member, Organization
from accounts.services import organizations_import
from contests import workbooks
from quiz import excel, package
from quiz.excel import headers, parse_workbook
from quiz.models import Question
from tests.factories import OrganizationFactory, staff_user, xlsx_bomb
from tests.quiz.factories import question_workbook

pytestmark = pytest.mark.django_db


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(headers())
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def test_organization_rows_with_long_fields_and_huge_numbers_are_reported():
    result = organizations_import(
        rows=[
            ("X" * 33, "Đảng bộ A", "", "", "", "", ""),
            ("B", "Đ" * 256, "", "", "", "3000000000", ""),
            ("C", "Đảng bộ C", "", "", "", "²", "99999999999"),
            ("D", "Đảng bộ D", "", "", "", "9" * 5000, ""),
        ]
    )

    assert result.errors == [
        "Dòng 2: mã đơn vị dài quá 32 ký tự.",
        "Dòng 3: tên đơn vị dài quá 255 ký tự; số đảng viên «3000000000» quá lớn (tối đa 2.147.483.647).",
        "Dòng 4: số đảng viên «²» phải là số nguyên không âm; thứ tự «99999999999» quá lớn (tối đa 2.147.483.647).",
        f"Dòng 5: số đảng viên «{'9' * 20}» quá lớn (tối đa 2.147.483.647).",
    ]
    assert not Organization.objects.exists()


def test_a_unit_made_the_child_of_its_own_descendant_is_reported():
    top = OrganizationFactory(code="TOP")
    OrganizationFactory(code="MID", parent=top)

    result = organizations_import(rows=[("TOP", "Đảng bộ Khối", "", "", "MID", "", "")])

    assert result.errors == ["Dòng 2: cấp trên của đơn vị TOP tạo thành vòng lặp."]
    top.refresh_from_db()
    assert top.parent is None


def test_question_rows_with_over_long_fields_are_reported():
    report = parse_workbook(_xlsx([["Q" * 33, "L" * 201, "C" * 2001, "a" * 1001, "b", "", "", "A", "n" * 501]]))

    assert report.rows == []
    assert report.errors == [
        "Dòng 2: mã câu dài quá 32 ký tự; lĩnh vực dài quá 200 ký tự; nội dung câu hỏi dài quá 2.000 ký tự; "
        "nguồn dài quá 500 ký tự; phương án A dài quá 1.000 ký tự."
    ]


# --- Reading within bounds (contests.workbooks) ---------------------------------------------------

BOMB = "Tệp Excel bị nén bất thường"


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    """Proof that a refusal came from the zip's central directory: opening the workbook fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened a file that should have been refused before")

    monkeypatch.setattr(workbooks, "load_workbook", refuse)


@pytest.fixture
def rows_read(monkeypatch):
    """How many rows the reader took from openpyxl's stream."""
    read = []
    real = workbooks._rows

    def counting(sheet):
        for row in real(sheet):
            read.append(row)
            yield row

    monkeypatch.setattr(workbooks, "_rows", counting)
    return read


def test_the_bomb_is_a_real_workbook_that_opens_when_small():
    sheet = workbooks.read_first_sheet(io.BytesIO(xlsx_bomb(100_000)))

    assert sheet.error is None
    assert sheet.rows[0] == ("Mã câu", "Lĩnh vực", "Câu hỏi") and len(sheet.rows) > 100


@pytest.mark.parametrize("inflated", [60 * 1024 * 1024, 5 * 1024 * 1024], ids=["total", "ratio"])
@pytest.mark.parametrize(
    "read",
    [
        lambda data: parse_workbook(io.BytesIO(data)).errors[0],
        lambda data: read_organization_rows(SimpleUploadedFile("don-vi.xlsx", data))[1],
        lambda data: read_member_rows(SimpleUploadedFile("danh-sach.xlsx", data))[1],
    ],
    ids=["questions", "units", "members"],
)
def test_every_import_refuses_a_zip_bomb_before_openpyxl_opens_it(openpyxl_never_opens, inflated, read):
    data = xlsx_bomb(inflated)
    assert len(data) < 3 * 1024 * 1024

    assert read(data).startswith(BOMB)


def test_the_organizer_uploading_a_bomb_in_the_admin_gets_the_message_and_nothing(client, openpyxl_never_opens):
    client.force_login(staff_user(Role.ORGANIZER))
    upload = SimpleUploadedFile("cau-hoi.xlsx", xlsx_bomb(60 * 1024 * 1024))

    response = client.post("/admin/quiz/question/import/", {"file": upload})

    assert response.status_code == 200
    assert BOMB in response.content.decode()
    assert Question.objects.count() == 0


def test_a_bomb_inside_the_questions_zip_is_refused_too(openpyxl_never_opens):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cau-hoi.xlsx", xlsx_bomb(60 * 1024 * 1024))
    upload = package.read_upload(buffer.getvalue())

    assert upload.error == ""
    assert parse_workbook(io.BytesIO(upload.workbook), images=upload.images).errors[0].startswith(BOMB)


def test_import_questions_refuses_a_bomb(tmp_path, openpyxl_never_opens, capsys):
    path = tmp_path / "cau-hoi.xlsx"
    path.write_bytes(xlsx_bomb(60 * 1024 * 1024))

    with pytest.raises(CommandError):
        call_command("import_questions", str(path))

    assert capsys.readouterr().err.startswith(BOMB)
    assert Question.objects.count() == 0


def test_import_questions_reads_no_more_than_the_cap_of_a_huge_file(tmp_path, monkeypatch):
    monkeypatch.setattr(package, "MAX_UPLOAD_BYTES", 1000)
    path = tmp_path / "cau-hoi.xlsx"
    path.write_bytes(b"PK" + b"\0" * 5000)

    with pytest.raises(CommandError, match="Tệp quá lớn"):
        call_command("import_questions", str(path))


def _questions(n):
    return [[f"C{i:05d}", "Điều lệ Đảng", f"Câu hỏi {i}?", "a", "b", "", "", "A", ""] for i in range(n)]


def test_a_question_file_over_the_row_cap_is_refused_after_one_row_over(monkeypatch, rows_read):
    monkeypatch.setattr(excel, "MAX_ROWS", 20)

    report = parse_workbook(question_workbook(_questions(20 + 1000)))

    assert report.errors == ["Tệp có quá 20 dòng dữ liệu; hãy chia thành nhiều tệp, mỗi tệp tối đa 20 dòng."]
    assert len(rows_read) == 1 + 20 + 1  # the header, the cap, one over: the other 999 rows were never read
    assert len(parse_workbook(question_workbook(_questions(20))).rows) == 20


def test_the_organizer_importing_too_many_rows_in_the_admin_is_refused(client, monkeypatch, rows_read):
    monkeypatch.setattr(excel, "MAX_ROWS", 20)
    client.force_login(staff_user(Role.ORGANIZER))
    upload = question_workbook(_questions(1020))

    response = client.post("/admin/quiz/question/import/", {"file": upload})

    assert "Tệp có quá 20 dòng dữ liệu" in response.content.decode()
    assert len(rows_read) == 22 and Question.objects.count() == 0


def _members(n):
    return [[f"Người thứ {i}", f"09{i:08d}", "", "", "", "Có"] for i in range(n)]


def test_a_member_file_over_the_cap_is_refused_before_the_rest_is_read(monkeypatch, rows_read):
    monkeypatch.setattr(workbooks, "MAX_ROWS", 10)
    unit = OrganizationFactory()
    wb = Workbook()
    wb.active.append(MEMBER_HEADERS)
    for row in _members(1010):
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)

    summary, errors = members_import_upload(
        file=SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue()), by=staff_user(Role.SECRETARIAT), organization=unit
    )

    assert (summary, errors) == (None, ["Tệp có quá 10 dòng dữ liệu; hãy chia thành nhiều tệp, mỗi tệp tối đa 10 dòng."])
    assert len(rows_read) == 12 and Member.objects.count() == 0


def test_the_questions_zip_caps_the_number_of_images(monkeypatch):
    monkeypatch.setattr(package, "MAX_IMAGES", 2)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("cau-hoi.xlsx", question_workbook([]).getvalue())
        for n in range(3):
            archive.writestr(f"anh-{n}.png", b"x")

    assert package.read_upload(buffer.getvalue()).error == "Tệp .zip có quá 2 ảnh; hãy chia thành nhiều tệp."

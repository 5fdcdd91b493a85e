"""Member lists imported from Excel: good and bad rows, nothing half-imported, re-imports update,
only the importer's units, hostile text and hostile files."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from accounts.enums import MemberStatus, OrganizationKind, Role
from accounts.importers import read_member_rows
from accounts.members import MEMBER_HEADERS, members_import, members_import_upload
from accounts.models import Member
from accounts.services import unit_officer_assign
from contests import workbooks
from tests.factories import OrganizationFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


def _xlsx(rows, header=MEMBER_HEADERS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("danh-sach.xlsx", buffer.getvalue())


@pytest.fixture
def tree():
    bloc = OrganizationFactory(code="DUK", name="Đảng ủy Khối", kind=OrganizationKind.BLOC)
    tax = OrganizationFactory(code="CTHUE", name="Đảng bộ Cục Thuế tỉnh", parent=bloc)
    cell = OrganizationFactory(code="CTHUE-1", name="Chi bộ Phòng Kiểm tra", kind=OrganizationKind.CELL, parent=tax)
    power = OrganizationFactory(code="DIENLUC", name="Đảng bộ Công ty Điện lực", parent=bloc)
    officer = UserFactory()
    unit_officer_assign(user=officer, organization=tax)
    return {"bloc": bloc, "tax": tax, "cell": cell, "power": power, "officer": officer}


GOOD = [
    ["Nguyễn Thị Bích Ngọc", "0912 345 678", "Ngoc@Example.com", "CTHUE-1", "Chuyên viên", "Có"],
    ["Trần Đức Long", "+84 352 000 102", "", "Chi bộ Phòng Kiểm tra", "Phó Trưởng phòng", "không"],
    ["Lê Thị Thu Trang", "0352.000.103", None, None, None, None],
]


def test_good_rows_are_imported_with_normalized_phones_and_units(tree):
    result = members_import(rows=GOOD, by=tree["officer"], organization=tree["tax"])

    assert (result.ok, result.created, result.updated) == (True, 3, 0)
    ngoc, long, trang = (Member.objects.get(phone=p) for p in ("0912345678", "0352000102", "0352000103"))
    assert (ngoc.email, ngoc.organization, ngoc.is_party_member, ngoc.status) == (
        "ngoc@example.com", tree["cell"], True, MemberStatus.LISTED
    )  # fmt: skip
    assert (long.organization, long.is_party_member) == (tree["cell"], False)
    assert trang.organization == tree["tax"]  # a blank unit is the unit imported into
    assert ngoc.invited_by == tree["officer"] and len(ngoc.token) >= 40


def test_importing_the_same_people_again_updates_instead_of_duplicating(tree):
    members_import(rows=GOOD, by=tree["officer"], organization=tree["tax"])
    changed = [["Nguyễn Thị Bích Ngọc", "0912345678", "ngoc@example.com", "CTHUE", "Phó Chánh Văn phòng", "Có"], GOOD[1]]

    result = members_import(rows=changed, by=tree["officer"], organization=tree["tax"])

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert Member.objects.count() == 3
    ngoc = Member.objects.get(phone="0912345678")
    assert (ngoc.position, ngoc.organization) == ("Phó Chánh Văn phòng", tree["tax"])


def test_bad_rows_are_reported_by_number_and_nothing_is_written(tree):
    rows = [
        GOOD[0],
        ["", "0912000001", "", "", "", ""],
        ["Phạm Văn 3", "12345", "not-an-email", "KHONGCO", "", "Có lẽ"],
        ["Đinh Thị Hạnh", "0912 345 678", "", "", "", ""],
        GOOD[1],
    ]

    result = members_import(rows=rows, by=tree["officer"], organization=tree["tax"])

    assert result.errors == [
        "Dòng 3: thiếu họ và tên.",
        "Dòng 4: họ và tên không được có chữ số («Phạm Văn 3»); số điện thoại «12345» không hợp lệ (cần số di động 10 chữ số); "
        "email «not-an-email» không hợp lệ; không tìm thấy đơn vị «KHONGCO»; "
        "cột Đảng viên «Có lẽ» phải là «Có» hoặc «Không».",
        "Dòng 5: số điện thoại 0912345678 trùng với dòng 2.",
    ]
    assert Member.objects.count() == 0


def test_an_officer_imports_only_into_their_own_units(tree):
    rows = [["Hoàng Văn Nam", "0912000002", "", "DIENLUC", "", "Có"]]

    result = members_import(rows=rows, by=tree["officer"], organization=tree["tax"])

    assert result.errors == ["Dòng 2: đơn vị «DIENLUC» không thuộc phạm vi được nhập ở đây."]
    assert Member.objects.count() == 0


def _upload(rows):
    return _xlsx(rows)


def test_an_officer_importing_a_number_another_unit_lists_learns_nothing_of_it(tree):
    """The attack: an officer of the tax office probes whether the power company lists a number.
    The answer must be the one a number listed nowhere gets; the other unit's line is untouched."""
    theirs = Member.objects.create(organization=tree["power"], full_name="Hoàng Văn Nam", phone="0912000002", token="t1")

    probe = members_import_upload(
        file=_upload([["Nguyễn Văn A", "0912000002", "", "", "", "Có"]]), by=tree["officer"], organization=tree["tax"]
    )
    fresh = members_import_upload(
        file=_upload([["Nguyễn Văn B", "0912000003", "", "", "", "Có"]]), by=tree["officer"], organization=tree["tax"]
    )

    assert probe == fresh == ("Đã nhập danh sách: 1 người mới, 0 người cập nhật, 0 người không đổi.", [])
    said = " ".join([probe[0], *probe[1]])
    assert "Điện lực" not in said and "DIENLUC" not in said and "đơn vị khác" not in said
    theirs.refresh_from_db()
    assert (theirs.organization, theirs.full_name) == (tree["power"], "Hoàng Văn Nam")
    assert list(Member.objects.filter(phone="0912000002").values_list("organization__code", "full_name").order_by("pk")) == [
        ("DIENLUC", "Hoàng Văn Nam"), ("CTHUE", "Nguyễn Văn A"),
    ]  # fmt: skip


def test_an_officer_importing_the_number_again_updates_their_own_line_only(tree):
    Member.objects.create(organization=tree["power"], full_name="Hoàng Văn Nam", phone="0912000002", token="t1")
    rows = [["Hoàng Văn Nam", "0912000002", "", "", "Chuyên viên", "Có"]]
    members_import(rows=rows, by=tree["officer"], organization=tree["tax"])

    again = members_import(rows=[rows[0][:4] + ["Trưởng phòng", "Có"]], by=tree["officer"], organization=tree["tax"])

    assert (again.ok, again.created, again.updated) == (True, 0, 1)
    assert Member.objects.get(phone="0912000002", organization=tree["tax"]).position == "Trưởng phòng"
    assert Member.objects.get(phone="0912000002", organization=tree["power"]).position == ""


def test_the_secretariat_moves_a_number_it_manages_to_the_unit_of_the_row(tree):
    Member.objects.create(organization=tree["power"], full_name="Hoàng Văn Nam", phone="0912000002", token="t1")
    rows = [["Hoàng Văn Nam", "0912000002", "", "", "", "Có"]]

    moved = members_import(rows=rows, by=staff_user(Role.SECRETARIAT), organization=tree["tax"])

    assert moved.updated == 1 and Member.objects.get(phone="0912000002").organization == tree["tax"]


def test_two_lines_of_a_number_in_units_the_importer_manages_are_named_to_them(tree):
    Member.objects.create(organization=tree["power"], full_name="Hoàng Văn Nam", phone="0912000002", token="t1")
    Member.objects.create(organization=tree["tax"], full_name="Hoàng Văn Nam", phone="0912000002", token="t2")
    rows = [["Hoàng Văn Nam", "0912000002", "", "CTHUE-1", "", "Có"]]

    result = members_import(rows=rows, by=staff_user(Role.SECRETARIAT))

    assert result.errors == [
        "Dòng 2: số điện thoại 0912000002 có ở nhiều dòng trong các đơn vị bạn quản lý (CTHUE, DIENLUC); "
        "hãy sửa trong trang quản trị."
    ]


def test_someone_without_a_unit_imports_nothing(tree):
    result = members_import(rows=[GOOD[0]], by=UserFactory(), organization=None)

    assert result.errors == ["Dòng 2: không tìm thấy đơn vị «CTHUE-1»."]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Nguyễn\u202eVăn An", "U+202E"),  # a direction override
        ("Nguyễn\x07Văn An", "U+0007"),  # a control character
    ],
)
def test_hostile_text_is_refused_by_row_and_column(tree, name, message):
    result = members_import(rows=[[name, "0912000003", "", "", "", ""]], by=tree["officer"], organization=tree["tax"])

    assert result.errors[0].startswith("Dòng 2: ")
    assert "Họ và tên" in result.errors[0] and message in result.errors[0]
    assert Member.objects.count() == 0


def test_a_formula_is_stored_as_text_and_a_name_in_decomposed_unicode_is_normalized(tree):
    rows = [["Nguye\u0302\u0303n Văn An", "0912000004", "", "", '=HYPERLINK("http://x")', ""]]

    members_import(rows=rows, by=tree["officer"], organization=tree["tax"])

    member = Member.objects.get()
    assert member.full_name == "Nguyễn Văn An"
    assert member.position == '=HYPERLINK("http://x")'  # stored as typed; exports write it as text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(party=st.sampled_from(["Có", "có", "x", "1", "Không", "không", "0", "", None]), spaces=st.sampled_from(["", " ", "  "]))
def test_party_member_column_reads_every_usual_spelling(tree, party, spaces):
    Member.objects.all().delete()
    cell = None if party is None else f"{spaces}{party}{spaces}"

    result = members_import(
        rows=[["Trần Văn Bình", "0912000005", "", "", "", cell]], by=tree["officer"], organization=tree["tax"]
    )

    assert result.ok
    assert Member.objects.get().is_party_member == (party in ("Có", "có", "x", "1"))


# --- The file -------------------------------------------------------------------------------------


def test_a_file_that_is_not_a_workbook_is_refused():
    rows, error = read_member_rows(SimpleUploadedFile("danh-sach.xlsx", b"<html>not a workbook</html>"))

    assert (rows, error) == ([], "Không đọc được tệp: cần một tệp Excel .xlsx.")


def test_a_wrong_header_is_refused():
    rows, error = read_member_rows(_xlsx([GOOD[0]], header=["Tên", "Điện thoại"]))

    assert rows == [] and error.startswith("Dòng 1 phải là dòng tiêu đề: Họ và tên | Số điện thoại")


def test_a_zip_bomb_is_refused_before_it_is_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (workbooks.MAX_UNZIPPED_BYTES + 1))
    upload = SimpleUploadedFile("bom.xlsx", buffer.getvalue())
    assert upload.size < 1024 * 1024

    rows, error = read_member_rows(upload)

    assert rows == [] and error.startswith("Tệp Excel bị nén bất thường")


def test_a_file_over_the_size_cap_is_refused(monkeypatch):
    monkeypatch.setattr(workbooks, "MAX_UPLOAD_BYTES", 100)

    rows, error = read_member_rows(_xlsx([GOOD[0]]))

    assert rows == [] and error == "Tệp quá lớn: tối đa 0 MB."


def test_too_many_rows_are_refused():
    wb = _xlsx([GOOD[0]] * 5)

    sheet = workbooks.read_first_sheet(wb, max_rows=3)

    assert sheet.rows == [] and sheet.error == "Tệp có quá 3 dòng dữ liệu; hãy chia thành nhiều tệp, mỗi tệp tối đa 3 dòng."


# --- Through the pages -----------------------------------------------------------------------------


def test_officer_imports_through_the_page_and_sees_row_errors(client, tree):
    client.force_login(tree["officer"])
    url = f"/accounts/units/{tree['tax'].pk}/members/import/"

    bad = client.post(url, {"file": _xlsx([["", "0912", "", "", "", ""]])})
    good = client.post(url, {"file": _xlsx(GOOD)})

    assert bad.status_code == 400
    assert "Dòng 2: thiếu họ và tên; số điện thoại «0912» không hợp lệ" in bad.content.decode()
    assert good.status_code == 302 and good["Location"] == f"/accounts/units/{tree['tax'].pk}/members/"
    assert Member.objects.count() == 3


def test_organizer_imports_in_the_admin_with_units_named_in_the_file(client, tree):
    client.force_login(staff_user(Role.ORGANIZER))
    rows = [GOOD[0], ["Hoàng Văn Nam", "0912000002", "", "DIENLUC", "", "Có"]]

    response = client.post("/admin/accounts/member/import/", {"file": _xlsx(rows)})

    assert response.status_code == 302
    assert Member.objects.get(phone="0912000002").organization == tree["power"]


def test_the_template_lists_only_the_officers_units(client, tree):
    client.force_login(tree["officer"])

    response = client.get("/accounts/units/members-template.xlsx")

    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb["Danh sách"][1]] == MEMBER_HEADERS
    codes = [row[0] for row in wb["Đơn vị"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["CTHUE", "CTHUE-1"]


def test_the_template_is_refused_to_a_contestant(client, tree):
    from tests.factories import contestant

    client.force_login(contestant())

    assert client.get("/accounts/units/members-template.xlsx").status_code == 403


@pytest.mark.parametrize(("role", "offered"), [(Role.ORGANIZER, True), (Role.SECRETARIAT, False)])
def test_the_admin_list_offers_the_import_to_organizers_only(client, role, offered):
    client.force_login(staff_user(role))

    html = client.get("/admin/accounts/member/").content.decode()

    assert ("/admin/accounts/member/import/" in html) == offered

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.models import Organization
from accounts.services import ORGANIZATION_HEADERS
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _workbook(tmp_path, rows, header=ORGANIZATION_HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    path = tmp_path / "don-vi.xlsx"
    wb.save(path)
    return str(path)


def test_import_organizations_builds_the_tree(tmp_path):
    path = _workbook(
        tmp_path,
        [
            ["C1", "Chi bộ Phòng Kiểm tra thuế", "", "Chi bộ", "CTHUE", None, 1],  # child before its parent
            ["DUK", "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh", "Đảng ủy Khối", "Đảng ủy Khối", "", None, 0],
            ["CTHUE", "Đảng bộ Cục Thuế tỉnh", "Cục Thuế", "Đảng bộ, chi bộ cơ sở", "DUK", 305, 2],
        ],
    )

    call_command("import_organizations", path)

    cell = Organization.objects.get(code="C1")
    tax = Organization.objects.get(code="CTHUE")
    bloc = Organization.objects.get(code="DUK")
    assert (cell.parent, cell.kind, tax.member_count, tax.parent) == (tax, "cell", 305, bloc)
    assert cell.path == f"/{bloc.pk}/{tax.pk}/{cell.pk}/"
    assert cell.depth == 2


def test_import_organizations_updates_by_code(tmp_path):
    OrganizationFactory(code="CTHUE", name="Tên cũ", member_count=10)
    path = _workbook(tmp_path, [["CTHUE", "Đảng bộ Cục Thuế tỉnh", "", "", "", 305, ""]])

    call_command("import_organizations", path)

    org = Organization.objects.get(code="CTHUE")
    assert (org.name, org.member_count, Organization.objects.count()) == ("Đảng bộ Cục Thuế tỉnh", 305, 1)


def test_import_organizations_reports_every_bad_row_and_imports_nothing(tmp_path, capsys):
    path = _workbook(
        tmp_path,
        [
            ["A1", "Đơn vị tốt", "", "", "", "", ""],
            ["", "Thiếu mã", "", "", "", "", ""],
            ["A3", "Loại sai", "", "Công ty", "", "", ""],
            ["A4", "Cấp trên không có", "", "", "KHONGCO", "", ""],
            ["A1", "Trùng mã", "", "", "", "mười", ""],
        ],
    )

    with pytest.raises(CommandError, match="Không nhập dòng nào: 4 lỗi"):
        call_command("import_organizations", path)

    err = capsys.readouterr().err
    assert "Dòng 3: thiếu mã đơn vị." in err
    assert "Dòng 4: loại «Công ty» không hợp lệ" in err
    assert "Dòng 5: không tìm thấy đơn vị cấp trên có mã KHONGCO." in err
    assert "Dòng 6: mã đơn vị A1 trùng với dòng 2; số đảng viên «mười» phải là số nguyên không âm." in err
    assert Organization.objects.count() == 0


def test_import_organizations_refuses_a_cycle(tmp_path):
    path = _workbook(tmp_path, [["A", "Đơn vị A", "", "", "B", "", ""], ["B", "Đơn vị B", "", "", "A", "", ""]])

    with pytest.raises(CommandError):
        call_command("import_organizations", path)

    assert Organization.objects.count() == 0


def test_import_organizations_refuses_a_file_that_is_not_excel(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("không phải excel")

    with pytest.raises(CommandError, match="cần một tệp Excel .xlsx"):
        call_command("import_organizations", str(path))


def test_import_organizations_refuses_a_wrong_header(tmp_path):
    path = _workbook(tmp_path, [["A", "B"]], header=["Code", "Name"])

    with pytest.raises(CommandError, match="Dòng 1 phải là dòng tiêu đề"):
        call_command("import_organizations", path)


def test_moving_a_unit_rewrites_the_paths_below_it():
    a = OrganizationFactory()
    b = OrganizationFactory()
    child = OrganizationFactory(parent=a)
    grandchild = OrganizationFactory(parent=child)

    child.parent = b
    child.save()

    grandchild.refresh_from_db()
    assert grandchild.path == f"/{b.pk}/{child.pk}/{grandchild.pk}/"


def test_admin_import_page_imports_and_reports_errors(client, tmp_path):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    bad = _workbook(tmp_path, [["A1", "", "", "", "", "", ""]])
    with open(bad, "rb") as fh:
        response = client.post("/admin/accounts/organization/import/", {"file": fh})
    assert "Dòng 2: thiếu tên đơn vị." in response.content.decode()

    good = _workbook(tmp_path, [["A1", "Đảng bộ Sở Y tế", "", "", "", "", ""]])
    with open(good, "rb") as fh:
        response = client.post("/admin/accounts/organization/import/", {"file": fh})
    assert response.status_code == 302
    assert Organization.objects.get(code="A1").name == "Đảng bộ Sở Y tế"

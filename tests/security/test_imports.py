"""Imports report hostile rows by number instead of failing at the database."""

import io

import pytest
from openpyxl import Workbook

from accounts.models import Organization
from accounts.services import organizations_import
from quiz.excel import headers, parse_workbook
from tests.factories import OrganizationFactory

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

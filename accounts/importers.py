"""Reading the organization workbook (the format of `import_organizations`)."""

from zipfile import BadZipFile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from contests.cleaning import normalize_text

from .services import ORGANIZATION_HEADERS


def read_organization_rows(file) -> tuple[list[tuple], str | None]:
    """Return (data rows, None) or ([], a message saying why the file cannot be read)."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError):
        return [], _("Không đọc được tệp: cần một tệp Excel .xlsx.")
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    if not rows:
        return [], _("Tệp không có dữ liệu.")
    header = [normalize_text(c) for c in rows[0]][: len(ORGANIZATION_HEADERS)]
    if header[:2] != ORGANIZATION_HEADERS[:2]:
        return [], _("Dòng 1 phải là dòng tiêu đề: %(h)s.") % {"h": " | ".join(ORGANIZATION_HEADERS)}
    return rows[1:], None

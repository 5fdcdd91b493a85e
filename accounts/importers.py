"""Reading the organization workbook (the format of `import_organizations`) and the member list
workbook; both open the upload through contests.workbooks (size, zip bomb, rows)."""

from django.utils.translation import gettext as _

from contests.cleaning import normalize_text
from contests.workbooks import read_first_sheet

from .services import ORGANIZATION_HEADERS


def _read(file, headers: list[str], *, required: int) -> tuple[list[tuple], str | None]:
    sheet = read_first_sheet(file)
    if sheet.error:
        return [], sheet.error
    header = [normalize_text(c) for c in sheet.rows[0]][: len(headers)]
    if [h.lower() for h in header[:required]] != [h.lower() for h in headers[:required]]:
        return [], _("Dòng 1 phải là dòng tiêu đề: %(h)s.") % {"h": " | ".join(headers)}
    return sheet.rows[1:], None


def read_organization_rows(file) -> tuple[list[tuple], str | None]:
    """Return (data rows, None) or ([], a message saying why the file cannot be read)."""
    return _read(file, ORGANIZATION_HEADERS, required=2)


def read_member_rows(file) -> tuple[list[tuple], str | None]:
    """The member list (accounts.members.MEMBER_HEADERS): (data rows, None) or ([], why not)."""
    from .members import MEMBER_HEADERS

    return _read(file, MEMBER_HEADERS, required=len(MEMBER_HEADERS))

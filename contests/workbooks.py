"""Opening an uploaded Excel workbook safely: one set of checks for every importer (the
organization tree, member lists). A workbook is a zip of XML parts, so a small upload can
inflate to gigabytes; it is measured before openpyxl reads it."""

import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 1000
MAX_ROWS = 20_000


@dataclass
class Sheet:
    rows: list[tuple]
    error: str | None = None


def read_first_sheet(file, *, max_rows: int = MAX_ROWS) -> Sheet:
    """The rows of the first sheet (header included), or an error in Vietnamese saying why the
    file cannot be read: too large, not an .xlsx, inflating beyond the cap, too many rows."""
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        return Sheet([], _("Tệp quá lớn: tối đa %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    unreadable = _("Không đọc được tệp: cần một tệp Excel .xlsx.")
    try:
        if hasattr(file, "seek"):
            file.seek(0)
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS or sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES:
                return Sheet([], _("Tệp Excel bất thường (giải nén ra quá lớn); hãy lưu lại tệp bằng Excel rồi thử lại."))
        if hasattr(file, "seek"):
            file.seek(0)
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError):
        return Sheet([], unreadable)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(row)
            if len(rows) > max_rows + 1:
                return Sheet(
                    [], _("Tệp có quá nhiều dòng: tối đa %(n)s dòng mỗi lần nhập.") % {"n": f"{max_rows:,}".replace(",", ".")}
                )
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        return Sheet([], unreadable)
    finally:
        workbook.close()
    if not rows:
        return Sheet([], _("Tệp không có dữ liệu."))
    return Sheet(rows)

"""Opening an uploaded Excel workbook within bounds: the one set of checks every workbook import
goes through (the organization tree, member lists, the question bank — bare or inside its .zip).

A workbook is a zip of XML parts, so a small upload can inflate to gigabytes: the zip's central
directory (each part's declared inflated and compressed size) is measured before openpyxl opens
anything. The declared sizes can be trusted as a bound: Python's zipfile never inflates a part
beyond its declared size (a lie ends in a CRC error, not in more bytes). Rows are counted while
they are read, in openpyxl's read-only (streaming) mode, and reading stops at the first row over
the cap: a file of a million rows costs what a file of cap + 1 rows costs."""

import zipfile
import zlib
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .mojibake import sheet_problem

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the workbook as uploaded
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # all its parts inflated (20,000 long rows are ~20 MB)
MAX_ZIP_MEMBERS = 1000
MAX_RATIO = 100  # inflated / compressed, per part; what Excel writes stays far below
RATIO_FLOOR = 1024 * 1024  # a part smaller than this inflated may compress as well as it likes
MAX_ROWS = 20_000  # data rows, the header excluded


# What openpyxl raises on a damaged or hostile file: a message, never a 500.
_BROKEN = (zipfile.BadZipFile, zlib.error, ParseError, OSError, EOFError, KeyError, ValueError, TypeError, IndexError)


@dataclass
class Sheet:
    rows: list[tuple]
    error: str | None = None


def upload_size(file) -> int | None:
    """The size in bytes of an upload, an open file or a buffer (None when it cannot be told)."""
    size = getattr(file, "size", None)
    if size is not None:
        return size
    if isinstance(file, (bytes, bytearray)):
        return len(file)
    try:
        position = file.tell()
        file.seek(0, 2)
        size = file.tell()
        file.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return size


def too_big_message(limit: int) -> str:
    return _("Tệp quá lớn: tối đa %(mb)d MB.") % {"mb": limit // (1024 * 1024)}


def rows_message(max_rows: int) -> str:
    n = number_format(max_rows, force_grouping=True)
    return _("Tệp có quá %(n)s dòng dữ liệu; hãy chia thành nhiều tệp, mỗi tệp tối đa %(n)s dòng.") % {"n": n}


def inflates_suspiciously(info: zipfile.ZipInfo, *, max_ratio: int = MAX_RATIO) -> bool:
    """A zip member that inflates far more than any real document does: the mark of a zip bomb."""
    return info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1)


def zip_problem(file) -> str | None:
    """Why the workbook's zip must not be opened (None when it may): too many parts, too much
    once inflated, or a part compressed beyond any real document. Reads only the central
    directory; leaves `file` at its start."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return _("Không đọc được tệp: cần một tệp Excel .xlsx.")
    finally:
        file.seek(0)
    if (
        len(infos) > MAX_ZIP_MEMBERS
        or sum(info.file_size for info in infos) > MAX_UNZIPPED_BYTES
        or any(inflates_suspiciously(info) for info in infos)
    ):
        return _(
            "Tệp Excel bị nén bất thường (giải nén ra quá %(mb)d MB hoặc quá %(ratio)d lần): có thể là bom nén. "
            "Hãy mở tệp bằng Excel, lưu lại rồi thử lại."
        ) % {"mb": MAX_UNZIPPED_BYTES // (1024 * 1024), "ratio": MAX_RATIO}
    return None


def _rows(sheet):
    """The rows of a read-only sheet, as openpyxl streams them (values only)."""
    return sheet.iter_rows(values_only=True)


def read_first_sheet(file, *, max_rows: int | None = None, max_bytes: int | None = None) -> Sheet:
    """The rows of the first sheet (header included), or an error in Vietnamese saying why the
    file cannot be read: too large, not an .xlsx, inflating beyond the caps, more than
    `max_rows` data rows (MAX_ROWS by default; reading stops at the first row over), Vietnamese
    garbled by a wrong encoding (contests.mojibake). Never raises on a bad file."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    max_bytes = MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    size = upload_size(file)
    if size is not None and size > max_bytes:
        return Sheet([], too_big_message(max_bytes))
    if not hasattr(file, "seek"):
        return Sheet([], _("Không đọc được tệp: cần một tệp Excel .xlsx."))
    problem = zip_problem(file)
    if problem:
        return Sheet([], problem)
    unreadable = _("Không đọc được tệp: cần một tệp Excel .xlsx.")
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, *_BROKEN):
        return Sheet([], unreadable)
    try:
        if not workbook.worksheets:
            return Sheet([], unreadable)
        rows = []
        for row in _rows(workbook.worksheets[0]):
            rows.append(row)
            if len(rows) > max_rows + 1:  # the header and one data row over the cap: stop reading
                return Sheet([], rows_message(max_rows))
    except (AttributeError, *_BROKEN):
        return Sheet([], unreadable)
    finally:
        workbook.close()
    if not rows:
        return Sheet([], _("Tệp không có dữ liệu."))
    garbled = sheet_problem(rows)  # UTF-8 read as cp1252 by a CSV round trip: refused, with the fix
    if garbled:
        return Sheet([], garbled)
    return Sheet(rows)

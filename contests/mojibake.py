"""Vietnamese text garbled by a wrong encoding («mojibake»), refused at the import.

A workbook saved as CSV (UTF-8) and opened again with the Windows code page (cp1252, or
Latin-1) turns every Vietnamese letter into two or three Western ones: «Thực hiện» becomes
«Thá»±c hiá»‡n», «Đảng» «Ä\x90áº£ng», «ư» «Æ°», «á» «Ã¡». Saved back as .xlsx, such a file is
well formed and every row passes the other checks: 60 questions would be imported in a script
nobody can read. `read_first_sheet` asks `sheet_problem` of every upload (questions, units,
members) and refuses the file with how to convert it correctly.

A cell is garbled when either
- its text, written back in cp1252 (Latin-1 for the five bytes cp1252 leaves undefined), is
  valid UTF-8 holding a letter beyond Latin-1 or two accented letters: real Vietnamese fails
  that test at its first «ư» or «ạ», which no Western code page has, and a Western accent
  alone («café») is not valid UTF-8 once encoded; or
- it holds a pair no Vietnamese or Western word has, what a Vietnamese letter turns into: «á»»,
  «áº», «Ã¡», «Æ°», «Ä‘» … (what is left when a spreadsheet dropped an undefined byte and the
  text no longer decodes).
"""

import re
import unicodedata

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

# What Vietnamese letters become, lead byte then continuation byte as cp1252 shows it: the
# block U+1EA0–U+1EFF (ạ, ế, ữ …: «áº», «á»»), the Latin-1 letters (à á â è é ê …: «Ã¡», «Ã´»;
# Ò Ó Ô, «Ã’» «Ã“» «Ã”», only inside a word: a closing quote after «NGÃ» is real text), Ă ă Đ đ
# Ĩ ĩ, Ũ ũ, Ơ ơ Ư ư.
_SIGNATURE = re.compile(
    "|".join([
        "á[\u00ba\u00bb]",  # the block U+1EA0–U+1EFF
        "Ã[\u2018-\u201d](?=\\w)",  # Ò Ó Ô inside a word
        "Ã[\u00a0-\u00a3\u00a8-\u00aa\u00ac\u00ad\u00b2-\u00b5\u00b9\u00ba\u00bd]",  # à á â ã è é ê ì í ò ó ô õ ù ú ý
        "Ã[\u0081\u008d\u009d\u20ac\u201a\u0192\u02c6\u2030\u0160\u0152\u2022\u2122\u0161]",  # À Á Í Ý Â Ã È É Ê Ì Õ Ù Ú
        "Ä[\u201a\u0192\u2018\u00a8\u00a9]",  # Ă ă đ Ĩ ĩ
        "Å[\u00a8\u00a9]",  # Ũ ũ
        "Æ[\u00a0\u00a1\u00af\u00b0]",  # Ơ ơ Ư ư
    ])
)  # fmt: skip
# Each cp1252 character back to its byte; the five bytes cp1252 leaves undefined are read as Latin-1.
_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _cp1252_bytes(text: str) -> bytes | None:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) in _UNDEFINED:
                out.append(ord(ch))
            else:
                return None
    return bytes(out)


def repaired(text: str) -> str | None:
    """The text as it was before UTF-8 was read as cp1252, or None when it was not (or cannot
    be told back: a byte the spreadsheet dropped)."""
    if not isinstance(text, str) or text.isascii():
        return None
    raw = _cp1252_bytes(text)
    if raw is None:
        return None
    try:
        fixed = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # One Latin-1 letter back («NGÃ”» → «NGÔ», a real closing quote) proves nothing; Vietnamese
    # has letters beyond Latin-1 in nearly every phrase, or several accents.
    beyond = [ch for ch in fixed if ord(ch) > 0x7F]
    # And what comes back is Vietnamese: its letters and punctuation, nothing else («È» A», a
    # real È before a closing quote, reads back as «Ȼ A»: no Vietnamese has that letter).
    if not all(_vietnamese(ch) for ch in beyond):
        return None
    return fixed if fixed != text and (len(beyond) >= 2 or any(ord(ch) > 0xFF for ch in beyond)) else None


def _vietnamese(ch: str) -> bool:
    """A letter Vietnamese could write (an ASCII letter with accents or tone marks, composed or
    not, and Đ đ), a combining mark, or punctuation or space: never a letter such as «Ȼ»."""
    if ch in "Đđ" or unicodedata.category(ch)[0] in "MPZS":
        return True
    base = unicodedata.normalize("NFD", ch)[0]
    return base != ch and base.isascii() and base.isalpha()


def is_garbled(text) -> bool:
    """Whether the text looks like UTF-8 read in a Western code page (module docstring)."""
    if not isinstance(text, str) or text.isascii():
        return False
    return repaired(text) is not None or bool(_SIGNATURE.search(text))


def sheet_problem(rows: list[tuple]) -> str | None:
    """A message for an uploaded sheet with garbled text: where, an example and how to convert
    the file correctly; None for a clean sheet."""
    garbled = [
        (r, c, value) for r, row in enumerate(rows, start=1) for c, value in enumerate(row or (), start=1) if is_garbled(value)
    ]
    if not garbled:
        return None
    r, c, value = garbled[0]
    sample = value if len(value) <= 60 else value[:59] + "…"
    fixed = repaired(value)
    example = _("ô %(cell)s: «%(text)s»") % {"cell": f"{get_column_letter(c)}{r}", "text": sample}
    if fixed:
        fixed = fixed if len(fixed) <= 60 else fixed[:59] + "…"
        example += " " + _("(đúng ra là «%(text)s»)") % {"text": fixed}
    return _(
        "Tệp có chữ tiếng Việt bị lỗi bảng mã ở %(n)s ô, ví dụ %(example)s. Thường là do tệp đã được lưu sang CSV rồi "
        "mở lại bằng bảng mã Windows/Latin. Không có gì được nhập. Cách sửa: dùng lại tệp .xlsx gốc; hoặc trong Excel "
        "chọn Data › From Text/CSV, chọn File Origin «65001: Unicode (UTF-8)» (LibreOffice: Character set «Unicode "
        "(UTF-8)»), rồi lưu thành .xlsx và tải lên lại."
    ) % {"n": len(garbled), "example": example}

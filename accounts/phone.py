"""Vietnamese mobile numbers: accepted as people type them, and as spreadsheets store them, and
kept as 10 digits (0XXXXXXXXX).

Spreadsheets are the usual source of damage: Excel and LibreOffice read «0913222333» typed into a
cell of the General format as the number 913222333 (the leading 0 gone), keep it as 913222333.0
in some exports, and LibreOffice in Vietnamese reads «0913.222.333» as the same number (the dot
is its thousands separator). Nine digits starting with a mobile prefix without its 0 can only
be that number, so the 0 is put back. What cannot be repaired (a number shown as 9,13E+08 and
saved so, a landline, two numbers in one cell) is refused with the cause, so the person fixes
the cell rather than guess."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Mobile prefixes in use since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x.
_MOBILE = re.compile(r"^0[35789]\d{8}$")
# The 2018 renumbering of 11-digit numbers (01xx → 0xx), as the carriers converted them; lists
# kept since then still hold the old form.
_OLD_PREFIXES = {
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036", "0167": "037", "0168": "038",
    "0169": "039", "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078", "0123": "083",
    "0124": "084", "0125": "085", "0127": "081", "0129": "082", "0186": "056", "0188": "058", "0199": "059",
}  # fmt: skip
_SEPARATORS = re.compile(r"[\s.\-()_/\\\u00a0\u2009\u202f]")
_FLOAT_TEXT = re.compile(r"^(\d+)\.0+$")  # 913222333.0: a number cell written out as text
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")  # 9,13E+08: digits already lost
_TWO_NUMBERS = re.compile(r"\d{9,}\D+\d{9,}")

GENERIC = _("Số điện thoại di động không hợp lệ: cần 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09 (ví dụ 0912 345 678).")


def _text(raw) -> str:
    """A cell or a field as text: an integral float (913222333.0) loses its fraction."""
    if isinstance(raw, bool) or raw is None:
        return ""
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else str(raw)
    text = str(raw).strip().lstrip("'’")  # an apostrophe typed to keep a cell as text
    match = _FLOAT_TEXT.match(text)
    return match.group(1) if match else text


def _digits(text: str) -> str:
    digits = _SEPARATORS.sub("", text)
    for country, lengths in (("+84", None), ("0084", None), ("84", (11, 12))):
        if digits.startswith(country) and (lengths is None or len(digits) in lengths):
            rest = digits[len(country) :]
            digits = rest if rest.startswith("0") else "0" + rest  # «+84 0912…» is seen too
            break
    if len(digits) == 9 and digits[0] in "35789":  # the 0 a spreadsheet dropped
        digits = "0" + digits
    elif len(digits) == 10 and digits[0] == "1" and "0" + digits[:3] in _OLD_PREFIXES:
        digits = "0" + digits  # an old 11-digit number that lost its 0
    if len(digits) == 11 and digits[:4] in _OLD_PREFIXES:
        digits = _OLD_PREFIXES[digits[:4]] + digits[4:]
    return digits


def _why(text: str, digits: str):
    """The cause of a refusal, as a full sentence a person can act on."""
    if _SCIENTIFIC.match(text.replace(" ", "")):
        return _(
            "Số điện thoại «%(v)s» đã bị bảng tính đổi sang dạng số mũ và mất chữ số: hãy định dạng cột "
            "Số điện thoại là Văn bản (Text) rồi gõ lại số."
        ) % {"v": text[:20]}
    if _TWO_NUMBERS.search(text):
        return _("Ô số điện thoại có hai số: chỉ ghi một số di động.")
    if digits.isdigit() and ((len(digits) == 10 and digits[0] == "2") or (len(digits) == 11 and digits.startswith("02"))):
        return _("«%(v)s» là số máy bàn: cần số di động (đăng ký nhận mã qua SMS).") % {"v": text[:20]}
    if digits.isdigit() and len(digits) == 9:
        return _("Số điện thoại «%(v)s» chỉ có 9 chữ số và không phải số di động khi thêm số 0 ở đầu: kiểm tra lại số.") % {
            "v": text[:20]
        }
    return GENERIC


def normalize_phone(raw) -> str:
    """Return the number as 0XXXXXXXXX, or raise ValidationError with a Vietnamese message saying
    why. `raw` is what a person typed or what a spreadsheet cell holds (text, int or float)."""
    text = _text(raw)
    digits = _digits(text)
    if not _MOBILE.match(digits):
        raise ValidationError(_why(text, digits), code="invalid_phone")
    return digits


def is_mobile(stored: str) -> bool:
    """Whether a stored number (0XXXXXXXXX) is a mobile number one can text: not an anonymized
    line's placeholder, not a value written around normalize_phone."""
    return bool(_MOBILE.match(stored or ""))

"""Text that comes in is clean text: one rule for everything a person types or imports.

Every text is NFC-normalized (Vietnamese typed on a Mac, or copied from some PDFs, arrives
decomposed: «ệ» as e + two combining marks, which sorts, searches and compares differently
from the same word typed on Windows) and trimmed. Characters that have no business in a name
or an answer are refused with a message naming the field and the position, never silently
dropped at the boundary:

- C0 and C1 control characters and DEL (a name with U+0001 made Excel exports fail), except
  line feed and tab in multi-line text; a carriage return there becomes a line feed;
- bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make
  a name display reversed or reorder a file name's extension, and the invisible direction marks
  U+200E, U+200F and U+061C: Vietnamese never needs them, and they let two names that look the
  same differ (a second «Nguyễn Văn An» in a ranking, a search that finds nothing);
- in one-line text, the line and paragraph separators U+2028 and U+2029.

A byte-order mark (U+FEFF), which spreadsheets and copy-paste leave at the start of a cell, is
removed without a word: it is invisible and means nothing.

Where the rule is applied: `clean_text` in forms (CleanTextFormMixin) and in the Excel
importers, per cell; `TextValidator` on every user-text field of the project's models, so the
admin's forms refuse too; `normalize_text` in a pre_save hook (contests.signals), the last line
that normalizes whatever path a write takes (and drops what the boundaries would have refused).
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

_BOM = "\ufeff"
_CONTROLS = frozenset(chr(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)])
_BIDI = frozenset(chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C])
_SEPARATORS = frozenset("\u2028\u2029")
_MULTILINE_ALLOWED = frozenset("\n\t")


def _forbidden(ch: str, multiline: bool) -> bool:
    if ch in _CONTROLS:
        return not (multiline and ch in _MULTILINE_ALLOWED)
    return ch in _BIDI or (not multiline and ch in _SEPARATORS)


def _prepare(value, multiline: bool) -> str:
    text = "" if value is None else str(value)
    text = unicodedata.normalize("NFC", text).replace(_BOM, "")
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    return text


def _describe(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    if ch in "\n\r" or ch in _SEPARATORS:
        return _("%(code)s (dấu xuống dòng)") % {"code": code}
    if ch == "\t":
        return _("%(code)s (dấu tab)") % {"code": code}
    if ch in _BIDI:
        return _("%(code)s (ký tự đổi hướng chữ, không nhìn thấy)") % {"code": code}
    return _("%(code)s (ký tự điều khiển, không nhìn thấy)") % {"code": code}


def clean_text(value, *, multiline: bool = False, label=None) -> str:
    """The text NFC-normalized and trimmed, or ValidationError naming the field (label), the
    character and its position when it holds a character refused above."""
    text = _prepare(value, multiline)
    for position, ch in enumerate(text, start=1):
        if _forbidden(ch, multiline):
            params = {"field": label, "char": _describe(ch), "pos": position}
            if not multiline and (ch in "\n\r" or ch in _SEPARATORS):
                message = (
                    _("«%(field)s» chỉ được viết trên một dòng: có %(char)s ở vị trí thứ %(pos)d.")
                    if label
                    else _("Chỉ được viết trên một dòng: có %(char)s ở vị trí thứ %(pos)d.")
                )
            else:
                message = (
                    _("«%(field)s» có ký tự không được phép %(char)s ở vị trí thứ %(pos)d; vui lòng xoá ký tự đó.")
                    if label
                    else _("Có ký tự không được phép %(char)s ở vị trí thứ %(pos)d; vui lòng xoá ký tự đó.")
                )
            raise ValidationError(message % params, code="forbidden_character")
    return text.strip()


def normalize_text(value, *, multiline: bool = False) -> str:
    """What clean_text returns, without refusing: refused characters are dropped (in one-line
    text, line breaks and tabs become spaces). For the save hook and for comparisons."""
    text = _prepare(value, multiline)
    if any(_forbidden(ch, multiline) for ch in text):
        text = "".join(_replacement(ch, multiline) if _forbidden(ch, multiline) else ch for ch in text)
    return text.strip()


def _replacement(ch: str, multiline: bool) -> str:
    return " " if not multiline and (ch in "\t\n\r" or ch in _SEPARATORS) else ""


@deconstructible
class TextValidator:
    """The rule as a model field validator: the admin's forms and every ModelForm refuse."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value):
        if isinstance(value, str):
            clean_text(value, multiline=self.multiline)

    def __eq__(self, other):
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self):
        return hash((TextValidator, self.multiline))


validate_line = TextValidator()
validate_multiline = TextValidator(multiline=True)


def text_fields(model) -> list[tuple[str, bool]]:
    """(attname, multiline) of the model's fields that carry the rule."""
    found = []
    for field in model._meta.concrete_fields:
        for validator in field.validators:
            if isinstance(validator, TextValidator):
                found.append((field.attname, validator.multiline))
                break
    return found


class CleanTextFormMixin:
    """Runs clean_text on every text field of a form before its own checks (max_length,
    clean_<field>), so those see the normalized text. Multi-line: a Textarea. Passwords are
    left exactly as typed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
                continue
            field.to_python = _cleaning_to_python(field)


def _cleaning_to_python(field):
    original = field.to_python
    multiline = isinstance(field.widget, forms.Textarea)

    def to_python(value):
        value = original(value)
        if isinstance(value, str) and value:
            value = clean_text(value, multiline=multiline, label=field.label)
            if not value and field.empty_value is not None:
                return field.empty_value
        return value

    return to_python


# --- Names of people --------------------------------------------------------------------------

# Inside a name, besides letters: a space, a hyphen (Hồng-Nhung), an apostrophe (typed ' or ’:
# H'Hen Niê, O'Brien) and a full stop (an initial: Nguyễn T. An).
_NAME_PUNCTUATION = frozenset(" -'’.")
_NAME_LINKS = ("http", "://", "www.")


def clean_person_name(value) -> str:
    """A person's full name, the one rule for the profile form, the member import and the admin
    (PersonNameValidator on the models): clean_text, inner whitespace collapsed, and refused when
    it cannot be a name — it starts with anything but a letter (=, +, - and @ start a formula in
    Excel, where names end up), it holds a link (http, ://, www.), a digit, or any character a
    name never has. Returns the name, or raises ValidationError with a Vietnamese message."""
    name = " ".join(clean_text(value).split())
    if len(name) < 2:
        raise ValidationError(_("Họ và tên quá ngắn; vui lòng nhập đầy đủ họ và tên."), code="name_short")
    lowered = name.casefold()
    if not name[0].isalpha() or any(link in lowered for link in _NAME_LINKS):
        raise ValidationError(
            _("Họ và tên phải bắt đầu bằng chữ cái và không được chứa công thức hay đường link (=, +, -, @, http, www.)."),
            code="name_formula",
        )
    for ch in name:
        if ch.isdigit():
            raise ValidationError(_("Họ và tên không được có chữ số."), code="name_digit")
        if not (ch.isalpha() or ch in _NAME_PUNCTUATION or unicodedata.category(ch).startswith("M")):
            raise ValidationError(
                _("Họ và tên chỉ gồm chữ cái (có dấu tiếng Việt), dấu cách, dấu gạch nối và dấu nháy đơn; "
                  "không dùng ký tự «%(char)s».") % {"char": ch},
                code="name_character",
            )  # fmt: skip
    return name


@deconstructible
class PersonNameValidator(TextValidator):
    """clean_person_name as a model field validator: the admin's forms refuse the same names. A
    TextValidator too, so the save hook still stores the name NFC-normalized."""

    def __init__(self):
        super().__init__(multiline=False)

    def __call__(self, value):
        if isinstance(value, str) and value.strip():
            clean_person_name(value)

    def __eq__(self, other):
        return isinstance(other, PersonNameValidator)

    def __hash__(self):
        return hash(PersonNameValidator)


validate_person_name = PersonNameValidator()

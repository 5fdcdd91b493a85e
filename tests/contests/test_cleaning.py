"""Text that comes in is clean text: the rule itself (contests.cleaning)."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db.migrations.writer import MigrationWriter
from hypothesis import given
from hypothesis import strategies as st

from contests.cleaning import TextValidator, clean_text, normalize_text, validate_line, validate_multiline

NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
REFUSED_ANYWHERE = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\u202a", "\u202e", "\u2066", "\u2069"]
REFUSED_ANYWHERE += ["\u200e", "\u200f", "\u061c"]
ONE_LINE_ONLY = ["\n", "\r", "\t", "\u2028", "\u2029"]


def test_clean_text_composes_and_trims():
    assert NFD_NAME != "Nguyễn Thị Hồng Nhung"  # the input really is decomposed
    assert clean_text(f"  {NFD_NAME}\u00a0 ") == "Nguyễn Thị Hồng Nhung"


def test_clean_text_drops_a_byte_order_mark():
    assert clean_text("\ufeffChi bộ 3") == "Chi bộ 3"


@pytest.mark.parametrize("ch", REFUSED_ANYWHERE)
@pytest.mark.parametrize("multiline", [False, True])
def test_clean_text_refuses_control_and_direction_characters(ch, multiline):
    with pytest.raises(ValidationError) as info:
        clean_text(f"Trần{ch}Văn", multiline=multiline, label="Họ và tên")

    message = info.value.messages[0]
    assert message.startswith("«Họ và tên» có ký tự không được phép ")
    assert f"U+{ord(ch):04X}" in message
    assert "ở vị trí thứ 5" in message


@pytest.mark.parametrize("ch", ONE_LINE_ONLY)
def test_one_line_text_refuses_line_breaks_and_tabs(ch):
    with pytest.raises(ValidationError) as info:
        clean_text(f"Chi bộ{ch}số 3", label="Tên đơn vị")
    assert f"U+{ord(ch):04X}" in info.value.messages[0]
    assert "«Tên đơn vị»" in info.value.messages[0]


def test_multiline_text_keeps_line_feeds_and_tabs_and_unifies_line_ends():
    assert clean_text(" Đoạn 1\r\n\tĐoạn 2\rĐoạn 3\u2028 ", multiline=True) == "Đoạn 1\n\tĐoạn 2\nĐoạn 3"


def test_message_without_a_label_still_names_the_character():
    with pytest.raises(ValidationError) as info:
        validate_line("a\u202eb")
    assert info.value.messages[0] == (
        "Có ký tự không được phép U+202E (ký tự đổi hướng chữ, không nhìn thấy) ở vị trí thứ 2; vui lòng xoá ký tự đó."
    )


def test_validators_accept_clean_text_and_survive_migrations():
    validate_line("Đảng bộ Cục Thuế tỉnh")
    validate_multiline("## Thể lệ\n\n- Điều 1\t(chung)")
    assert validate_line == TextValidator() and validate_multiline != validate_line
    assert MigrationWriter.serialize(validate_multiline)[0] == "contests.cleaning.TextValidator(multiline=True)"


# Text from anywhere: letters, combining marks, controls, direction marks, separators, spaces.
any_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(REFUSED_ANYWHERE + ONE_LINE_ONLY + ["\u0300", "\u0301", "\u0323", "\u0302", "\u031b", "\ufeff", " "]),
    ),
    max_size=40,
)


def _has_refused(text: str, multiline: bool) -> bool:
    refused = set(REFUSED_ANYWHERE) | {chr(c) for c in range(0x20) if chr(c) not in "\n\t"} | {chr(c) for c in range(0x7F, 0xA0)}
    if not multiline:
        refused |= set(ONE_LINE_ONLY)
    return any(ch in refused for ch in text)


@given(text=any_text, multiline=st.booleans())
def test_normalized_text_is_always_clean_nfc_and_trimmed(text, multiline):
    normalized = normalize_text(text, multiline=multiline)

    assert unicodedata.is_normalized("NFC", normalized)
    assert normalized == normalized.strip()
    assert not _has_refused(normalized, multiline)
    assert "\ufeff" not in normalized
    # Clean text passes the rule unchanged, and normalizing twice changes nothing.
    assert clean_text(normalized, multiline=multiline) == normalized
    assert normalize_text(normalized, multiline=multiline) == normalized


@given(text=any_text, multiline=st.booleans())
def test_clean_text_either_refuses_or_agrees_with_normalize_text(text, multiline):
    try:
        cleaned = clean_text(text, multiline=multiline)
    except ValidationError:
        assert _has_refused(unicodedata.normalize("NFC", text).replace("\r", "\n"), multiline)
    else:
        assert cleaned == normalize_text(text, multiline=multiline)

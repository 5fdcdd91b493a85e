import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.phone import normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(+84) 386-123-456", "0386123456"),
    ],
)
def test_normalize_phone_accepts_common_ways_of_typing(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "0123456789", "091234567", "09123456789", "02163852000", "abc", "+1 912 345 678"])
def test_normalize_phone_rejects_non_mobile_numbers_in_vietnamese(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert exc.value.code == "invalid_phone"


# How spreadsheets hand numbers over: the leading 0 dropped from a number cell, a float, the
# Vietnamese thousands separator, the country code in its usual spellings, the 2018 renumbering.
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("913222333", "0913222333"),
        (913222333, "0913222333"),
        (913222333.0, "0913222333"),
        ("913222333.0", "0913222333"),
        (903111222, "0903111222"),
        ("0913.222.333", "0913222333"),
        ("0913-222-333", "0913222333"),
        ("0913\u00a0222\u00a0333", "0913222333"),
        ("'0913222333", "0913222333"),
        (84913222333, "0913222333"),
        ("0084 913 222 333", "0913222333"),
        ("+84 0913 222 333", "0913222333"),
        ("01662345678", "0362345678"),
        (1662345678, "0362345678"),
        ("0128 123 4567", "0781234567"),
    ],
)
def test_normalize_phone_repairs_what_spreadsheets_do_to_numbers(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "cause"),
    [
        ("9,13E+08", "dạng số mũ"),
        ("9.13222E+08", "dạng số mũ"),
        ("0913222333 / 0987654321", "có hai số"),
        ("02438222222", "số máy bàn"),
        (2438222222, "số máy bàn"),
        ("612345678", "chỉ có 9 chữ số"),
    ],
)
def test_normalize_phone_names_the_cause_it_cannot_repair(raw, cause):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert cause in exc.value.messages[0]


@given(st.from_regex(r"\A0[35789][0-9]{8}\Z"), st.sampled_from(["", " ", ".", "-"]))
def test_every_mobile_number_survives_a_spreadsheet_and_any_separator(number, sep):
    spaced = sep.join([number[:4], number[4:7], number[7:]])
    as_cell = int(number)  # the 0 dropped
    assert normalize_phone(spaced) == normalize_phone(as_cell) == normalize_phone(float(as_cell)) == number
    assert normalize_phone("+84" + number[1:]) == normalize_phone(int("84" + number[1:])) == number

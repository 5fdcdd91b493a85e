import pytest
from django.core.exceptions import ValidationError

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
    assert "Số điện thoại di động không hợp lệ" in exc.value.messages[0]

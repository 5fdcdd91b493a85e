"""A participation rate is written the same on every page and export (contests.figures)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contests.figures import RATE_EXCEL_FORMAT, rate_text
from quiz.templatetags.quiz_tags import percent_fine


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "–"), (0, "0%"), (1 / 305, "0,3%"), (0.0994, "9,9%"), (0.0995, "10%"), (0.125, "13%"), (0.2, "20%"),
     (0.005, "0,5%"), (0.00049, "0,0%"), (1, "100%"), (1.25, "125%")],
)  # fmt: skip
def test_rate_text_on_known_values(value, text):
    assert rate_text(value) == text


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=1, max_value=5000))
def test_rate_text_is_the_rate_rounded_half_up(participants, members):
    text = rate_text(participants / members)

    shown = Decimal(text.removesuffix("%").replace(",", "."))
    exact = Decimal(participants) * 100 / Decimal(members)
    step = Decimal("0.1") if "," in text else Decimal(1)
    assert exact - step / 2 <= shown + Decimal("1e-9") and shown - step / 2 <= exact + Decimal("1e-9")
    assert ("," in text) == (0 < exact < Decimal("9.95"))


@given(st.floats(min_value=0, max_value=2, allow_nan=False))
def test_pages_and_rate_text_agree(value):
    assert percent_fine(value) == rate_text(value)


def test_the_workbook_format_keeps_one_decimal_below_the_same_threshold():
    assert RATE_EXCEL_FORMAT == "[=0]0%;[<0.0995]0.0%;0%"

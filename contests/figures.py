"""How a figure is written for people, the same on every page, export and document.

A participation rate: a whole percent («37%»), with one decimal under 10 % so that one person of
305 shows as «0,3%» and not «0%»; halves rounded up (as Excel and LibreOffice round), a decimal
comma. The workbooks write the rate as a number with `RATE_EXCEL_FORMAT`, which shows the same
text in a spreadsheet."""

from decimal import ROUND_HALF_UP, Decimal

# Under this share (9,95 % rounds to 10 %) a rate keeps one decimal.
ONE_DECIMAL_BELOW = Decimal("9.95")
RATE_EXCEL_FORMAT = "[=0]0%;[<0.0995]0.0%;0%"


def rate_text(value) -> str:
    """«37%», «0,3%», «0%», «–» for no rate (a unit whose member count is unknown)."""
    if value is None or value == "":
        return "–"
    pct = Decimal(str(value)) * 100
    places = Decimal("0.1") if 0 < pct < ONE_DECIMAL_BELOW else Decimal("1")
    return f"{pct.quantize(places, rounding=ROUND_HALF_UP)}%".replace(".", ",")

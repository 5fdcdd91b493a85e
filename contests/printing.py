"""How a workbook prints. Every sheet the product writes (the secretariat's exports, the prize
list, the essays, the question bank and its analysis, the decision log, a person's data, the
member list template) gets the same page set-up, so «Print» gives a readable document and not
31 pages of cut-off columns:

- A4, landscape when the columns are wider than a portrait page, portrait otherwise;
- fit to the page's width (as many pages down as the rows need), narrow margins;
- the header row repeated on every page, gridlines printed;
- a title in the page header (the contest, the round or the list, the date of the export) and
  «Trang N/M» in the footer.

It works on write-only (streaming) sheets too: call it before the first row is appended.
"""

import datetime
from collections.abc import Iterable

from django.utils import timezone
from openpyxl.worksheet.page import PageMargins

from .text import excel_text

A4 = 9  # openpyxl's PAPERSIZE_A4
# Column width units (characters of the default font) that fit across an A4 portrait page
# between narrow margins at 100 %; a wider sheet is turned to landscape before being scaled.
PORTRAIT_WIDTH = 100
DEFAULT_WIDTH = 13  # openpyxl's width of a column nobody sized
# A header or footer section holds 255 characters with its codes; the title keeps within.
TITLE_MAX = 200
PAGE_FOOTER = "Trang &P/&N"


def print_title(*parts, on: datetime.date | None = None) -> str:
    """«Cuộc thi … · Tuần thi thứ nhất · 7/12/2026»: the non-empty parts and the date (today's
    local date unless given), as the page header of a printed sheet."""
    day = on or timezone.localdate()
    words = [str(p).strip() for p in parts if p is not None and str(p).strip()]
    return " · ".join([*words, f"{day.day}/{day.month}/{day.year}"])


def _header_text(title: str) -> str:
    """A title for a header section: no control characters, «&» doubled (a single one starts a
    code such as &P), cut to fit."""
    text = excel_text(title).lstrip("'")
    if len(text) > TITLE_MAX:
        text = text[: TITLE_MAX - 1] + "…"
    return text.replace("&", "&&")


def is_wide(widths: Iterable[float]) -> bool:
    return sum(widths) > PORTRAIT_WIDTH


def sheet_print_setup(sheet, *, title: str, widths: Iterable[float] | None = None, header_rows: int = 1) -> None:
    """Give `sheet` the product's page set-up (module docstring). `widths` are the columns'
    widths (by default those set on the sheet, unsized columns counted at DEFAULT_WIDTH);
    `header_rows` the rows repeated at the top of every page (0: none)."""
    if widths is None:
        widths = [d.width or DEFAULT_WIDTH for d in sheet.column_dimensions.values()]
    widths = list(widths)
    setup = sheet.page_setup
    setup.paperSize = A4
    setup.orientation = "landscape" if is_wide(widths) else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.75, bottom=0.6, header=0.3, footer=0.3)
    sheet.print_options.gridLines = True
    sheet.print_options.horizontalCentered = True
    if header_rows:
        sheet.print_title_rows = f"1:{header_rows}"
    sheet.oddHeader.center.text = _header_text(title)
    sheet.oddHeader.center.size = 10
    sheet.oddFooter.center.text = PAGE_FOOTER
    sheet.oddFooter.center.size = 9

"""Documents in the Party's format (Hướng dẫn 36-HD/VPTW on the format of the Party's documents):
the one place that lays out a DOCX page, shared by the summary report (reports.summary) and the
essay book (essays.exports).

- A4 (210 × 297 mm); margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm.
- Times New Roman everywhere, set on the document defaults, on every style and on every run,
  East Asian and complex-script slots included, so Word never substitutes a theme font; black
  text, no theme colours.
- The header block as a borderless table: on the left the superior body, the issuing body in
  bold, «*» and «Số …-BC/…»; on the right «ĐẢNG CỘNG SẢN VIỆT NAM» in bold, underlined, and the
  place and date in italics on the line of the number.
- The document type and title centred in bold, the body justified with a first-line indent,
  then «Nơi nhận:» (14 pt, underlined) with the recipients (12 pt) on the left and the signature block on the right.
- Page numbers centred in the header from page 2.

Every text goes through contests.text.docx_text; python-docx escapes XML, so what a user typed
is always text.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from .text import docx_text, inline_spans, markdown_blocks, markdown_plain

FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 165 mm
BODY_SIZE = Pt(14)
TABLE_SIZE = Pt(13)
PARAGRAPH_SPACE = Pt(6)
FIRST_LINE_INDENT = Cm(1.27)
# The two columns of the header and signature blocks (together the text width).
LEFT_COLUMN, RIGHT_COLUMN = Mm(82), Mm(83)
_THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
_THEME_COLOR_ATTRIBUTES = ("w:themeColor", "w:themeShade", "w:themeTint")


def signer(contest) -> tuple[str, str, str]:
    """Who signs the contest's documents, as printed under the text (the DOCX reports, the
    certificates): the authority («T/M BAN THƯỜNG VỤ») and the title in capitals, then the name
    — from the contest's settings (`doc_signer_*`)."""
    return contest.doc_signer_authority.upper(), contest.doc_signer_title.upper(), contest.doc_signer_name


def vi_date(day: datetime.date) -> str:
    """«ngày 05 tháng 02 năm 2026»: a day below 10 and the months 1 and 2 take a leading zero
    (Hướng dẫn 36-HD/VPTW), so no digit can be added by hand."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def blank_date(year: int | None = None) -> str:
    """«ngày    tháng    năm 2026»: the date a document gets when it is signed, written in by hand."""
    gap = "\u00a0" * 5
    return f"ngày{gap}tháng{gap}năm {year or timezone.localdate().year}"


def decision_symbol(contest) -> str:
    """A decision's symbol beside the contest's report symbol: «BC/ĐUK» → «QĐ/ĐUK»."""
    issuer = contest.doc_symbol.split("/", 1)[1] if "/" in contest.doc_symbol else contest.doc_symbol
    return f"QĐ/{issuer}" if issuer else "QĐ"


def _set_fonts(r_pr) -> None:
    """Times New Roman in all four slots of an rPr, theme fonts removed (they win over names)."""
    fonts = r_pr.get_or_add_rFonts()
    for attribute in _THEME_FONT_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _set_black(r_pr) -> None:
    color = r_pr.find(qn("w:color"))
    if color is None:
        color = OxmlElement("w:color")
        r_pr.append(color)
    for attribute in _THEME_COLOR_ATTRIBUTES:
        color.attrib.pop(qn(attribute), None)
    color.set(qn("w:val"), "000000")


def _defaults(document) -> None:
    """Document defaults and every style: Times New Roman, black, Vietnamese; headings no longer
    blue, larger or in a theme font."""
    styles = document.styles.element
    r_pr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(r_pr)
    _set_black(r_pr)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    for style in document.styles:
        element = style.element
        if element.get(qn("w:type")) == "numbering":
            continue
        style_r_pr = element.get_or_add_rPr()
        _set_fonts(style_r_pr)
        _set_black(style_r_pr)
        if style.name.startswith("Heading") or style.name in ("Title", "Subtitle"):
            style.font.size = BODY_SIZE
            style.font.italic = False
            style.font.bold = True
            if hasattr(style, "paragraph_format"):  # «Heading 1 Char» is a character style
                style.paragraph_format.space_before = Pt(6)
                style.paragraph_format.space_after = Pt(6)
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.15


def _page(section) -> None:
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = section.footer_distance = Mm(10)


def _field(paragraph, instruction: str, *, size=BODY_SIZE) -> None:
    """A Word field (PAGE, PAGEREF …) in a paragraph: Word and LibreOffice compute its value."""

    def field_run():
        run = paragraph.add_run()
        _style_run(run, size=size)
        return run

    for kind in ("begin", "instruction", "separate", "end"):
        run = field_run()
        if kind == "instruction":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
            continue
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            char.set(qn("w:dirty"), "true")  # Word recomputes it when it opens the file
        run._r.append(char)


def _style_run(run, *, size=BODY_SIZE, bold=False, italic=False, underline=False) -> None:
    r_pr = run._r.get_or_add_rPr()
    _set_fonts(r_pr)
    run.font.size = size
    run.font.bold = bold
    run.font.italic = italic
    run.font.underline = underline
    run.font.color.rgb = BLACK


def _no_borders(table) -> None:
    _borders(table, "nil")


def _borders(table, kind: str) -> None:
    tbl_pr = table._tbl.tblPr
    borders = tbl_pr.find(qn("w:tblBorders"))
    if borders is None:
        borders = OxmlElement("w:tblBorders")
        tbl_pr.append(borders)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = borders.find(qn(f"w:{edge}"))
        if element is None:
            element = OxmlElement(f"w:{edge}")
            borders.append(element)
        element.set(qn("w:val"), kind)
        if kind != "nil":
            element.set(qn("w:sz"), "4")
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")


def _widths(table, widths: Sequence) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width


class PartyDocument:
    """A DOCX document in the Party's format. Build it top to bottom, then `save`."""

    def __init__(self):
        self.document = Document()
        _defaults(self.document)
        section = self.document.sections[0]
        _page(section)
        self._page_numbers(section)

    # --- pieces -----------------------------------------------------------------------------

    def paragraph(
        self, text: str = "", *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, size=BODY_SIZE,
        bold: bool = False, italic: bool = False, underline: bool = False, space_after=PARAGRAPH_SPACE, line_spacing=None,
        container=None, keep_with_next: bool = False, style: str | None = None,
    ):  # fmt: skip
        """One paragraph of plain text (a user's or ours)."""
        paragraph = self._new_paragraph(container, style)
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.first_line_indent = FIRST_LINE_INDENT if indent else None
        fmt.space_before = Pt(0)
        fmt.space_after = space_after
        fmt.keep_with_next = keep_with_next
        if line_spacing is not None:
            fmt.line_spacing = line_spacing
        if text:
            self.run(paragraph, text, size=size, bold=bold, italic=italic, underline=underline)
        return paragraph

    def run(self, paragraph, text: str, *, size=BODY_SIZE, bold=False, italic=False, underline=False):
        run = paragraph.add_run(docx_text(text))
        _style_run(run, size=size, bold=bold, italic=italic, underline=underline)
        return run

    def heading(self, text: str, *, indent: bool = True):
        """A heading of the body («I. KẾT QUẢ ĐẠT ĐƯỢC», «1. …»): bold, black, kept with what
        follows."""
        return self.paragraph(text, bold=True, indent=indent, keep_with_next=True)

    def page_break(self) -> None:
        paragraph = self._new_paragraph(None, None)
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run()
        _style_run(run)
        run.add_break(WD_BREAK.PAGE)

    def markdown(self, text: str, *, line_spacing=1.3, size=BODY_SIZE) -> None:
        """A user's text in the site's Markdown (contests.text): paragraphs justified with a
        first-line indent, small headings in bold, lists and quotes; raw HTML taken out."""
        for block in markdown_blocks(markdown_plain(text)):
            if block.kind == "hr":
                self.paragraph("* * *", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, line_spacing=line_spacing)
                continue
            if block.kind == "h":
                paragraph = self.paragraph(keep_with_next=True, line_spacing=line_spacing, indent=False)
                paragraph.paragraph_format.space_before = Pt(6)
                self._spans(paragraph, block.lines[0], size=size, bold=True)
                continue
            if block.kind in ("ul", "ol"):
                for number, item in enumerate(block.lines, start=1):
                    paragraph = self.paragraph(line_spacing=line_spacing)
                    self.run(paragraph, "- " if block.kind == "ul" else f"{number}. ", size=size)
                    self._spans(paragraph, item, size=size)
                continue
            paragraph = self.paragraph(line_spacing=line_spacing)
            if block.kind == "quote":
                paragraph.paragraph_format.left_indent = FIRST_LINE_INDENT
            self._spans(paragraph, " ".join(block.lines), size=size, italic=block.kind == "quote")

    def _spans(self, paragraph, text: str, *, size=BODY_SIZE, bold=False, italic=False) -> None:
        for words, span_bold, span_italic in inline_spans(text):
            self.run(paragraph, words, size=size, bold=bold or span_bold, italic=italic or span_italic)

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]], *, widths: Sequence, numeric=(), size=TABLE_SIZE):
        """A table of figures: black single borders, the header row bold and repeated on every
        page, figures right-aligned."""
        table = self.document.add_table(rows=1, cols=len(headers))
        _borders(table, "single")
        header = table.rows[0]
        tr_pr = header._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for cell, text in zip(header.cells, headers):
            self._cell_text(cell, text, size=size, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        for values in rows:
            cells = table.add_row().cells
            for index, (cell, text) in enumerate(zip(cells, values)):
                align = WD_ALIGN_PARAGRAPH.RIGHT if index in numeric else WD_ALIGN_PARAGRAPH.LEFT
                self._cell_text(cell, text, size=size, align=align)
        _widths(table, widths)
        return table

    def _cell_text(
        self, cell, text: str, *, size=BODY_SIZE, bold=False, italic=False, underline=False, align=WD_ALIGN_PARAGRAPH.LEFT
    ):
        paragraph = cell.paragraphs[0]
        paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.first_line_indent = None
        self.run(paragraph, text, size=size, bold=bold, italic=italic, underline=underline)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        return paragraph

    # --- the blocks of a Party document -----------------------------------------------------

    def header_block(self, *, contest, date: datetime.date | None, symbol: str | None = None, number: str | None = None) -> None:
        """Top left the superior and the issuing body, «*» and the number; top right the Party's
        name and, on the line of the number, the place and date (from the contest's settings).
        `symbol` replaces the contest's report symbol (a decision's «QĐ/…»), `number` its number
        ("" leaves room for the office's); `date` None leaves the day and month blank for the
        office to write in when it signs («ngày   tháng   năm 2026»)."""
        table = self.document.add_table(rows=2, cols=2)
        _no_borders(table)
        (left_top, right_top), (left_bottom, right_bottom) = (row.cells for row in table.rows)
        center = WD_ALIGN_PARAGRAPH.CENTER
        lines = []
        if contest.doc_superior_body:
            lines.append((contest.doc_superior_body.upper(), False))
        lines.append((contest.doc_issuing_body.upper(), True))
        for index, (text, bold) in enumerate(lines):
            target = left_top.paragraphs[0] if index == 0 else left_top.add_paragraph()
            target.alignment = center
            target.paragraph_format.space_after = Pt(0)
            self.run(target, text, bold=bold)
        star = left_top.add_paragraph()
        star.alignment = center
        star.paragraph_format.space_after = Pt(0)
        self.run(star, "*")
        self._cell_text(right_top, "ĐẢNG CỘNG SẢN VIỆT NAM", size=Pt(15), bold=True, underline=True, align=center)
        right_top.vertical_alignment = left_top.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        number = (contest.doc_number if number is None else number) or "\u00a0" * 6  # room for the office's number
        self._cell_text(left_bottom, f"Số {number}-{symbol or contest.doc_symbol}", align=center)
        day = vi_date(date) if date is not None else blank_date()
        place = f"{contest.doc_place}, {day}" if contest.doc_place else day.capitalize()
        self._cell_text(right_bottom, place, italic=True, align=center)
        _widths(table, (LEFT_COLUMN, RIGHT_COLUMN))

    def title(self, kind: str, subject: str) -> None:
        """«BÁO CÁO» and its subject, centred in bold, a short rule below."""
        center = WD_ALIGN_PARAGRAPH.CENTER
        self.paragraph(kind.upper(), align=center, indent=False, size=Pt(16), bold=True, space_after=Pt(0)
                       ).paragraph_format.space_before = Pt(18)  # fmt: skip
        self.paragraph(subject, align=center, indent=False, bold=True, space_after=Pt(0))
        self.paragraph("-----", align=center, indent=False, space_after=Pt(12))

    def closing(self, *, contest, recipients: Sequence[str] = ()) -> None:
        """«Nơi nhận:» and the recipients on the left (`recipients` first — a decision's «Như Điều
        3» —, then the contest's), the signature block on the right."""
        spacer = self._new_paragraph(None, None)
        spacer.paragraph_format.space_after = Pt(0)
        table = self.document.add_table(rows=1, cols=2)
        _no_borders(table)
        left, right = table.rows[0].cells
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)  # the signature never leaves its recipients on another page
        self._cell_text(left, "Nơi nhận:", size=Pt(14), underline=True)  # Hướng dẫn 36: 14 pt, upright, underlined
        lines = [*recipients, *contest.doc_recipients.splitlines()]
        recipients = [line.strip().lstrip("-").strip().rstrip(",.;") for line in lines]
        recipients = [r for r in recipients if r]
        for index, name in enumerate(recipients):
            paragraph = left.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(0)
            self.run(paragraph, f"- {name}{'.' if index == len(recipients) - 1 else ','}", size=Pt(12))
        center = WD_ALIGN_PARAGRAPH.CENTER
        authority, title, name = signer(contest)
        self._cell_text(right, authority, bold=True, align=center)
        for text in [title, "", "", "", name]:
            paragraph = right.add_paragraph()
            paragraph.alignment = center
            paragraph.paragraph_format.space_after = Pt(0)
            if text:
                self.run(paragraph, text, bold=True)
        left.vertical_alignment = right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        _widths(table, (LEFT_COLUMN, RIGHT_COLUMN))

    # --- book pieces ------------------------------------------------------------------------

    def bookmark(self, paragraph, name: str, bookmark_id: int) -> None:
        """A bookmark around a paragraph's text, for a PAGEREF in the table of contents."""
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(bookmark_id))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(bookmark_id))
        paragraph._p.insert(paragraph._p.index(paragraph._p.pPr) + 1 if paragraph._p.pPr is not None else 0, start)
        paragraph._p.append(end)

    def page_reference(self, paragraph, bookmark: str, *, size=BODY_SIZE) -> None:
        """The page a bookmark is on (a PAGEREF field), right-aligned with dot leaders."""
        paragraph.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        self.run(paragraph, "", size=size).add_tab()
        _field(paragraph, f"PAGEREF {bookmark} \\h", size=size)

    def update_fields_on_open(self) -> None:
        """Ask Word to compute the page references when it opens the file."""
        settings = self.document.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)

    def new_section(self):
        """A new page in a new section (same page setup, same numbering)."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        _page(section)
        return section

    # --- plumbing ---------------------------------------------------------------------------

    def _page_numbers(self, section) -> None:
        """Page numbers centred in the header, none on the first page."""
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(paragraph, "PAGE")
        first = section.first_page_header.paragraphs[0]
        _style_run(first.add_run(""))

    def _new_paragraph(self, container, style):
        return (container or self.document).add_paragraph(style=style)

    def save(self, target) -> None:
        self.document.save(target)

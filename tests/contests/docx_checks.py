"""What every document in the Party's format must hold, read back with python-docx."""

from docx.oxml.ns import qn

FONT = "Times New Roman"
SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
THEME_SLOTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def all_paragraphs(document):
    """Body, table cells (nested too), headers and footers."""

    def walk(container):
        yield from container.paragraphs
        for table in getattr(container, "tables", []):
            for row in table.rows:
                for cell in row.cells:
                    yield from walk(cell)

    yield from walk(document)
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            yield from walk(part)


def assert_party_page(document) -> None:
    for section in document.sections:
        # Word stores twentieths of a point: compare in tenths of a millimetre.
        assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == (210, 297)
        assert 20 <= round(section.top_margin.mm, 1) <= 25
        assert 20 <= round(section.bottom_margin.mm, 1) <= 25
        assert 30 <= round(section.left_margin.mm, 1) <= 35
        assert 15 <= round(section.right_margin.mm, 1) <= 20


def _assert_fonts(r_pr, where: str) -> None:
    fonts = r_pr.find(qn("w:rFonts")) if r_pr is not None else None
    assert fonts is not None, f"no fonts set on {where}"
    assert [fonts.get(qn(slot)) for slot in SLOTS] == [FONT] * 4, where
    assert not [slot for slot in THEME_SLOTS if fonts.get(qn(slot))], where


def _assert_black(r_pr, where: str) -> None:
    color = r_pr.find(qn("w:color")) if r_pr is not None else None
    if color is not None:
        assert color.get(qn("w:val")) in ("000000", "auto"), where
        assert color.get(qn("w:themeColor")) is None, where


def assert_times_new_roman_everywhere(document) -> int:
    """Document defaults, every style and every run: Times New Roman in all four slots, no theme
    font or colour. Returns the number of runs checked."""
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _assert_fonts(defaults, "document defaults")
    for style in document.styles:
        if style.element.get(qn("w:type")) != "numbering":
            _assert_fonts(style.element.rPr, f"style {style.name}")
            _assert_black(style.element.rPr, f"style {style.name}")
    runs = 0
    for paragraph in all_paragraphs(document):
        for run in paragraph.runs:
            _assert_fonts(run._r.rPr, f"run {run.text!r}")
            _assert_black(run._r.rPr, f"run {run.text!r}")
            runs += 1
    return runs


def page_break_before(paragraph) -> bool:
    """The paragraph starts a page: the paragraph before it holds a page break."""
    previous = paragraph._p.getprevious()
    return previous is not None and any(br.get(qn("w:type")) == "page" for br in previous.iter(qn("w:br")))

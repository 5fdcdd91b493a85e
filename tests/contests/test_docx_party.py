import datetime
import io

import pytest
from docx import Document
from docx.shared import Pt
from hypothesis import given, settings
from hypothesis import strategies as st

from contests.docx_party import PartyDocument, vi_date
from contests.text import docx_text, markdown_plain
from tests.contests.docx_checks import all_paragraphs, assert_party_page, assert_times_new_roman_everywhere
from tests.factories import ContestFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://x","bấm")',
    "<w:t>chèn</w:t> & <script>alert(1)</script>",
    "Nguyễn\x00Văn\x07An\x1b\x7f\x85",
    "tên\u202eđảo\u2066ngược\u200f",
    "x" * 3000,
    "{ PAGE } \\f MERGEFIELD",
]


def _reopen(document: PartyDocument):
    buffer = io.BytesIO()
    document.save(buffer)
    return Document(io.BytesIO(buffer.getvalue()))


def _party_contest(**kwargs):
    values = {
        "doc_superior_body": "ĐẢNG BỘ TỈNH YÊN BÁI",
        "doc_issuing_body": "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH",
        "doc_number": "125",
        "doc_symbol": "BC/ĐUK",
        "doc_place": "Yên Bái",
        "doc_signer_authority": "T/M BAN THƯỜNG VỤ",
        "doc_signer_title": "PHÓ BÍ THƯ",
        "doc_signer_name": "Cao Xuân Chiểu",
        "doc_recipients": "- Thường trực Tỉnh ủy (b/c),\nBTV Đảng ủy Khối\n\nLưu Văn phòng ĐUK",
    }
    return ContestFactory(**(values | kwargs))


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (datetime.date(2026, 11, 24), "ngày 24 tháng 11 năm 2026"),
        (datetime.date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (datetime.date(2026, 1, 31), "ngày 31 tháng 01 năm 2026"),
        (datetime.date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
    ],
)
def test_vi_date_pads_days_below_ten_and_months_one_and_two(day, text):
    assert vi_date(day) == text


def test_party_document_page_fonts_header_and_signature_blocks():
    contest = _party_contest()
    document = PartyDocument()
    document.header_block(contest=contest, date=datetime.date(2026, 11, 24))
    document.title("Báo cáo", "Tổng kết cuộc thi")
    document.heading("Kết quả")
    document.paragraph("Một đoạn.")
    document.table(["Tuần", "Bài thi"], [["Tuần 1", "1.413"]], widths=[1_000_000, 1_000_000], numeric=[1])
    document.closing(contest=contest)

    docx = _reopen(document)

    assert_party_page(docx)
    assert assert_times_new_roman_everywhere(docx) > 20
    header = docx.tables[0]
    left_top, right_top = (c.paragraphs for c in header.rows[0].cells)
    assert [p.text for p in left_top] == ["ĐẢNG BỘ TỈNH YÊN BÁI", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH", "*"]
    assert [r.bold for r in left_top[0].runs + left_top[1].runs] == [False, True]
    party = right_top[0].runs[0]
    assert (party.text, party.bold, party.underline, party.font.size) == ("ĐẢNG CỘNG SẢN VIỆT NAM", True, True, Pt(15))
    number, date = header.rows[1].cells
    assert number.text == "Số 125-BC/ĐUK"
    assert date.text == "Yên Bái, ngày 24 tháng 11 năm 2026"
    assert date.paragraphs[0].runs[0].italic is True
    texts = [p.text for p in docx.paragraphs]
    assert texts[:3] == ["BÁO CÁO", "Tổng kết cuộc thi", "-----"]
    assert docx.paragraphs[0].runs[0].bold is True
    recipients, signature = docx.tables[-1].rows[0].cells
    assert [p.text for p in recipients.paragraphs] == [
        "Nơi nhận:", "- Thường trực Tỉnh ủy (b/c),", "- BTV Đảng ủy Khối,", "- Lưu Văn phòng ĐUK.",
    ]  # fmt: skip
    first = recipients.paragraphs[0].runs[0]
    assert (first.bold, first.italic, first.underline, first.font.size) == (False, False, True, Pt(14))
    assert {r.font.size for p in recipients.paragraphs[1:] for r in p.runs} == {Pt(12)}
    lines = [p.text for p in signature.paragraphs if p.text]
    assert lines == ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ", "Cao Xuân Chiểu"]
    assert all(r.bold for p in signature.paragraphs for r in p.runs if r.text)
    for table in (header, docx.tables[-1]):
        borders = table._tbl.tblPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblBorders")
        assert {b.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") for b in borders} == {"nil"}


def test_party_document_numbers_pages_from_the_second():
    docx = _reopen(PartyDocument())
    section = docx.sections[0]
    assert section.different_first_page_header_footer is True
    assert section.first_page_header.paragraphs[0].text == ""
    assert " PAGE " in section.header._element.xml


def test_party_document_without_number_or_place_leaves_room_to_write_them():
    contest = ContestFactory()  # the defaults: BAN TỔ CHỨC CUỘC THI, T/M BAN TỔ CHỨC, TRƯỞNG BAN
    document = PartyDocument()
    document.header_block(contest=contest, date=datetime.date(2026, 2, 1))
    document.closing(contest=contest)
    docx = _reopen(document)
    number, date = docx.tables[0].rows[1].cells
    assert number.text == "Số \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0-BC/BTC"
    assert date.text == "Ngày 01 tháng 02 năm 2026"
    assert [p.text for p in docx.tables[0].rows[0].cells[0].paragraphs] == ["BAN TỔ CHỨC CUỘC THI", "*"]
    signature = [p.text for p in docx.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signature == ["T/M BAN TỔ CHỨC", "TRƯỞNG BAN"]
    assert docx.tables[-1].rows[0].cells[0].paragraphs[-1].text == "- Lưu VP."


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_survives_as_text(text):
    contest = _party_contest(doc_signer_name=docx_text(text)[:100])
    document = PartyDocument()
    document.header_block(contest=contest, date=datetime.date(2026, 11, 24))
    document.paragraph(text)
    document.markdown(f"## {text}\n\n{text}\n\n- {text}")
    document.closing(contest=contest)

    docx = _reopen(document)

    texts = [p.text for p in all_paragraphs(docx)]
    assert docx.paragraphs[0].text == docx_text(text)
    from_markdown = docx_text(markdown_plain(text)).strip()  # raw HTML goes, as on the pages
    assert [p.text for p in docx.paragraphs[1:4]] == [from_markdown, from_markdown, f"- {from_markdown}"]
    assert docx.tables[-1].rows[0].cells[1].paragraphs[-1].text == docx_text(text)[:100]
    assert_times_new_roman_everywhere(docx)
    assert not any(ch in "".join(texts) for ch in "\x00\x07\x1b\x7f\x85\u202e\u2066\u200f")
    assert "instrText" not in docx.element.body.xml  # user text never becomes a field


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_any_text_makes_a_document_that_opens(text):
    document = PartyDocument()
    document.paragraph(text)
    docx = _reopen(document)
    assert docx.paragraphs[0].text == docx_text(text)


def test_markdown_keeps_paragraphs_headings_and_emphasis():
    document = PartyDocument()
    document.markdown("## Mở đầu\n\nĐoạn **một** dòng\nnối tiếp.\n\n- ý *một*\n- ý hai\n\n> trích dẫn")
    docx = _reopen(document)
    texts = [p.text for p in docx.paragraphs]
    assert texts == ["Mở đầu", "Đoạn một dòng nối tiếp.", "- ý một", "- ý hai", "trích dẫn"]
    assert [(r.text, r.bold) for r in docx.paragraphs[1].runs] == [("Đoạn ", False), ("một", True), (" dòng nối tiếp.", False)]
    assert docx.paragraphs[0].runs[0].bold is True
    assert docx.paragraphs[1].paragraph_format.first_line_indent is not None
    assert docx.paragraphs[4].runs[0].italic is True

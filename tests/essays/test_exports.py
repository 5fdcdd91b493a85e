import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from openpyxl import load_workbook

from accounts.enums import OrganizationKind, Role
from essays.enums import EssayStatus
from essays.models import Essay, EssayAuthor, EssayPrize
from tests.budgets import QUERIES
from tests.contests.docx_checks import assert_party_page, assert_times_new_roman_everywhere, page_break_before
from tests.essays.factories import EssayFactory, EssayPhaseFactory
from tests.factories import ContestFactory, OrganizationFactory, staff_user

pytestmark = pytest.mark.django_db


def test_export_essays_command_writes_every_essay_as_text(tmp_path):
    phase = EssayPhaseFactory()
    EssayFactory(phase=phase, title='=HYPERLINK("http://x","bấm")', status=EssayStatus.SUBMITTED, submitted_at=timezone.now())
    EssayFactory(phase=phase, title="Chi bộ <b>kiểu mẫu</b> & đoàn kết")
    path = tmp_path / "bai.xlsx"

    call_command("export", "essays", str(path))

    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã bài", "Tên bài viết", "Viết về")
    titles = {r[1] for r in rows[1:]}
    assert titles == {'\'=HYPERLINK("http://x","bấm")', "Chi bộ kiểu mẫu & đoàn kết"}
    assert sheet.freeze_panes == "A2"


def test_book_holds_published_essays_without_markup(client):
    phase = EssayPhaseFactory()
    winner = EssayFactory(
        phase=phase,
        title="Người đảng viên trẻ",
        published_at=timezone.now(),
        body="## Mở đầu\n\nĐoạn <script>alert(1)</script> một.",
    )
    EssayPrize.objects.create(essay=winner, tier="first", rank=1)
    EssayFactory(phase=phase, title="Chưa đăng")
    client.force_login(staff_user(Role.SECRETARIAT))

    response = client.get("/essays/manage/book.docx")

    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Người đảng viên trẻ" in text and "Giải Nhất" in text and "Mở đầu" in text
    assert "Chưa đăng" not in text
    assert "<script>" not in text and "alert(1)" not in text


def test_book_is_a_real_book_in_the_party_format(client, django_assert_max_num_queries):
    contest = ContestFactory(
        name="Cuộc thi viết về chi bộ",
        theme="Đảng viên tốt, chi bộ kiểu mẫu",
        organizer_name="Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh",
        doc_place="Yên Bái",
        starts_on=datetime.date(2022, 8, 1),
        ends_on=datetime.date(2023, 4, 15),
    )
    phase = EssayPhaseFactory(contest=contest)
    newspaper = OrganizationFactory(name="Đảng bộ Báo Yên Bái")
    reporters = OrganizationFactory(name="Chi bộ Phóng viên", kind=OrganizationKind.CELL, parent=newspaper)
    now = timezone.now()
    second = EssayFactory(phase=phase, title="Bài không giải", published_at=now, body="Một.\n\nHai **đậm**.\n\nBa.")
    winner = EssayFactory(phase=phase, title="Người đảng viên trẻ", published_at=now - datetime.timedelta(days=2),
                          subject_organization=reporters, body="## Mở đầu\n\nĐoạn <script>alert(1)</script> một.")  # fmt: skip
    EssayAuthor.objects.create(essay=winner, name="Trần Thị Bình", organization=reporters, phone="0912345679")
    EssayPrize.objects.create(essay=winner, tier="first", rank=1)
    EssayFactory(phase=phase, title="Chưa đăng")
    long_word = "chibộ" * 200
    # Older data, written before the input rule: control and direction characters, a formula.
    Essay.objects.filter(pk=second.pk).update(
        title='=HYPERLINK("http://x","bấm")\x07',
        body=f"Đoạn\x01 có ký tự lạ\u202e.\n\n{long_word}\n\n@SUM(A1:A9)",
    )
    client.force_login(staff_user(Role.ORGANIZER))

    with django_assert_max_num_queries(QUERIES["essay_book"]):
        response = client.get("/essays/manage/book.docx")

    document = Document(io.BytesIO(response.content))
    assert_party_page(document)
    assert assert_times_new_roman_everywhere(document) > 20
    texts = [p.text for p in document.paragraphs]
    cover = texts[: texts.index("MỤC LỤC")]
    assert [t for t in cover if t] == [
        "ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH", "*", "TUYỂN TẬP", "BÀI VIẾT DỰ THI",
        "Cuộc thi viết về chi bộ", "Chủ đề “Đảng viên tốt, chi bộ kiểu mẫu”", "Yên Bái, 2022 – 2023",
    ]  # fmt: skip
    toc = texts[texts.index("MỤC LỤC") + 1 :][:4]
    author = winner.authors.first().name
    assert toc == [
        "1. Người đảng viên trẻ\t",
        f"{author}, Trần Thị Bình – Đảng bộ Báo Yên Bái › Chi bộ Phóng viên, Giải Nhất",
        '2. =HYPERLINK("http://x","bấm")\t',
        f"{second.authors.first().name} – {second.subject_organization.name}",
    ]
    toc_xml = document.paragraphs[texts.index("MỤC LỤC") + 1]._p.xml
    assert "PAGEREF bai_1" in toc_xml
    titles = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [t.text for t in titles] == ["Người đảng viên trẻ", '=HYPERLINK("http://x","bấm")']
    assert all(page_break_before(t) for t in titles)
    assert ['w:name="bai_1"' in titles[0]._p.xml, 'w:name="bai_2"' in titles[1]._p.xml] == [True, True]
    first = texts.index("Người đảng viên trẻ", texts.index("MỤC LỤC") + 3)
    assert texts[first + 1 : first + 6] == [
        f"{author}, Trần Thị Bình – Đảng bộ Báo Yên Bái › Chi bộ Phóng viên", "Giải Nhất", "-----", "Mở đầu", "Đoạn  một.",
    ]  # fmt: skip
    body = document.paragraphs[first + 5]
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.paragraph_format.first_line_indent == Cm(1.27)
    assert body.paragraph_format.line_spacing == 1.3
    rest = texts[texts.index('=HYPERLINK("http://x","bấm")', first) :]
    assert rest[3:] == ["Đoạn có ký tự lạ.", long_word, "@SUM(A1:A9)"]
    assert "Chưa đăng" not in texts and "alert(1)" not in "".join(texts)
    assert "<w:updateFields" in document.settings.element.xml


def test_book_before_any_essay_is_published_says_why_it_is_empty(client):
    EssayFactory(phase=EssayPhaseFactory(), title="Chưa đăng", status=EssayStatus.SUBMITTED)
    client.force_login(staff_user(Role.SECRETARIAT))

    document = Document(io.BytesIO(client.get("/essays/manage/book.docx").content))

    text = "\n".join(p.text for p in document.paragraphs)
    assert "Chưa có bài viết nào được đăng trên trang cuộc thi. Tuyển tập chỉ gồm các bài đã đăng" in text
    assert "Chưa đăng" not in text

import io

import pytest
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn

from accounts.enums import Role
from essays.models import Essay
from quiz.models import Round
from reports import selectors
from reports.summary import essay_paragraphs, summary_paragraphs
from tests.budgets import QUERIES
from tests.contests.docx_checks import assert_party_page, assert_times_new_roman_everywhere
from tests.factories import staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def test_summary_sentences_are_computed_from_the_data(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest

    headline, weeks, units = summary_paragraphs(contest=contest)

    assert headline.startswith(
        "Trong 2 tuần đã có 5 lượt người tham gia (3 người, mỗi người tính một lần dù thi nhiều tuần) với 6 lượt bài thi, "
        "trong đó có 3 lượt người (3 người) với 3 lượt bài"
    )
    assert "nhanh nhất là 25 giây" in headline
    first = Round.objects.get(contest=contest, number=1)
    assert weeks[0] == (
        f"{first.name}: có 3 người tham gia với 4 bài thi; số bài đạt điểm tuyệt đối: 2 bài (2 người), "
        "số bài thiếu một câu: 1 bài; bài hoàn thành nhanh nhất 25 giây."
    )
    assert units[0] == "Đảng bộ Cục Thuế tỉnh có 4 bài thi, 2 bài đạt điểm tuyệt đối, trong đó 01 giải nhất."


def test_summary_docx_download_is_a_party_report(client, known_contest, django_assert_max_num_queries):  # noqa: F811
    contest, _tax, _power = known_contest
    contest.doc_superior_body = "ĐẢNG BỘ TỈNH YÊN BÁI"
    contest.doc_place = "Yên Bái"
    contest.doc_signer_name = "Nguyễn Văn Trưởng"
    contest.save()
    client.force_login(staff_user(Role.SECRETARIAT))

    with django_assert_max_num_queries(QUERIES["summary_docx"]):
        response = client.get("/reports/summary.docx")
    document = Document(io.BytesIO(response.content))

    assert_party_page(document)
    assert assert_times_new_roman_everywhere(document) > 50
    header = document.tables[0]
    assert header.rows[0].cells[0].text.split("\n") == ["ĐẢNG BỘ TỈNH YÊN BÁI", "BAN TỔ CHỨC CUỘC THI", "*"]
    assert header.rows[0].cells[1].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert header.rows[1].cells[1].text.startswith("Yên Bái, ngày ")
    texts = [p.text for p in document.paragraphs]
    assert texts[:2] == ["BÁO CÁO", f"Tổng kết {contest.name}"]
    assert "- Đảng bộ Cục Thuế tỉnh có 4 bài thi, 2 bài đạt điểm tuyệt đối, trong đó 01 giải nhất." in texts
    figures = document.tables[1]
    assert [c.text for c in figures.rows[-1].cells] == ["Cộng", "5", "6", "3", "2", "25 giây"]
    assert all(r.bold for c in figures.rows[-1].cells for r in c.paragraphs[0].runs)
    borders = figures._tbl.tblPr.find(qn("w:tblBorders"))
    assert {(b.get(qn("w:val")), b.get(qn("w:color"))) for b in borders} == {("single", "000000")}
    signature = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signature == ["T/M BAN TỔ CHỨC", "TRƯỞNG BAN", "Nguyễn Văn Trưởng"]


def test_summary_names_each_week_as_its_table_row(client, known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    Round.objects.filter(contest=contest, number=1).update(name="Tuần thi thứ ba")
    Round.objects.filter(contest=contest, number=2).update(name="Tuần thi thứ tư")
    client.force_login(staff_user(Role.SECRETARIAT))

    document = Document(io.BytesIO(client.get("/reports/summary.docx").content))

    labels = [row.cells[0].text for row in document.tables[1].rows[1:-1]]
    lines = [p.text for p in document.paragraphs if p.text.startswith("- Tuần")]
    assert labels == ["Tuần thi thứ ba", "Tuần thi thứ tư"]
    assert [line.split(":")[0] for line in lines] == ["- Tuần thi thứ ba", "- Tuần thi thứ tư"]
    assert not any("tuần thứ" in p.text for p in document.paragraphs)


def test_summary_has_the_writing_part_and_says_the_book_is_empty_until_essays_are_published(client, known_contest):  # noqa: F811
    from essays.models import EssayAuthor, EssayPrize, JudgingRound, RoundEssay
    from tests.essays.factories import EssayFactory, EssayPhaseFactory

    contest, tax, power = known_contest
    phase = EssayPhaseFactory(contest=contest)
    kept = EssayFactory(phase=phase, subject_organization=tax, status="submitted", code="BV-001", title="Chi bộ kiểu mẫu")
    EssayAuthor.objects.filter(essay=kept).update(name="Trần Thị Bình")  # before screening freezes it
    Essay.objects.filter(pk=kept.pk).update(eligibility="eligible")
    EssayFactory(phase=phase, subject_organization=power, status="submitted", eligibility="ineligible",
                 screening_reasons=["off_theme"])  # fmt: skip
    EssayFactory(phase=phase, subject_organization=power, status="submitted")  # not screened yet
    judging = JudgingRound.objects.create(phase=phase, name="Vòng chung khảo", order=1)
    RoundEssay.objects.create(round=judging, essay=kept)
    EssayPrize.objects.create(essay=kept, tier="first", rank=1, status="verified")
    units = selectors.unit_table(contest=contest)

    lines = essay_paragraphs(contest=contest, units=units)

    assert lines == [
        "Ban Tổ chức nhận được 3 bài dự thi viết về tập thể, cá nhân của 2 chi, đảng bộ cơ sở.",
        "Vòng sơ loại: 1 bài đủ điều kiện dự thi, 1 bài không đủ điều kiện (không đúng chủ đề: 1 bài); còn 1 bài chưa sơ loại.",
        "Vòng chung khảo: 1 bài, 0 giám khảo chấm, đang chấm.",
        "Ban Giám khảo đã chọn 01 tác phẩm để trao giải, gồm 01 giải nhất:",
        "- Giải nhất: «Chi bộ kiểu mẫu» (mã BV-001), tác giả Trần Thị Bình.",
        "Chưa có bài nào được đăng trên trang cuộc thi, nên tuyển tập bài viết (DOCX) còn trống: tuyển tập chỉ gồm "
        "các bài đã đăng.",
    ]
    Essay.objects.filter(pk=kept.pk).update(published_at=timezone.now())
    assert essay_paragraphs(contest=contest, units=units)[-1] == (
        "1 bài đã được đăng trên trang cuộc thi; tuyển tập bài viết gồm các bài đã đăng."
    )
    client.force_login(staff_user(Role.SECRETARIAT))
    texts = [p.text for p in Document(io.BytesIO(client.get("/reports/summary.docx").content)).paragraphs]
    assert "KẾT QUẢ PHẦN THI VIẾT" in [t.upper() for t in texts]
    assert "- Giải nhất: «Chi bộ kiểu mẫu» (mã BV-001), tác giả Trần Thị Bình." in texts


def test_summary_of_a_contest_without_essays_says_so(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest

    assert essay_paragraphs(contest=contest, units=[]) == ["Phần thi viết chưa có bài dự thi nào được nộp."]

import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from accounts.enums import Role
from reports.summary import summary_paragraphs
from tests.budgets import QUERIES
from tests.contests.docx_checks import assert_party_page, assert_times_new_roman_everywhere
from tests.factories import staff_user
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def test_summary_sentences_are_computed_from_the_data(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest

    headline, weeks, units = summary_paragraphs(contest=contest)

    assert headline.startswith(
        "Trong 2 tuần đã có 5 lượt người tham gia với 6 lượt bài thi, trong đó có 3 lượt người với 3 lượt bài"
    )
    assert "nhanh nhất là 25 giây" in headline
    assert weeks[0] == (
        "Trong tuần thứ 1, có 3 người tham gia với 4 bài thi; số bài đạt điểm tuyệt đối: 2 bài (2 người), "
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

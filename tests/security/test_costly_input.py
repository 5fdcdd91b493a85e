import io

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import integrity
from audit.models import IntegrityDecision
from contests.text import render_markdown
from essays.models import ESSAY_BODY_MAX_CHARS, JudgingRound
from tests.essays.factories import EssayPhaseFactory
from tests.factories import OrganizationFactory

REPORTED = "[a](http://x) "


def test_the_reported_essay_renders_at_the_cap_as_sanitized_links():
    body = (REPORTED * (ESSAY_BODY_MAX_CHARS // len(REPORTED)))[:ESSAY_BODY_MAX_CHARS]

    html = render_markdown(body)

    count = ESSAY_BODY_MAX_CHARS // len(REPORTED)
    assert html.count('<a href="http://x" rel="noopener noreferrer nofollow">a</a>') == count
    assert html.startswith("<p>") and html.endswith("</p>")


def test_links_and_html_are_sanitized():
    html = render_markdown('[x](javascript:alert(1)) <script>alert(2)</script><b onclick="y()">b</b> [ok](https://a.vn)')
    assert "javascript:" not in html.replace("[x](javascript:alert(1))", "")
    assert "<script" not in html and "onclick" not in html
    assert '<a href="https://a.vn" rel="noopener noreferrer nofollow">ok</a>' in html


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="[]()*#->_ \n\tax:/&<\"'`\x00", max_size=400))
def test_any_text_renders_to_safe_html(text):
    html = render_markdown(text)
    assert "<script" not in html and "javascript:" not in html.lower().replace("&", "")
    assert html.count("<p>") == html.count("</p>")


@pytest.mark.django_db
def test_an_essay_over_the_cap_is_refused_with_a_clear_message(client, contestant_user):
    EssayPhaseFactory()
    client.force_login(contestant_user)
    org = OrganizationFactory()
    data = {
        "title": "Bài dài", "subject_kind": "collective", "subject_name": "Chi bộ", "subject_organization": org.pk,
        "body": "chữ " * (ESSAY_BODY_MAX_CHARS // 4 + 1), "declares_real": "on", "declares_unpublished": "on",
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-MIN_NUM_FORMS": "1", "form-MAX_NUM_FORMS": "5",
        "form-0-name": "Nguyễn Văn An", "form-0-organization": org.pk, "form-0-phone": "0912345678",
    }  # fmt: skip

    response = client.post(reverse("essays:new"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["body"]


@pytest.mark.django_db
def test_a_nul_character_in_the_url_is_a_400_not_a_500(client):
    response = client.get("/essays/%00/")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_integrity_verdict_is_refused(contest, secretariat):
    case = integrity.Case(key="phone:0912345678", kind="phone", description="", user_ids=[])
    with pytest.raises(ValueError, match="Quyết định không hợp lệ"):
        integrity.decide(contest=contest, case=case, by=secretariat, verdict="bogus", reason="Lý do")
    assert not IntegrityDecision.objects.exists()


@pytest.mark.django_db
def test_advance_with_non_integer_ids_is_a_message_not_a_500(client, organizer):
    round = JudgingRound.objects.create(phase=EssayPhaseFactory(), name="Sơ khảo", order=1)
    client.force_login(organizer)
    client.raise_request_exception = False

    response = client.post(f"/judging/manage/rounds/{round.pk}/advance/", {"to": "x", "essay": ["1", "²"]}, follow=True)

    assert response.status_code == 200
    assert "Lựa chọn không hợp lệ" in response.content.decode()


@pytest.mark.django_db
def test_the_reported_question_file_is_refused_after_reading_one_row_over_the_real_cap(monkeypatch):
    """The report: 100,000 question rows held a worker 247 s. Now, at the real cap (5,000), a
    file of cap + 1,000 rows is refused having read the header, the cap and one row more."""
    from openpyxl import Workbook

    from contests import workbooks
    from quiz.excel import MAX_ROWS, headers, parse_workbook

    wb = Workbook(write_only=True)
    sheet = wb.create_sheet()
    sheet.append(headers())
    for i in range(MAX_ROWS + 1000):
        sheet.append([f"C{i:05d}", "Điều lệ Đảng", f"Câu hỏi {i}?", "a", "b", "", "", "A", ""])
    buffer = io.BytesIO()
    wb.save(buffer)
    read = []
    real = workbooks._rows
    monkeypatch.setattr(workbooks, "_rows", lambda s: (read.append(row) or row for row in real(s)))

    report = parse_workbook(buffer)

    assert report.errors == ["Tệp có quá 5.000 dòng dữ liệu; hãy chia thành nhiều tệp, mỗi tệp tối đa 5.000 dòng."]
    assert len(read) == MAX_ROWS + 2

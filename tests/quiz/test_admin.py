import io

import pytest
from openpyxl import load_workbook

from accounts.enums import Role
from quiz.excel import headers
from quiz.models import Question, Round, RoundQuestion
from tests.budgets import QUERIES
from tests.factories import staff_user
from tests.quiz.factories import FieldFactory, QuestionFactory, RoundFactory, question_workbook, sealed_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer_client(client):
    client.force_login(staff_user(Role.ORGANIZER))
    return client


_upload = question_workbook


def test_admin_import_previews_then_imports(organizer_client):
    row = ["A1", "Điều lệ Đảng", "Đảng viên có mấy nhiệm vụ?", "3", "4", "5", "6", "B", "Điều lệ"]

    preview = organizer_client.post("/admin/quiz/question/import/", {"file": _upload([row])})
    assert "Xem trước: 1 câu hợp lệ" in preview.content.decode()
    assert Question.objects.count() == 0

    token = preview.context["confirm_form"]["token"].value()
    done = organizer_client.post(
        "/admin/quiz/question/import/", {"token": token, "create_fields": ["Điều lệ Đảng"], "confirm": "1"}
    )
    assert done.status_code == 302
    assert Question.objects.get().code == "A1"


def test_admin_import_lists_errors_and_imports_nothing(organizer_client):
    response = organizer_client.post(
        "/admin/quiz/question/import/", {"file": _upload([["A1", "", "", "x", "", "", "", "Z", ""]]), "confirm": "1"}
    )
    html = response.content.decode()
    assert "Dòng 2: thiếu lĩnh vực; thiếu nội dung câu hỏi; cần từ 2 đến 6 phương án" in html
    assert Question.objects.count() == 0


def test_admin_template_download_is_the_import_format(organizer_client):
    response = organizer_client.get("/admin/quiz/question/template.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == headers()


def test_admin_pool_view_adds_random_questions_and_copies_a_round(organizer_client):
    field = FieldFactory()
    for _ in range(12):
        QuestionFactory(field=field)
    week1 = RoundFactory()
    week3 = RoundFactory(contest=week1.contest)

    organizer_client.post(f"/admin/quiz/round/{week1.pk}/pool/", {"add_random": "1", "field": field.pk, "count": 5})
    organizer_client.post(f"/admin/quiz/round/{week3.pk}/pool/", {"copy": "1", "source": week1.pk})
    response = organizer_client.post(
        f"/admin/quiz/round/{week3.pk}/pool/", {"add_random": "1", "field": field.pk, "count": 50}, follow=True
    )

    assert RoundQuestion.objects.filter(round=week1).count() == 5
    assert RoundQuestion.objects.filter(round=week3).count() == 5
    assert "chỉ còn 7 câu chưa dùng" in response.content.decode()


def test_admin_approve_action_seals_and_sealed_questions_are_read_only(organizer_client):
    round = sealed_round()
    draft = RoundFactory(contest=round.contest)
    response = organizer_client.post(
        "/admin/quiz/round/", {"action": "approve_and_seal", "_selected_action": [draft.pk], "post": "yes"}, follow=True
    )
    assert "Chưa thể duyệt" in response.content.decode()
    assert Round.objects.get(pk=draft.pk).approved_at is None

    question = round.pool.first().question
    page = organizer_client.get(f"/admin/quiz/question/{question.pk}/change/")
    assert page.status_code == 200
    assert 'name="text"' not in page.content.decode()


def test_admin_answer_key_export(organizer_client):
    round = sealed_round(pool_size=20, fields=2)
    response = organizer_client.post("/admin/quiz/round/", {"action": "export_answer_key", "_selected_action": [round.pk]})
    assert response.content == bytes(round.seal.key_file)  # the sealed key file (tests/quiz/test_seal_views.py)


def test_question_changelist_query_count_is_constant(organizer_client, django_assert_num_queries):
    QuestionFactory()
    organizer_client.get("/admin/quiz/question/")
    with django_assert_num_queries(QUERIES["admin_question_list"]):
        organizer_client.get("/admin/quiz/question/")
    for _ in range(5):
        QuestionFactory()
    with django_assert_num_queries(QUERIES["admin_question_list"]):
        organizer_client.get("/admin/quiz/question/")

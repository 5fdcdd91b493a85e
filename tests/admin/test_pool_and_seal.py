"""Proofreading before sealing: the pool page and the sealing confirmation list the questions
with their options and the right answer; the field menu counts the unused questions."""

import pytest
from django.contrib.admin import helpers

from accounts.enums import Role
from quiz.enums import QuestionStatus
from quiz.models import Question, Round
from tests.factories import staff_user
from tests.quiz.factories import FieldFactory, QuestionFactory, RoundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizer(client):
    client.force_login(staff_user(Role.ORGANIZER))
    return client


def _pool(round, n=3):
    field = FieldFactory(name="Điều lệ Đảng")
    questions = [QuestionFactory(field=field, status=QuestionStatus.APPROVED) for _ in range(n)]
    for q in questions:
        round.pool.create(question=q)
    return field, questions


def test_pool_page_lists_each_question_with_its_options_and_right_answer(organizer):
    round = RoundFactory()
    _field, questions = _pool(round)

    html = organizer.get(f"/admin/quiz/round/{round.pk}/pool/").content.decode()

    for q in questions:
        assert f'data-question="{q.code}"' in html and q.text in html
        right = q.options.get(is_correct=True)
        assert f'<li class="right" data-right>{right.text}</li>' in html
        assert all(o.text in html for o in q.options.all())


def test_field_menu_counts_the_unused_questions_of_each_field(organizer):
    round = RoundFactory()
    field, _questions = _pool(round, n=2)
    for _ in range(3):
        QuestionFactory(field=field, status=QuestionStatus.APPROVED)
    QuestionFactory(field=field, status=QuestionStatus.DRAFT)  # not drawable
    empty = FieldFactory(name="Nghị quyết Trung ương 4")

    html = organizer.get(f"/admin/quiz/round/{round.pk}/pool/").content.decode()

    assert f'<option value="{field.pk}">Điều lệ Đảng — còn 3 câu chưa dùng</option>' in html
    assert f'<option value="{empty.pk}">Nghị quyết Trung ương 4 — còn 0 câu chưa dùng</option>' in html


def test_sealing_asks_first_and_lists_the_questions_to_proofread(organizer):
    round = RoundFactory()
    _field, questions = _pool(round)
    data = {"action": "approve_and_seal", helpers.ACTION_CHECKBOX_NAME: [round.pk]}

    response = organizer.post("/admin/quiz/round/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Soát lại câu hỏi trước khi niêm phong" in html
    assert [q.code for q in questions if f'data-question="{q.code}"' in html] == [q.code for q in questions]
    assert html.count("data-right") == len(questions)
    assert Round.objects.get(pk=round.pk).approved_at is None  # nothing sealed yet


def test_pool_page_query_count_does_not_grow_with_the_pool(organizer, django_assert_num_queries):
    round = RoundFactory()
    field, _questions = _pool(round, n=1)
    url = f"/admin/quiz/round/{round.pk}/pool/"
    organizer.get(url)
    with django_assert_num_queries(12):
        organizer.get(url)
    for _ in range(4):
        round.pool.create(question=QuestionFactory(field=field, status=QuestionStatus.APPROVED))
    assert Question.objects.count() == 5
    with django_assert_num_queries(12):
        organizer.get(url)

"""Proofreading before sealing: the pool page and the sealing confirmation list the questions
with their options and the right answer; the field menu counts the unused questions."""

import pytest
from django.contrib.admin import helpers

from accounts.enums import Role
from quiz.enums import QuestionStatus
from quiz.models import Question, Round
from tests.budgets import QUERIES
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

    assert f'<option value="{field.pk}">Điều lệ Đảng — còn 3 câu chưa dùng, 0 câu đã dùng ở tuần trước</option>' in html
    empty_label = "Nghị quyết Trung ương 4 — còn 0 câu chưa dùng, 0 câu đã dùng ở tuần trước"
    assert f'<option value="{empty.pk}">{empty_label}</option>' in html


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
    with django_assert_num_queries(QUERIES["admin_round_pool"]):
        organizer.get(url)
    for _ in range(4):
        round.pool.create(question=QuestionFactory(field=field, status=QuestionStatus.APPROVED))
    assert Question.objects.count() == 5
    with django_assert_num_queries(QUERIES["admin_round_pool"]):
        organizer.get(url)


def test_pool_page_draws_questions_already_used_in_earlier_rounds(organizer):
    """«N random questions already used in earlier rounds» per field, with the counts shown."""
    import datetime

    week1 = RoundFactory(opens_at=Round._meta.get_field("opens_at").to_python("2026-01-05T08:00:00+07:00"),
                         closes_at=Round._meta.get_field("closes_at").to_python("2026-01-12T08:00:00+07:00"))  # fmt: skip
    field, used = _pool(week1, n=6)
    fresh = [QuestionFactory(field=field) for _ in range(4)]
    week3 = RoundFactory(contest=week1.contest, opens_at=week1.opens_at + datetime.timedelta(days=14),
                         closes_at=week1.closes_at + datetime.timedelta(days=14))  # fmt: skip
    later = RoundFactory(contest=week1.contest, opens_at=week1.opens_at + datetime.timedelta(days=21),
                         closes_at=week1.closes_at + datetime.timedelta(days=21))  # fmt: skip
    later.pool.create(question=fresh[0])  # a later round's question is neither unused nor earlier
    week3.pool.create(question=used[0])  # already in this round: not drawn again
    url = f"/admin/quiz/round/{week3.pk}/pool/"

    html = organizer.get(url).content.decode()
    assert "Điều lệ Đảng — còn 3 câu chưa dùng, 5 câu đã dùng ở tuần trước" in html
    assert f'<tr data-field="{field.pk}"><td>Điều lệ Đảng</td><td>3</td><td>5</td></tr>' in html

    response = organizer.post(url, {"add_random": "1", "field": field.pk, "source": "earlier", "count": 4})
    assert response.status_code == 302
    pool = set(week3.pool.values_list("question_id", flat=True))
    assert len(pool) == 5 and pool <= {q.pk for q in used}

    response = organizer.post(url, {"add_random": "1", "field": field.pk, "source": "earlier", "count": 2}, follow=True)
    assert "chỉ có 1 câu đã dùng ở các tuần trước" in response.content.decode()
    assert week3.pool.count() == 5  # nothing added

    organizer.post(url, {"add_random": "1", "field": field.pk, "source": "unused", "count": 3})
    assert set(week3.pool.values_list("question_id", flat=True)) - {q.pk for q in used} == {q.pk for q in fresh[1:]}


# --- Questions whose answers are already published ---------------------------------------------


@pytest.fixture
def reuse():
    """Week 1 closed with its results and key published; week 3 reuses two of its questions."""
    import datetime

    from django.utils import timezone

    from tests.quiz.factories import sealed_round

    now = timezone.now()
    week1 = sealed_round(pool_size=20, opens_at=now - datetime.timedelta(days=16), closes_at=now - datetime.timedelta(days=9))
    Round.objects.filter(pk=week1.pk).update(results_published_at=now - datetime.timedelta(days=8))
    later = {"opens_at": now + datetime.timedelta(days=5), "closes_at": now + datetime.timedelta(days=12)}
    week3 = RoundFactory(contest=week1.contest, **later)
    reused = list(week1.pool.select_related("question").order_by("question__code")[:2])
    for link in reused:
        week3.pool.create(question=link.question)
    for _ in range(20):
        week3.pool.create(question=QuestionFactory(status=QuestionStatus.APPROVED))
    return {"week1": week1, "week3": week3, "codes": [link.question.code for link in reused]}


def _published_table(html, round):
    start = html.index(f'data-published-questions="{round.pk}"')
    return html[start : html.index("</table>", start)]


def test_the_confirmation_names_the_questions_already_published_and_seals_nothing(organizer, reuse):
    week1, week3 = reuse["week1"], reuse["week3"]
    data = {"action": "approve_and_seal", helpers.ACTION_CHECKBOX_NAME: [week3.pk]}

    asked = organizer.post("/admin/quiz/round/", data).content.decode()
    posted = organizer.post("/admin/quiz/round/", {**data, "post": "yes"}).content.decode()  # the box left unticked

    for html in (asked, posted):
        table = _published_table(html, week3)
        assert [code for code in reuse["codes"] if f"<td>{code}</td><td>{week1.name}</td>" in table] == reuse["codes"]
        assert table.count("<tr>") == 1 + 2  # the header and the two reused questions, nothing else
    assert "Chưa niêm phong: hãy đánh dấu ô xác nhận" in posted
    assert Round.objects.get(pk=week3.pk).approved_at is None


def test_with_the_confirmation_the_round_is_sealed_and_the_decision_names_the_questions(organizer, reuse):
    from contests.decisions import Action
    from contests.models import Decision

    week3 = reuse["week3"]
    data = {"action": "approve_and_seal", helpers.ACTION_CHECKBOX_NAME: [week3.pk], "post": "yes"}

    organizer.post("/admin/quiz/round/", {**data, "confirm_published": [str(week3.pk)]})

    assert Round.objects.get(pk=week3.pk).approved_at is not None
    decision = Decision.objects.filter(action=Action.SEAL, object_id=week3.pk).get()
    assert decision.data["published_questions"] == sorted(reuse["codes"])


def test_round_approve_refuses_without_the_explicit_confirmation(reuse):
    from quiz.errors import QuizError
    from quiz.services.rounds import round_approve

    with pytest.raises(QuizError) as refused:
        round_approve(round=reuse["week3"], by=staff_user(Role.ORGANIZER))

    assert all(f"{code} ({reuse['week1'].name})" in refused.value.message for code in reuse["codes"])
    assert Round.objects.get(pk=reuse["week3"].pk).approved_at is None


def test_the_pool_page_counts_the_questions_already_published(organizer, reuse):
    html = organizer.get(f"/admin/quiz/round/{reuse['week3'].pk}/pool/").content.decode()

    assert "2 câu đã công bố đáp án" in html
    assert all(f"<li>{code} — {reuse['week1'].name}</li>" in html for code in reuse["codes"])


def test_questions_of_a_round_whose_answers_stay_secret_need_no_confirmation(organizer, reuse):
    """Week 1 closed, its policy never showing answers, its results not published: nothing is public."""
    from quiz.enums import ReviewPolicy

    Round.objects.filter(pk=reuse["week1"].pk).update(results_published_at=None, review_policy=ReviewPolicy.NONE)
    data = {"action": "approve_and_seal", helpers.ACTION_CHECKBOX_NAME: [reuse["week3"].pk], "post": "yes"}

    organizer.post("/admin/quiz/round/", data)

    assert Round.objects.get(pk=reuse["week3"].pk).approved_at is not None


def test_questions_of_an_open_round_that_shows_answers_before_this_one_closes_need_the_confirmation(reuse):
    """Week 1 still open, showing its answers at its close — before week 3 closes: they will be public."""
    import datetime

    from django.utils import timezone

    from quiz import selectors
    from quiz.enums import ReviewPolicy

    week1 = reuse["week1"]
    Round.objects.filter(pk=week1.pk).update(
        results_published_at=None, review_policy=ReviewPolicy.AFTER_CLOSE, closes_at=timezone.now() + datetime.timedelta(days=5)
    )

    published = selectors.pool_published_questions(round=reuse["week3"])

    assert [(q.code, q.round_name) for q in published] == [(code, week1.name) for code in reuse["codes"]]


def test_the_organizers_round_page_asks_the_same_confirmation(client, reuse):
    """The other door (quiz.views.manage_round_action) goes through the same round_approve."""
    client.force_login(staff_user(Role.ORGANIZER))
    week3 = reuse["week3"]
    page = client.get(f"/quiz/manage/rounds/{week3.pk}/").content.decode()

    refused = client.post(f"/quiz/manage/rounds/{week3.pk}/approve/", follow=True).content.decode()
    sealed_before = Round.objects.get(pk=week3.pk).approved_at
    client.post(f"/quiz/manage/rounds/{week3.pk}/approve/", {"confirm_published": "1"})

    assert all(f"<li>{code} — {reuse['week1'].name}</li>" in page for code in reuse["codes"])
    assert "2 câu đã công bố đáp án" in refused and sealed_before is None
    assert Round.objects.get(pk=week3.pk).approved_at is not None

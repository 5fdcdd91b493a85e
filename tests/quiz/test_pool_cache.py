"""The sealed pool in memory (quiz.pool_cache): a start and the attempt page read no bank table
once the process has the pool; what they show is what the bank holds."""

import datetime
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quiz import pool_cache, selectors
from quiz.models import AttemptQuestion, Option, Question
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.pool import blueprint_set, round_pool_add
from quiz.services.rounds import round_approve
from tests.factories import contestant
from tests.quiz.factories import FieldFactory, QuestionFactory, RoundFactory, sealed_round

pytestmark = pytest.mark.django_db
BANK = ("quiz_question", "quiz_option", "quiz_roundquestion", "quiz_blueprintitem", "quiz_field")


def _bank_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if any(f'"{table}"' in q["sql"] for table in BANK)]


def test_a_later_start_and_its_page_read_no_bank_table(client):
    round = sealed_round(pool_size=60, fields=3)
    attempt_start(round=round, user=contestant())  # the first start reads the pool
    user = contestant()
    client.force_login(user)

    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("quiz:start", args=[round.pk]), follow=True)

    assert response.status_code == 200
    assert response.content.decode().count("<fieldset") == 20
    assert _bank_reads(queries.captured_queries) == []


def test_the_page_shows_the_banks_texts_in_the_drawn_order(client):
    round = sealed_round(pool_size=40, fields=4)
    user = contestant()
    attempt = attempt_start(round=round, user=user)

    items = selectors.attempt_items(attempt=attempt)

    rows = list(AttemptQuestion.objects.filter(attempt=attempt).order_by("position"))
    assert [i.position for i in items] == list(range(1, 21))
    for item, row in zip(items, rows, strict=True):
        assert item.text == Question.objects.get(pk=row.question_id).text
        assert item.options == [Option.objects.get(pk=oid).text for oid in row.option_ids]
        assert item.correct_index is None  # the key stays on the server while the attempt is open


def test_the_review_gets_the_key_from_memory_too():
    round = sealed_round(pool_size=40, fields=4)
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    attempt = attempt_submit(attempt=attempt, user=user, answers={})

    items = selectors.attempt_items(attempt=attempt, with_answers=True)

    for item, row in zip(items, AttemptQuestion.objects.filter(attempt=attempt).order_by("position"), strict=True):
        correct = Option.objects.get(question_id=row.question_id, is_correct=True).pk
        assert row.option_ids[item.correct_index] == correct
        assert item.field_name == Question.objects.get(pk=row.question_id).field.name


def test_draws_follow_the_blueprint_from_memory():
    round = RoundFactory(questions_per_attempt=10)
    fields = [FieldFactory() for _ in range(3)]
    for n, field in enumerate(fields):
        round_pool_add(round=round, question_ids=[QuestionFactory(field=field).pk for _ in range(5 + n)])
    blueprint_set(round=round, counts={fields[0].pk: 5, fields[1].pk: 3, fields[2].pk: 2})
    round_approve(round=round, by=contestant())
    round.refresh_from_db()

    for _ in range(5):
        attempt = attempt_start(round=round, user=contestant())
        drawn = Counter(AttemptQuestion.objects.filter(attempt=attempt).values_list("question__field_id", flat=True))
        assert drawn == {fields[0].pk: 5, fields[1].pk: 3, fields[2].pk: 2}


def test_a_sealed_pool_is_read_once_and_an_unsealed_one_every_time(django_assert_num_queries):
    sealed = sealed_round(pool_size=30, fields=3)
    draft = RoundFactory()
    round_pool_add(round=draft, question_ids=[QuestionFactory().pk for _ in range(3)])

    with django_assert_num_queries(3):
        pool_cache.sealed_pool(round=sealed)
    with django_assert_num_queries(0):
        again = pool_cache.sealed_pool(round=sealed)
    with django_assert_num_queries(3):
        pool_cache.sealed_pool(round=draft)
    with django_assert_num_queries(3):
        pool_cache.sealed_pool(round=draft)
    assert len(again.questions) == 30


def test_a_round_sealed_at_another_moment_is_another_pool(django_assert_num_queries):
    round = sealed_round(pool_size=20, fields=2)
    pool_cache.sealed_pool(round=round)
    round.approved_at += datetime.timedelta(microseconds=1)  # what a reused id in a fresh database looks like

    with django_assert_num_queries(3):
        pool_cache.sealed_pool(round=round)


def test_memory_holds_a_bounded_number_of_rounds(monkeypatch):
    monkeypatch.setattr(pool_cache, "MAX_ROUNDS", 2)
    pool_cache.clear()
    rounds = [sealed_round(pool_size=20, fields=2) for _ in range(3)]
    for round in rounds:
        pool_cache.sealed_pool(round=round)

    assert [key[0] for key in pool_cache._pools] == [rounds[1].pk, rounds[2].pk]


def test_an_attempt_with_a_question_outside_the_pool_still_renders():
    round = sealed_round(pool_size=20, fields=2)
    user = contestant()
    attempt = attempt_start(round=round, user=user)
    stray = QuestionFactory(text="Câu hỏi nằm ngoài bộ câu hỏi")
    AttemptQuestion.objects.filter(attempt=attempt, position=1).update(
        question=stray, option_ids=list(stray.options.values_list("pk", flat=True))
    )

    items = selectors.attempt_items(attempt=attempt)

    assert items[0].text == "Câu hỏi nằm ngoài bộ câu hỏi"
    assert items[0].options == [o.text for o in stray.options.order_by("letter")]

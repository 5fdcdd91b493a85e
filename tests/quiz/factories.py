import datetime
import io

import factory
from django.utils import timezone
from openpyxl import Workbook

from quiz.enums import QuestionStatus, RoundKind
from quiz.excel import headers
from quiz.models import Field, Option, Question, Round
from quiz.services.pool import round_pool_add
from quiz.services.rounds import round_approve
from tests.factories import ContestFactory, UserFactory


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Lĩnh vực {n}")


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"Q{n:04d}")
    field = factory.SubFactory(FieldFactory)
    text = factory.Sequence(lambda n: f"Câu hỏi số {n}: Đảng viên có nhiệm vụ gì?")
    status = QuestionStatus.APPROVED

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        if not create:
            return
        count = extracted or 4
        # One INSERT: the only signal on an option's save guards a sealed question, and this one is new.
        Option.objects.bulk_create(
            Option(question=self, letter="ABCDEF"[i], text=f"Phương án {'ABCDEF'[i]} của {self.code}", is_correct=i == 0)
            for i in range(count)
        )


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    contest = factory.SubFactory(ContestFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"Tuần thi thứ {o.number}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=6))
    questions_per_attempt = 20
    time_limit_seconds = 900
    kind = RoundKind.WEEKLY
    # Tests start many attempts at one instant; the pace limits (model defaults) are tested with
    # them set explicitly (tests/quiz/test_attempt_pace.py).
    attempts_per_day = None
    min_start_interval_minutes = None


def sealed_round(*, pool_size: int = 40, fields: int = 4, organizer=None, **kwargs) -> Round:
    """An approved round whose pool has `pool_size` questions spread over `fields` fields."""
    round = RoundFactory(**kwargs)
    field_objs = [FieldFactory() for _ in range(fields)]
    # Two INSERTs for the whole pool (questions, then their options) rather than two a question:
    # built by QuestionFactory, saved in bulk (a new question's save has no signal to run).
    questions = Question.objects.bulk_create(QuestionFactory.build(field=field_objs[i % fields]) for i in range(pool_size))
    Option.objects.bulk_create(
        Option(question=q, letter="ABCD"[i], text=f"Phương án {'ABCD'[i]} của {q.code}", is_correct=i == 0)
        for q in questions
        for i in range(4)
    )
    round_pool_add(round=round, question_ids=[q.pk for q in questions])
    # Sealed before the opening, as verify_results expects of a round's history.
    at = min(timezone.now(), round.opens_at - datetime.timedelta(minutes=1))
    round_approve(round=round, by=organizer or UserFactory(is_staff=True), at=at)
    round.refresh_from_db()
    return round


def answer_all(attempt, *, right: int) -> dict[int, int]:
    """Form answers for an attempt: the first `right` positions correct, the others wrong."""
    answers = {}
    items = list(attempt.items.order_by("position"))
    right_ids = set(
        Option.objects.filter(pk__in=[oid for item in items for oid in item.option_ids], is_correct=True).values_list(
            "pk", flat=True
        )
    )
    for item in items:
        correct = next(i for i, oid in enumerate(item.option_ids) if oid in right_ids)
        answers[item.position] = correct if item.position <= right else (correct + 1) % item.option_count
    return answers


def question_workbook(rows, name="cau-hoi.xlsx"):
    """An uploaded question bank: the contract's header row, then `rows`."""
    wb = Workbook()
    wb.active.append(headers())
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def played(round, user, right: int):
    """An attempt started and submitted now through the services, `right` questions right."""
    from quiz.services.attempts import attempt_start, attempt_submit

    attempt = attempt_start(round=round, user=user)
    return attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right))

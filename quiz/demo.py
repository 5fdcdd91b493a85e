"""Demo data for the quiz: a bank, week 1 closed with published results, week 2 open now,
week 3 in draft (new questions only), and the practice set, each approved round with its seal (key file and
fingerprint). Idempotent: what exists is left as it is."""

import datetime
import random

from django.contrib.auth.models import Group
from django.db.models import F
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.enums import Role
from accounts.models import Profile, User

from . import receipts
from .enums import ErratumAction, ReviewPolicy, RoundKind
from .models import Attempt, AttemptQuestion, Field, Option, Question, ResultShare, Round, RoundEntry
from .seal import rounds_without_seal, seal_backfill
from .services.attempts import attempt_start, attempt_submit
from .services.bank import question_upsert
from .services.errata import round_erratum
from .services.pool import round_pool_add
from .services.prizes import prize_verify, round_prizes_draft, round_publish_results
from .services.rounds import round_approve
from .services.sharing import result_share
from .sharing import shareable_entry

DEMO_CONTESTANTS = [
    ("Nguyễn Văn Hùng", "AGRI-BYB-1"), ("Trần Thị Mai", "VPUB-2"), ("Lê Minh Tuấn", "SLDTBXH"),
    ("Phạm Thị Hồng Nhung", "CDYB-1"), ("Vũ Đức Thắng", "DIENLUC-1"), ("Đặng Thu Trang", "VNPT-1"),
    ("Bùi Quang Huy", "CTHUE-2"), ("Hoàng Văn Nam", "AGRI-YB"), ("Ngô Thị Lan Anh", "BVDK-1"),
    ("Đỗ Xuân Trường", "SVHTTDL"), ("Lý Thị Hoa", "HU-VC"), ("Triệu Văn Sơn", "XMYB"),
]  # fmt: skip


def _bank():
    from .demo_questions import BANK, SAMPLE

    return BANK, SAMPLE


def _questions(bank: dict) -> dict[str, list[Question]]:
    by_field = {}
    for field_index, (field_name, rows) in enumerate(bank.items(), start=1):
        field, _ = Field.objects.get_or_create(name=field_name, defaults={"sort_order": field_index})
        questions = []
        for n, (text, options, correct, source) in enumerate(rows, start=1):
            code = f"L{field_index}-{n:03d}"
            question = Question.objects.filter(code=code).first()
            if question is None:
                # Spread the right answers over A–D in the bank (attempts shuffle them anyway).
                turn = n % len(options)
                options, correct = options[turn:] + options[:turn], (correct - turn) % len(options)
                question, _ = question_upsert(
                    code=code, field=field, text=text, options=options, correct_index=correct, source=source
                )
            questions.append(question)
        by_field[field_name] = questions
    return by_field


def _sample_questions(sample: list) -> list[Question]:
    field, _ = Field.objects.get_or_create(name="Bộ câu hỏi mẫu", defaults={"sort_order": 99})
    questions = []
    for n, (text, options, correct, source) in enumerate(sample, start=1):
        code = f"MAU-{n:03d}"
        question = Question.objects.filter(code=code).first()
        if question is None:
            question, _ = question_upsert(
                code=code, field=field, text=text, options=options, correct_index=correct, source=source
            )
        questions.append(question)
    return questions


def _contestants(units) -> list[User]:
    group, _ = Group.objects.get_or_create(name=Role.CONTESTANT)
    people = []
    for n, (name, unit_code) in enumerate(DEMO_CONTESTANTS, start=1):
        user = User.objects.filter(email=f"thisinh{n}@example.com").first()
        if user is None:
            user = User(email=f"thisinh{n}@example.com", full_name=name)
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(group)
            Profile.objects.create(
                user=user, phone=f"09{n:08d}", organization=units[unit_code], position="Chuyên viên", is_party_member=n % 3 != 0
            )
        people.append(user)
    return people


def _play(round: Round, user: User, rng: random.Random, *, skill: float) -> Attempt:
    """A demo attempt: each question right with probability `skill`, a plausible time taken."""
    attempt = attempt_start(round=round, user=user)
    correct = {
        item.position: next(i for i, oid in enumerate(item.option_ids) if oid in correct_ids)
        for item in AttemptQuestion.objects.filter(attempt=attempt)
        for correct_ids in [set(Option.objects.filter(pk__in=item.option_ids, is_correct=True).values_list("pk", flat=True))]
    }
    answers = {p: c if rng.random() < skill else (c + 1) % 4 for p, c in correct.items()}
    attempt = attempt_submit(attempt=attempt, user=user, answers=answers)
    # A plausible time taken: the attempt started that long before it was submitted (its window
    # moved with it), so duration = finished − started still holds, as verify_results checks.
    taken = datetime.timedelta(seconds=rng.randint(25, 300))
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=F("started_at") - taken, deadline=F("deadline") - taken,
        duration_ms=int((attempt.finished_at - attempt.started_at + taken).total_seconds() * 1000),
    )  # fmt: skip
    attempt.refresh_from_db()
    RoundEntry.objects.filter(best_attempt=attempt).update(duration_ms=attempt.duration_ms)
    return attempt


def _age(round: Round, user: User, delta: datetime.timedelta) -> None:
    """Move a contestant's attempts of a round back in time, so that the next one they play now
    happened a day later (rounds keep the default pace: two a day, 30 minutes apart)."""
    for attempt in Attempt.objects.filter(round=round, user=user):
        Attempt.objects.filter(pk=attempt.pk).update(
            started_at=attempt.started_at - delta, deadline=attempt.deadline - delta, finished_at=attempt.finished_at - delta
        )
    RoundEntry.objects.filter(round=round, user=user).update(finished_at=F("finished_at") - delta)
    AttemptQuestion.objects.filter(attempt__round=round, attempt__user=user, answered_at__isnull=False).update(
        answered_at=F("answered_at") - delta
    )


def _shift(round: Round, delta: datetime.timedelta) -> None:
    """Move a round's attempts back in time (the demo plays them now, they happened last week)."""
    for attempt in Attempt.objects.filter(round=round):
        Attempt.objects.filter(pk=attempt.pk).update(
            started_at=attempt.started_at - delta, deadline=attempt.deadline - delta, finished_at=attempt.finished_at - delta
        )
    for entry in RoundEntry.objects.filter(round=round):
        RoundEntry.objects.filter(pk=entry.pk).update(finished_at=entry.finished_at - delta)
    AttemptQuestion.objects.filter(attempt__round=round, answered_at__isnull=False).update(answered_at=F("answered_at") - delta)


def demo_window_rewrite(*, round: Round, opens_at: datetime.datetime, closes_at: datetime.datetime) -> None:
    """Give a sealed round of the demo (or of a test) another window, as if it had been sealed with
    it: the round and the window its seal keeps. A rewrite of history the application itself can
    never make — the seals are append-only, so this takes the owner's right to disable their row
    trigger for one UPDATE (on SQLite, the trigger is dropped and created again in the same
    transaction). `seed_demo` therefore runs as the database owner, like `migrate`."""
    from django.db import connection, transaction

    from contests.append_only import trigger_names

    rows_trigger = trigger_names("quiz_roundseal")[0]
    with transaction.atomic(), connection.cursor() as cursor:
        Round.objects.filter(pk=round.pk).update(opens_at=opens_at, closes_at=closes_at)
        update = "UPDATE quiz_roundseal SET opens_at = %s, closes_at = %s WHERE round_id = %s"
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check of this transaction: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE quiz_roundseal DISABLE TRIGGER {rows_trigger}")
            cursor.execute(update, [opens_at, closes_at, round.pk])
            cursor.execute(f"ALTER TABLE quiz_roundseal ENABLE TRIGGER {rows_trigger}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            import importlib

            sqlite = importlib.import_module("quiz.migrations.0002_round_seal")
            cursor.execute(sqlite.SQLITE_DOWN)
            cursor.execute(update, [opens_at, closes_at, round.pk])
            cursor.execute(sqlite.SQLITE_UP)
    round.refresh_from_db()


def _erratum(round: Round, *, by, at) -> None:
    question = Question.objects.filter(round_entries__round=round).order_by("code").first()
    right = question.options.get(is_correct=True).letter
    other = question.options.exclude(letter=right).order_by("letter").values_list("letter", flat=True).first()
    round_erratum(
        round=round, question=question, action=ErratumAction.REKEY, letters=right + other, by=by, at=at,
        reason=(
            f"Phương án {other} cũng đúng theo văn bản nguồn của câu hỏi (hai phương án cùng đúng). "
            f"Ban Tổ chức chấm đúng cả {right} và {other} cho mọi bài thi có câu này."
        ),
    )  # fmt: skip


def seed_quiz(*, contest, users, units) -> None:
    bank, sample = _bank()
    by_field = _questions(bank)
    organizer = users["organizer"]
    people = _contestants(units) + [users["contestant"]]
    rng = random.Random(2022)
    now = timezone.now().replace(second=0, microsecond=0)
    fields = list(by_field)

    def weekly(number, name, opens, closes, **extra):
        round, created = Round.objects.get_or_create(
            contest=contest, kind=RoundKind.WEEKLY, number=number,
            defaults={"name": name, "opens_at": opens, "closes_at": closes, **extra},
        )  # fmt: skip
        return round, created

    # Week 1: 40 questions (8 from each of five fields), closed last week, results published.
    week1, created = weekly(1, "Tuần thi thứ nhất", now - datetime.timedelta(days=1), now + datetime.timedelta(days=1))
    if created:
        ids = [q.pk for f in fields[:5] for q in by_field[f][:8]]
        round_pool_add(round=week1, question_ids=ids)
        # Sealed before the opening it will have once moved back (demo_window_rewrite below).
        week1 = round_approve(round=week1, by=organizer, at=now - datetime.timedelta(days=17))
        for user in people:
            for _ in range(rng.randint(1, 3)):
                _age(week1, user, datetime.timedelta(days=1))
                _play(week1, user, rng, skill=rng.choice([0.7, 0.85, 0.95, 1.0]))
        delta = datetime.timedelta(days=9)
        demo_window_rewrite(round=week1, opens_at=now - datetime.timedelta(days=16), closes_at=now - delta)
        _shift(week1, delta)
        week1.refresh_from_db()
        # The demo moved its attempts back in time after playing them: their receipts are made
        # again from what is stored now, before the close commits them (quiz.receipts).
        receipts.receipts_fill(round=week1, rebuild=True)
        # An erratum after the close (quiz.services.errata): a question found to have two right
        # answers accepts both; every attempt is scored again before the prizes are drafted.
        _erratum(week1, by=organizer, at=now - delta + datetime.timedelta(hours=3))
        for prize in round_prizes_draft(round=week1):
            prize_verify(prize=prize, by=users["secretariat"], valid=True, note="Đã xác minh với đơn vị")
        week1 = round_publish_results(round=week1, by=organizer)
        # The demo contestant shared her week-1 result (quiz.sharing): «Kết quả của tôi» links
        # /share/<token>/, with its Zalo and Facebook buttons.
        if shareable_entry(user=users["contestant"], round=week1) is not None:
            result_share(user=users["contestant"], round=week1, name_shown=ResultShare.NameShown.FULL, show_score=True)

    # Week 2: open now, 48 questions over six fields, no limit on attempts over the week but the
    # default pace (two a day, 30 minutes between starts: quiz.limits).
    week2, created = weekly(2, "Tuần thi thứ hai", now - datetime.timedelta(days=2), now + datetime.timedelta(days=5))
    if created:
        ids = [q.pk for f in fields for q in by_field[f][8:16]]
        round_pool_add(round=week2, question_ids=ids)
        week2 = round_approve(round=week2, by=organizer, at=week2.opens_at - datetime.timedelta(days=1))
        for user in people[:8]:
            _play(week2, user, rng, skill=rng.choice([0.75, 0.9, 1.0]))
        receipts.receipts_fill(round=week2, rebuild=True)

    # Week 3: a draft of new questions only. The seed's week 3 reused all of week 1, whose answers
    # were public since week 1 closed; sealing such a pool now asks for a confirmation naming the
    # questions (quiz.selectors.pool_published_questions), and the demo shows the better practice.
    week3, created = weekly(
        3,
        "Tuần thi thứ ba",
        now + datetime.timedelta(days=5),
        now + datetime.timedelta(days=12),
        review_policy=ReviewPolicy.AFTER_CLOSE,
    )
    if created:
        round_pool_add(round=week3, question_ids=[q.pk for f in fields for q in by_field[f][16:]])

    # The practice set (bộ câu hỏi mẫu): open the whole contest, full review at once, not ranked.
    practice, created = Round.objects.get_or_create(
        contest=contest, kind=RoundKind.PRACTICE, number=1,
        defaults={
            "name": "Thi thử – bộ câu hỏi mẫu", "opens_at": now - datetime.timedelta(days=30),
            "closes_at": now + datetime.timedelta(days=365), "questions_per_attempt": min(10, len(sample)),
            "time_limit_seconds": 600, "review_policy": ReviewPolicy.IMMEDIATE,
            # The practice set shows its key after every attempt: a pace limit would protect nothing.
            "attempts_per_day": None, "min_start_interval_minutes": None,
            "prizes_first": 0, "prizes_second": 0, "prizes_third": 0, "prizes_consolation": 0,
        },
    )  # fmt: skip
    if created:
        round_pool_add(round=practice, question_ids=[q.pk for q in _sample_questions(sample)])
        round_approve(round=practice, by=organizer, at=practice.opens_at - datetime.timedelta(days=1))

    # round_approve seals new rounds; a demo database made before seals existed gets them here.
    for round in rounds_without_seal().filter(contest=contest):
        seal_backfill(round=round)

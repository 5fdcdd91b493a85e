"""A contestant's attempt: the draw, the start under the round's limits, the autosave, the
submit and the close at the deadline (each scored by quiz.scoring against the sealed key), and the
contestant's best attempt in RoundEntry."""

import datetime
import secrets

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile
from contests import metrics
from contests.rules import guard_contest_writable
from quiz import lean, limits, pool_cache, ranking, receipts, scoring
from quiz.enums import AttemptStatus, RoundKind
from quiz.errors import QuizError
from quiz.models import Attempt, AttemptQuestion, Option, Round, RoundEntry
from quiz.services.deadlines import attempt_deadline, attempts_past_close_redate, extra_minutes_subquery

# A submit that left the phone before the deadline may arrive a little after it.
SUBMIT_GRACE = datetime.timedelta(seconds=15)
_random = secrets.SystemRandom()


def attempt_draw(*, round: Round, rng=None) -> list[tuple[int, list[int]]]:
    """Draw the questions of an attempt to the blueprint, shuffled, each with shuffled options.
    Reads the sealed pool from memory (quiz.pool_cache): no query once the process has it.
    `rng`: a seeded random.Random for the simulation (reports.simulation); attempts use the
    system's randomness."""
    rng = rng or _random
    pool = pool_cache.sealed_pool(round=round)
    chosen = []
    for fid, count in pool.allocation.items():
        ids = pool.by_field.get(fid, ())
        chosen += rng.sample(ids, min(count, len(ids)))
    rng.shuffle(chosen)
    drawn = []
    for qid in chosen:
        ids = list(pool.questions[qid].option_ids)
        rng.shuffle(ids)
        drawn.append((qid, ids))
    return drawn


def attempt_start(*, round: Round, user, ip_address: str | None = None) -> Attempt:
    """Start an attempt, or return the contestant's attempt already open in this round.

    Refuses outside the window, without a complete profile, over the round's limits (quiz.limits:
    attempts in the round, attempts today, time since the previous start). Counting and creating
    happen under a lock on the contestant's profile row, so ten simultaneous starts never make
    more attempts than the round allows; the partial unique constraint on open attempts stays
    behind it. Never lets a database error through: a lost race returns the open attempt,
    anything else is a QuizError the contestant can read."""
    now = timezone.now()
    window_open = round.is_sealed and round.opens_at <= now < round.closes_at
    if not window_open or not limits.has_limits(round):
        # A round with limits looks for the open attempt under the lock, with its count (one
        # query for both); the others, and a closed window, look here.
        existing = Attempt.objects.filter(round=round, user=user, status=AttemptStatus.OPEN).first()
        if existing is not None:
            if existing.deadline + SUBMIT_GRACE > now:
                return existing
            attempt_finalize(attempt=existing)
    if not window_open:
        raise QuizError(_("Tuần thi này hiện không mở. Vui lòng xem lịch thi."), code="closed")
    guard_contest_writable(round.contest, error=QuizError)  # an archived contest takes no attempt
    try:
        with transaction.atomic():
            return _attempt_create_locked(round=round, user=user, now=now, ip_address=ip_address)
    except IntegrityError:
        # A start that waited for the lock while another made the open attempt (a round without
        # a limit does not look again under the lock, to save a query): that one is the attempt.
        existing = Attempt.objects.filter(round=round, user=user, status=AttemptStatus.OPEN).first()
        if existing is not None:
            return existing
        raise QuizError(_("Không bắt đầu được bài thi, vui lòng bấm «Bắt đầu» lại."), code="retry") from None
    except OperationalError:
        # A lock wait cut short (statement or lock timeout, a deadlock victim): nothing was written.
        raise QuizError(_("Hệ thống đang bận, vui lòng bấm «Bắt đầu» lại sau giây lát."), code="busy") from None


def _attempt_create_locked(*, round: Round, user, now, ip_address: str | None) -> Attempt:
    """The check-then-create of attempt_start, inside its transaction.

    Why the profile row: a start reads it anyway (the attempt records the contestant's unit),
    so locking it (SELECT … FOR UPDATE instead of a plain SELECT) costs no extra query, and it
    exists for everyone allowed to start. It is one row per contestant that nothing busy writes
    (only an edit of the profile), unlike the user row (last_login on every sign-in). A
    RoundEntry row does not exist before the first finished attempt, and an advisory lock
    would be one more query and PostgreSQL-only. The lock serializes one person's starts,
    never two people's."""
    # The contestant's extra minutes come with the locked row (a subquery: no extra query).
    organization_id, extra_minutes = (
        Profile.objects.select_for_update(of=("self",))
        .filter(user=user)
        .values_list("organization_id", extra_minutes_subquery(round=round, user_ref="user_id"))
        .first()
    ) or (None, 0)
    if organization_id is None:
        raise QuizError(_("Vui lòng hoàn thiện thông tin cá nhân trước khi dự thi."), code="profile")
    if limits.has_limits(round):
        # Under the lock, so it sees every attempt committed by a start that held it before us
        # (counted in a separate statement: a count inside the locking SELECT would read the
        # snapshot taken before the wait). One query answers every limit and "is one open
        # already" (a double tap); an attempt cut short by its deadline still counts.
        seen = Attempt.objects.filter(round=round, user=user).aggregate(
            n=Count("pk"),
            today=Count("pk", filter=Q(started_at__gte=limits.day_start(now))),
            last=Max("started_at"),
            open_id=Max("pk", filter=Q(status=AttemptStatus.OPEN)),
            open_deadline=Max("deadline", filter=Q(status=AttemptStatus.OPEN)),
        )
        if seen["open_id"] is not None:
            if seen["open_deadline"] + SUBMIT_GRACE > now:
                return Attempt.objects.get(pk=seen["open_id"])
            attempt_finalize(attempt=Attempt(pk=seen["open_id"]))
        allowed = limits.allowance(
            round, seen=limits.Seen(total=seen["n"], today=seen["today"], last_started_at=seen["last"]), now=now
        )
        if not allowed.allowed:
            raise QuizError(limits.refusal_message(round, allowed, now=now), code="limit")
    drawn = attempt_draw(round=round)
    deadline = attempt_deadline(round=round, started_at=now, extra_minutes=extra_minutes)
    attempt = Attempt.objects.create(
        round=round, user=user, organization_id=organization_id, started_at=now, deadline=deadline,
        question_count=len(drawn), ip_address=ip_address,
    )  # fmt: skip
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(attempt=attempt, question_id=qid, position=i, option_ids=ids, option_count=len(ids))
        for i, (qid, ids) in enumerate(drawn, start=1)
    )
    # Every new attempt is made here (attempt_start's only way to create one); counted once committed.
    transaction.on_commit(metrics.ATTEMPTS_STARTED.inc)
    return attempt


def attempt_save_answer(*, attempt_id: int, user, position: int, index: int) -> bool:
    """Autosave one answer (see attempt_save_answers). Returns whether it was saved."""
    return position in attempt_save_answers(attempt_id=attempt_id, user_id=user.pk, answers={position: index})


def _save_answers_sql(*, attempt_id: int, user_id: int, answers: dict[int, int], now) -> int:
    """The autosave's UPDATE, written once as SQL: built by the ORM (a filter through the attempt
    and a CASE per answer) it cost ~1 ms of CPU per request, 45 % of the web tier's CPU under
    load (docs/performance.md); this costs ~0.1 ms. The rule is the ORM version's, word for word:
    rows of this attempt, at a position given and for an option index that exists, only while
    the attempt is the user's, open and before its deadline. Returns the rows updated."""
    aq, at = AttemptQuestion._meta, Attempt._meta
    ops = connection.ops
    q = ops.quote_name

    def col(meta, name):
        return q(meta.get_field(name).column)

    when_at = ops.adapt_datetimefield_value(now)
    position, option_count = col(aq, "position"), col(aq, "option_count")
    # Only quoted table and column names of the models and placeholders go into the text; every
    # value is a parameter.
    cases = " ".join(["WHEN %s THEN %s"] * len(answers))
    valid = " OR ".join([f"({position} = %s AND {option_count} > %s)"] * len(answers))
    owner_open = (
        f"SELECT 1 FROM {q(at.db_table)} WHERE {col(at, 'id')} = %s AND {col(at, 'user')} = %s"  # noqa: S608
        f" AND {col(at, 'status')} = %s AND {col(at, 'deadline')} > %s"
    )
    sql = (
        f"UPDATE {q(aq.db_table)} SET {col(aq, 'chosen_index')} = CASE {position} {cases} END, "  # noqa: S608
        f"{col(aq, 'answered_at')} = %s WHERE {col(aq, 'attempt')} = %s AND ({valid}) AND EXISTS ({owner_open})"
    )
    pairs = [value for position_index in answers.items() for value in position_index]
    params = [*pairs, when_at, attempt_id, *pairs, attempt_id, user_id, str(AttemptStatus.OPEN), when_at]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def attempt_save_answers(*, attempt_id: int, user_id: int, answers: dict[int, int]) -> set[int]:
    """Autosave a batch of answers (position → option index) in ONE UPDATE, accepted only for
    the owner's open attempt before its deadline and, per answer, for a position and an option
    index that exist. Returns the positions saved: all of them, or none when the attempt is not
    the user's, not open or past its deadline. Only when some answers of a batch are refused
    (a tampered request) does a second query tell which were saved."""
    now = timezone.now()
    answers = {p: i for p, i in answers.items() if p >= 1 and i >= 0}
    if not answers:
        return set()
    updated = _save_answers_sql(attempt_id=attempt_id, user_id=user_id, answers=answers, now=now)
    if updated == len(answers):
        return set(answers)
    if updated == 0:
        return set()
    return set(
        AttemptQuestion.objects.filter(attempt_id=attempt_id, position__in=list(answers), answered_at=now).values_list(
            "position", flat=True
        )
    )


def _entry_record(*, attempt: Attempt) -> None:
    """Keep the contestant's best attempt of the round in RoundEntry (locked row), by the rule
    of `quiz.ranking`."""
    if attempt.round.kind == RoundKind.PRACTICE:
        return
    entry = RoundEntry.objects.select_for_update().filter(round_id=attempt.round_id, user_id=attempt.user_id).first()
    if entry is None:
        RoundEntry.objects.create(
            round_id=attempt.round_id, user_id=attempt.user_id, best_attempt=attempt, score=attempt.score,
            duration_ms=attempt.duration_ms, finished_at=attempt.finished_at, prediction=attempt.prediction, attempts_count=1,
        )  # fmt: skip
        return
    entry.attempts_count = F("attempts_count") + 1
    fields = ["attempts_count"]
    if ranking.entry_better(attempt, entry, round=attempt.round):
        entry.best_attempt, entry.score, entry.duration_ms = attempt, attempt.score, attempt.duration_ms
        entry.finished_at, entry.prediction = attempt.finished_at, attempt.prediction
        fields += ["best_attempt", "score", "duration_ms", "finished_at", "prediction"]
    entry.save(update_fields=fields)


# An attempt's rows as _finish reads them (quiz.lean.values): id, position, the option ids in
# the attempt's order, their count, the index chosen, when it was saved and the question.
_ITEM_FIELDS = ("id", "position", "option_ids", "option_count", "chosen_index", "answered_at", "question")


def _correct_options(*, round: Round, option_ids) -> set[int]:
    """Which of these options are right: from the sealed pool in memory (the keys cannot change
    once sealed); an option outside the pool (an attempt written by an import) from the bank."""
    pool = pool_cache.sealed_pool(round=round)
    ids = set(option_ids)
    correct = {oid for oid in ids if oid in pool.options and pool.options[oid].is_correct}
    missing = [oid for oid in ids if oid not in pool.options]
    if missing:
        correct |= set(Option.objects.filter(pk__in=missing, is_correct=True).values_list("pk", flat=True))
    return correct


def _write_scored(*, attempt_id: int, right: list[int], changes: dict[int, int], stamp) -> None:
    """One UPDATE of an attempt's rows: each row's is_correct and, for the answers the submit
    brought (row id → option index), the index and the moment it counts from. Written as SQL
    like the autosave's (only the models' table and column names go into the text)."""
    aq = AttemptQuestion._meta
    ops = connection.ops
    q = ops.quote_name
    id_, attempt_col = q(aq.pk.column), q(aq.get_field("attempt").column)
    sets, params = [], []
    if right:
        in_right = ", ".join(["%s"] * len(right))
        sets.append(f"{q(aq.get_field('is_correct').column)} = CASE WHEN {id_} IN ({in_right}) THEN %s ELSE %s END")
        params += [*right, True, False]
    else:
        sets.append(f"{q(aq.get_field('is_correct').column)} = %s")
        params.append(False)
    if changes:
        chosen, answered = q(aq.get_field("chosen_index").column), q(aq.get_field("answered_at").column)
        sets.append(f"{chosen} = CASE {id_} {' '.join(['WHEN %s THEN %s'] * len(changes))} ELSE {chosen} END")
        params += [value for pair in changes.items() for value in pair]
        sets.append(f"{answered} = CASE WHEN {id_} IN ({', '.join(['%s'] * len(changes))}) THEN %s ELSE {answered} END")
        params += [*changes, ops.adapt_datetimefield_value(stamp)]
    sql = f"UPDATE {q(aq.db_table)} SET {', '.join(sets)} WHERE {attempt_col} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, attempt_id])


def _finish(*, attempt: Attempt, now, status: str, items: list[tuple] | None = None, changes=None, stamp=None) -> Attempt:
    """Score a locked open attempt and close it: each answer by `quiz.scoring` (saved by the
    deadline) against the sealed key. `items`: its rows as read under the lock (_ITEM_FIELDS);
    `changes`: the answers the submit brought (row id → option index), saved at `stamp`."""
    if items is None:
        items = lean.values(AttemptQuestion, _ITEM_FIELDS, by="attempt", value=attempt.pk)
    changes = changes or {}
    chosen_option, scored = {}, []
    for item_id, _position, option_ids, _count, chosen_index, answered_at, question_id in items:
        if item_id in changes:
            chosen_index, answered_at = changes[item_id], stamp
        scored.append((question_id, option_ids, chosen_index, answered_at))
        if scoring.answer_counts(chosen_index=chosen_index, answered_at=answered_at, deadline=attempt.deadline):
            chosen_option[item_id] = option_ids[chosen_index]
    correct = _correct_options(round=attempt.round, option_ids=chosen_option.values())
    right = [item_id for item_id, oid in chosen_option.items() if oid in correct]
    _write_scored(attempt_id=attempt.pk, right=right, changes=changes, stamp=stamp)
    end = min(now, attempt.deadline)
    attempt.status = status
    attempt.finished_at = end
    attempt.score = len(right)
    attempt.duration_ms = scoring.duration_ms(started_at=attempt.started_at, finished_at=end)
    # The receipt of what was scored, in the same UPDATE (quiz.receipts: one hash, no query).
    receipts.receipt_stamp(attempt, rows=scored)
    attempt.save(update_fields=["status", "finished_at", "score", "duration_ms", "prediction", *receipts.RECEIPT_FIELDS])
    _entry_record(attempt=attempt)
    # Every finish (submit, expiry) goes through here; counted once committed.
    transaction.on_commit(metrics.ATTEMPTS_FINISHED.labels(status=str(status)).inc)
    return attempt


@transaction.atomic
def attempt_submit(*, attempt: Attempt, user, answers: dict[int, int], prediction: int | None = None) -> Attempt:
    """Submit an attempt with the answers of the form (position → option index).

    Idempotent: a second submit (double tap, resend) returns the first result. Answers posted
    after the deadline plus a short grace are ignored; only what was saved before counts."""
    now = timezone.now()
    locked = lean.get_locked(Attempt, attempt.pk)
    if locked is None:
        raise Attempt.DoesNotExist
    # The round the page loaded serves (what the submit reads of it, its kind, ranking rule and
    # prediction question, is frozen by the seal); another caller's attempt has it read.
    if Attempt.round.is_cached(attempt) and attempt.round_id == locked.round_id:
        Attempt.round.field.set_cached_value(locked, attempt.round)
    else:
        Attempt.round.field.set_cached_value(locked, lean.get_with_related(Round, locked.round_id, "contest"))
    attempt = locked
    if attempt.user_id != user.pk:
        raise QuizError(_("Bài thi này không phải của anh/chị."), code="not_yours")
    if not attempt.is_open:
        return attempt
    items = lean.values(AttemptQuestion, _ITEM_FIELDS, by="attempt", value=attempt.pk)
    by_position = {item[1]: item for item in items}
    if any(p not in by_position or not 0 <= i < by_position[p][3] for p, i in answers.items()):
        raise QuizError(
            _("Câu trả lời gửi lên không khớp với bài thi này. Các câu trả lời đã lưu vẫn được giữ nguyên."), code="tampered"
        )
    in_time = now <= attempt.deadline + SUBMIT_GRACE
    # The prediction is required from a contestant who submits; the page's own submit when time
    # runs out (in the grace after the deadline) goes through without it, as no prediction.
    if attempt.round.tiebreaker_enabled and prediction is None and now < attempt.deadline:
        raise QuizError(_("Vui lòng trả lời câu hỏi dự đoán trước khi nộp bài."), code="prediction")
    changes, stamp = {}, min(now, attempt.deadline)
    if in_time:
        changes = {by_position[p][0]: i for p, i in answers.items() if by_position[p][4] != i}
        attempt.prediction = prediction
    return _finish(attempt=attempt, now=now, status=AttemptStatus.SUBMITTED, items=items, changes=changes, stamp=stamp)


@transaction.atomic
def attempt_finalize(*, attempt: Attempt) -> Attempt:
    """Close an attempt never submitted, at its deadline, with what was saved in time."""
    attempt = Attempt.objects.select_for_update().select_related("round").get(pk=attempt.pk)
    if not attempt.is_open or timezone.now() < attempt.deadline:
        return attempt
    return _finish(attempt=attempt, now=attempt.deadline, status=AttemptStatus.EXPIRED)


def finalize_expired_attempts(*, limit: int = 1000) -> int:
    """Finalize open attempts whose deadline (plus grace) has passed, then commit the results of
    every round that has closed since (quiz.receipts.round_commit). Safe to run twice. First, an
    attempt started across an early close gets its deadline back under the close
    (`quiz.services.deadlines.attempts_past_close_redate`)."""
    attempts_past_close_redate()
    cutoff = timezone.now() - SUBMIT_GRACE
    ids = list(Attempt.objects.filter(status=AttemptStatus.OPEN, deadline__lt=cutoff).values_list("pk", flat=True)[:limit])
    for pk in ids:
        attempt_finalize(attempt=Attempt(pk=pk))
    if len(ids) < limit:
        receipts.rounds_commit_due()
    return len(ids)


def finalize_round_attempts(*, round: Round) -> None:
    for pk in Attempt.objects.filter(round=round).open().values_list("pk", flat=True):
        attempt_finalize(attempt=Attempt(pk=pk))

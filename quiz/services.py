"""Writes for the quiz. Every function that changes state runs in one transaction, with the
database constraints in models.py behind its checks."""

import datetime
import secrets

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile, User
from accounts.roles import may_win_prize
from contests import metrics, prizes
from contests.decisions import Action, decision_record
from contests.rules import guard_contest_writable

from . import lean, limits, pool_cache, ranking, receipts, scoring
from .enums import AttemptStatus, QuestionStatus, RoundKind
from .errors import QuizError, SealedError
from .models import (
    Attempt,
    AttemptQuestion,
    BlueprintItem,
    Field,
    Option,
    Prize,
    Question,
    Round,
    RoundEntry,
    RoundQuestion,
    RoundWindowChange,
    TimeExtension,
)
from .selectors import (
    moment_display,
    pool_published_questions,
    question_changes,
    question_is_sealed,
    round_overlapping,
    round_problems,
)

# A submit that left the phone before the deadline may arrive a little after it.
SUBMIT_GRACE = datetime.timedelta(seconds=15)
_random = secrets.SystemRandom()


# --- Sealing ----------------------------------------------------------------------------------------


def guard_question_unsealed(question_id: int | None) -> None:
    if question_id and question_is_sealed(question_id):
        raise SealedError(
            _("Câu hỏi này đã nằm trong bộ câu hỏi được duyệt và niêm phong; không thể sửa hay xoá câu hỏi và đáp án.")
        )


def guard_round_unsealed(round_id: int | None) -> None:
    if round_id and Round.objects.filter(pk=round_id, approved_at__isnull=False).exists():
        raise SealedError(_("Tuần thi đã được duyệt và niêm phong; không thể thay đổi bộ câu hỏi hay cơ cấu đề."))


# --- Question bank ---------------------------------------------------------------------------------


def question_validate_options(options: list[tuple[str, bool]]) -> list[str]:
    """Problems with a question's options (text, is_correct): 2–6 options, exactly one correct."""
    problems = []
    filled = [(t, c) for t, c in options if t and t.strip()]
    if not 2 <= len(filled) <= 6:
        problems.append(_("cần từ 2 đến 6 phương án"))
    correct = sum(1 for _t, c in filled if c)
    if correct != 1:
        problems.append(_("cần đúng một phương án đúng"))
    return problems


@transaction.atomic
def question_upsert(
    *, code: str, field: Field, text: str, options: list[str], correct_index: int, source: str = "",
    status: str = QuestionStatus.APPROVED, author=None,
) -> tuple[Question, bool]:  # fmt: skip
    """Create or update a question by code, with its options A, B, C … (correct_index into them).

    The same question again (normalized text compared) writes nothing, sealed or not; a change
    to a sealed question raises SealedError."""
    question = Question.objects.select_for_update().select_related("field").filter(code=code).first()
    created = question is None
    if created:
        question = Question(code=code, author=author)
    else:
        changes = question_changes(
            question, field_name=field.name, text=text, options=options, correct_index=correct_index, source=source,
            status=status,
        )  # fmt: skip
        if not changes:
            return question, False
        guard_question_unsealed(question.pk)
    question.field, question.text, question.source, question.status = field, text, source, status
    question.save()
    wanted = {letter: (option_text, i == correct_index) for i, (letter, option_text) in enumerate(zip("ABCDEF", options))}
    Option.objects.filter(question=question).exclude(letter__in=wanted).delete()
    # Clear the correct flag first so the "one correct option" constraint holds at every step.
    Option.objects.filter(question=question).update(is_correct=False)
    for letter, (option_text, is_correct) in wanted.items():
        Option.objects.update_or_create(
            question=question, letter=letter, defaults={"text": option_text, "is_correct": is_correct}
        )
    return question, created


@transaction.atomic
def question_image_set(*, question: Question, image=None, alt: str | None = None, remove: bool = False) -> Question:
    """Give a question an image (a quiz.images.PreparedImage), change its alt text, or remove
    it. A sealed question's image never changes (the signal stands behind the guard). The file
    is written before the row: a failure leaves at most an unused file, never a row without it."""
    from .images import image_store

    question = Question.objects.select_for_update().get(pk=question.pk)
    sha, name, width, height = question.image_sha256, question.image.name, question.image_width, question.image_height
    if remove:
        sha, name, width, height = "", "", None, None
    elif image is not None:
        sha, name, width, height = image.sha256, image.name, image.width, image.height
    new_alt = question.image_alt if alt is None else alt
    if not sha:
        new_alt = ""
    if (sha, new_alt) == (question.image_sha256, question.image_alt):
        return question
    guard_question_unsealed(question.pk)
    if image is not None and not remove:
        image_store(image)
    question.image.name, question.image_sha256, question.image_width, question.image_height = name, sha, width, height
    question.image_alt = new_alt
    question.save(update_fields=["image", "image_sha256", "image_width", "image_height", "image_alt", "updated_at"])
    return question


# --- Rounds and pools -------------------------------------------------------------------------------


@transaction.atomic
def round_pool_add(*, round: Round, question_ids: list[int]) -> int:
    guard_round_unsealed(round.pk)
    existing = set(RoundQuestion.objects.filter(round=round).values_list("question_id", flat=True))
    new = [RoundQuestion(round=round, question_id=qid) for qid in dict.fromkeys(question_ids) if qid not in existing]
    RoundQuestion.objects.bulk_create(new)
    return len(new)


class PoolSource:
    """Where «add N random questions of a field» draws from."""

    UNUSED = "unused"  # approved questions no round of the contest has used yet
    EARLIER = "earlier"  # approved questions of earlier rounds' pools, not yet in this round's


def unused_questions(*, round: Round):
    """The approved questions no round of the round's contest has used yet (what «add N random»
    draws from; the pool page counts them per field)."""
    used = RoundQuestion.objects.filter(round__contest_id=round.contest_id).values("question_id")
    return Question.objects.filter(status=QuestionStatus.APPROVED).exclude(pk__in=used)


def earlier_questions(*, round: Round):
    """The approved questions already used in earlier rounds of the round's contest (a round
    that opened before this one) and not yet in this round's pool: «N questions already used»
    (week 3 of the seed took 50 of week 1)."""
    earlier = RoundQuestion.objects.filter(round__contest_id=round.contest_id, round__opens_at__lt=round.opens_at)
    mine = RoundQuestion.objects.filter(round_id=round.pk).values("question_id")
    return Question.objects.filter(status=QuestionStatus.APPROVED, pk__in=earlier.values("question_id")).exclude(pk__in=mine)


def pool_candidates(*, round: Round, source: str = PoolSource.UNUSED):
    return earlier_questions(round=round) if source == PoolSource.EARLIER else unused_questions(round=round)


def round_pool_add_random(*, round: Round, field: Field, count: int, source: str = PoolSource.UNUSED) -> int:
    """Add `count` random approved questions of `field`: unused by every round of the contest,
    or (source EARLIER) already used in an earlier round and not yet in this one."""
    candidates = list(pool_candidates(round=round, source=source).filter(field=field).values_list("pk", flat=True))
    if len(candidates) < count:
        if source == PoolSource.EARLIER:
            message = _(
                "Lĩnh vực «%(field)s» chỉ có %(n)d câu đã dùng ở các tuần trước (chưa có trong tuần này), không đủ %(count)d câu."
            )
        else:
            message = _("Lĩnh vực «%(field)s» chỉ còn %(n)d câu chưa dùng đã duyệt, không đủ %(count)d câu.")
        raise QuizError(message % {"field": field.name, "n": len(candidates), "count": count})
    return round_pool_add(round=round, question_ids=_random.sample(candidates, count))


def round_pool_copy(*, round: Round, source: Round) -> int:
    """Add all of an earlier round's pool (week 3 was 50 new + all 50 … of week 1)."""
    ids = list(RoundQuestion.objects.filter(round=source).values_list("question_id", flat=True))
    return round_pool_add(round=round, question_ids=ids)


def round_allocation(*, round: Round, pool_by_field: dict[int, int]) -> dict[int, int]:
    """How many questions of each field an attempt draws: the blueprint, or every field in
    proportion to its share of the pool (largest remainders)."""
    items = list(round.blueprint.all())
    if items:
        return {item.field_id: item.count for item in items}
    total = sum(pool_by_field.values())
    n = round.questions_per_attempt
    if total == 0:
        return {}
    exact = {fid: n * cnt / total for fid, cnt in pool_by_field.items()}
    alloc = {fid: int(x) for fid, x in exact.items()}
    for fid, _x in sorted(exact.items(), key=lambda kv: (kv[1] - int(kv[1]), pool_by_field[kv[0]]), reverse=True):
        if sum(alloc.values()) >= n:
            break
        if alloc[fid] < pool_by_field[fid]:
            alloc[fid] += 1
    return alloc


@transaction.atomic
def round_approve(*, round: Round, by, confirm_published: bool = False, at: datetime.datetime | None = None) -> Round:
    """Approve and seal a round: from now on its pool, blueprint and answer keys cannot change.
    Writes the round's key file and its SHA-256 fingerprint once (quiz.seal, docs/seal.md), and
    the SEAL decision naming that fingerprint. A pool holding questions whose answers an earlier
    round has already published (selectors.pool_published_questions) is sealed only with
    `confirm_published=True`, and the decision records their codes; without it, QuizError names
    them. `at` (default now) is for demo data and tests, which play a round now and date its
    sealing before its opening."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.is_sealed:
        raise QuizError(_("Tuần thi này đã được duyệt và niêm phong từ trước."))
    problems = round_problems(round=round)
    if problems:
        raise QuizError(_("Chưa thể duyệt: ") + " ".join(problems))
    published = pool_published_questions(round=round)
    if published and not confirm_published:
        raise QuizError(published_questions_message(published))
    round.approved_at = at or timezone.now()
    round.approved_by = by
    round.save(update_fields=["approved_at", "approved_by"])
    from .seal import seal_record

    seal = seal_record(round=round, at=round.approved_at)
    data = {"sha256": seal.sha256}
    if published:
        data["published_questions"] = sorted({q.code for q in published})
    decision_record(action=Action.SEAL, obj=round, by=by, data=data, at=round.approved_at)
    return round


def published_questions_message(published) -> str:
    """Why sealing waits for a confirmation: the questions and the rounds that published them."""
    shown = ", ".join(f"{q.code} ({q.round_name})" for q in published[:20])
    more = len(published) - 20
    if more > 0:
        shown += _(" và %(n)d câu khác") % {"n": more}
    return _(
        "Bộ câu hỏi có %(n)d câu đã công bố đáp án ở tuần thi khác (hoặc sẽ công bố trước khi tuần này đóng): "
        "%(list)s. Thí sinh có thể đã biết đáp án; hãy thay các câu này hoặc xác nhận niêm phong cùng với chúng."
    ) % {"n": len({q.code for q in published}), "list": shown}


# What sealing freezes besides the pool, the blueprint and the answer keys: everything that decides
# how contestants of the round play and are ranked. The admin shows these read-only on a sealed
# round and the Round signal refuses a change from any other path. `closes_at` may only move
# later, through round_extend_window.
ROUND_FROZEN_FIELDS = (
    "contest",
    "kind",
    "number",
    "opens_at",
    "questions_per_attempt",
    "time_limit_seconds",
    "max_attempts",
    "attempts_per_day",
    "min_start_interval_minutes",
    "review_policy",
    "ranking_rule",
    "tiebreaker_enabled",
    "prizes_first",
    "prizes_second",
    "prizes_third",
    "prizes_consolation",
)


@transaction.atomic
def round_extend_window(*, round: Round, closes_at: datetime.datetime, by, reason: str) -> RoundWindowChange:
    """Move a sealed round's closing time later: the one change sealing allows. Recorded (who,
    when, old and new time, why) before the round is saved; the Round signal refuses a new
    closing time without its record. Open attempts that were cut at the old closing time get
    the time their limit allows, up to the new one."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    reason = (reason or "").strip()
    if not round.is_sealed:
        raise QuizError(_("Tuần thi chưa được niêm phong; hãy sửa thời gian trực tiếp trong trang tuần thi."))
    if round.results_published_at:
        raise QuizError(_("Kết quả tuần thi đã công bố; không thể gia hạn."))
    if timezone.now() >= round.closes_at:
        raise QuizError(_("Tuần thi đã đóng; không thể gia hạn sau khi đóng."))
    if closes_at <= round.closes_at:
        raise QuizError(
            _("Thời gian đóng mới phải sau thời gian đóng hiện tại (%(closes)s).") % {"closes": moment_display(round.closes_at)}
        )
    if not reason:
        raise QuizError(_("Cần ghi lý do gia hạn."))
    other = round_overlapping(round=round, closes_at=closes_at)
    if other is not None:
        raise QuizError(
            _("Không thể gia hạn: thời gian thi sẽ trùng với «%(name)s» (mở lúc %(opens)s).")
            % {"name": other.name, "opens": moment_display(other.opens_at)}
        )
    old = round.closes_at
    change = RoundWindowChange.objects.create(
        round=round, old_closes_at=old, new_closes_at=closes_at, reason=reason, changed_by=by
    )
    round.closes_at = closes_at
    round.save(update_fields=["closes_at"])
    decision_record(
        action=Action.WINDOW_EXTEND, obj=round, by=by, reason=reason,
        # The UTC pair is what verify_results reconciles the sealed window with; the other is for people.
        data={
            "old_closes_at": moment_display(old), "new_closes_at": moment_display(closes_at),
            "old_closes_at_utc": old.astimezone(datetime.UTC).isoformat(),
            "new_closes_at_utc": closes_at.astimezone(datetime.UTC).isoformat(),
        },
    )  # fmt: skip
    extra = extra_minutes_by_user(round=round)
    for attempt in Attempt.objects.select_for_update().filter(round=round, status=AttemptStatus.OPEN, deadline=old):
        attempt.deadline = attempt_deadline(
            round=round, started_at=attempt.started_at, extra_minutes=extra.get(attempt.user_id, 0)
        )
        attempt.save(update_fields=["deadline"])
    return change


# --- Extra time for one contestant ----------------------------------------------------------------


def attempt_deadline(*, round: Round, started_at: datetime.datetime, extra_minutes: int = 0) -> datetime.datetime:
    """The deadline rule, its one home: deadline = min(start + limit + the contestant's extra
    minutes, the round's close). Extra time never passes the close: places are shown and prizes
    drafted once the round has closed, with every attempt over (docs/decisions.md)."""
    return min(started_at + attempt_time_allowed(round=round, extra_minutes=extra_minutes), round.closes_at)


def attempt_time_allowed(*, round: Round, extra_minutes: int = 0) -> datetime.timedelta:
    """The time an attempt may take before the close cuts it: the round's limit plus the
    contestant's extra minutes."""
    return datetime.timedelta(seconds=round.time_limit_seconds, minutes=extra_minutes)


def extra_minutes_by_user(*, round: Round) -> dict[int, int]:
    """user id -> the extra minutes granted in the round (grants add up). One query."""
    rows = TimeExtension.objects.filter(round=round).order_by().values("user_id").annotate(total=Sum("minutes"))
    return {row["user_id"]: row["total"] for row in rows}


def _extra_minutes_subquery(*, round: Round, user_ref: str):
    rows = TimeExtension.objects.filter(round=round, user_id=OuterRef(user_ref)).order_by().values("user_id")
    return Coalesce(Subquery(rows.annotate(total=Sum("minutes")).values("total")[:1]), 0)


def time_extension_problems(*, round: Round, minutes: int | None, reason: str) -> list[str]:
    """Why extra time cannot be granted (the admin form shows these; the service refuses)."""
    from .models import EXTRA_MINUTES_MAX

    problems = []
    if minutes is None or not 1 <= minutes <= EXTRA_MINUTES_MAX:
        problems.append(_("Số phút cộng thêm phải từ 1 đến %(max)d.") % {"max": EXTRA_MINUTES_MAX})
    if not (reason or "").strip():
        problems.append(_("Cần ghi lý do cho thêm giờ."))
    if round.results_published_at or timezone.now() >= round.closes_at:
        problems.append(_("Tuần thi đã đóng; thời gian cộng thêm không vượt quá giờ đóng của tuần thi."))
    return problems


@transaction.atomic
def time_extension_grant(*, round: Round, user, minutes: int, reason: str, by) -> TimeExtension:
    """Give one contestant `minutes` more in a round, with a reason; recorded, and logged as a
    decision. Applies to every attempt they start in the round and to the one in progress
    (even one whose time ran out but that is not closed yet: a lost connection), always within
    the round's close."""
    round = Round.objects.select_for_update().select_related("contest").get(pk=round.pk)
    reason = (reason or "").strip()
    problems = time_extension_problems(round=round, minutes=minutes, reason=reason)
    if problems:
        raise QuizError(" ".join(problems))
    extension = TimeExtension.objects.create(round=round, user=user, minutes=minutes, reason=reason, granted_by=by)
    decision_record(
        action=Action.EXTRA_TIME, obj=extension, by=by, reason=reason, contest=round.contest,
        data={"contestant": user.get_full_name() or user.email, "minutes": minutes},
    )  # fmt: skip
    total = extra_minutes_by_user(round=round).get(user.pk, 0)
    for attempt in Attempt.objects.select_for_update().filter(round=round, user=user, status=AttemptStatus.OPEN):
        attempt.deadline = attempt_deadline(round=round, started_at=attempt.started_at, extra_minutes=total)
        attempt.save(update_fields=["deadline"])
    return extension


# --- Attempts -----------------------------------------------------------------------------------------


def _draw(*, round: Round, rng=None) -> list[tuple[int, list[int]]]:
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
        .values_list("organization_id", _extra_minutes_subquery(round=round, user_ref="user_id"))
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
    drawn = _draw(round=round)
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
    every round that has closed since (quiz.receipts.round_commit). Safe to run twice."""
    cutoff = timezone.now() - SUBMIT_GRACE
    ids = list(Attempt.objects.filter(status=AttemptStatus.OPEN, deadline__lt=cutoff).values_list("pk", flat=True)[:limit])
    for pk in ids:
        attempt_finalize(attempt=Attempt(pk=pk))
    if len(ids) < limit:
        receipts.rounds_commit_due()
    return len(ids)


# --- Rankings and prizes ------------------------------------------------------------------------
# The ranking rule lives in quiz.ranking, the prize lifecycle in contests.prizes; this section
# binds them to the quiz.


class QuizPrizes(prizes.PrizePart):
    """The quiz part for the prize lifecycle: a weekly round's prizes go down its leaderboard,
    one per person, skipping staff and switched-off accounts (accounts.roles.may_win_prize); publication is the round's."""

    model = Prize
    holder = "user_id"
    error = QuizError

    def scope_of(self, prize):
        return Round.objects.select_for_update().get(pk=prize.round_id)

    def prizes(self, scope):
        return Prize.objects.filter(round=scope)

    def tiers(self, scope):
        return [tier for tier, count in scope.prize_plan for _i in range(count)]

    def candidates(self, scope):
        entries = ranking.ranked_entries(round=scope).select_related("user")
        for place, entry in enumerate(entries.iterator(chunk_size=500), start=1):
            if may_win_prize(entry.user):
                yield prizes.Candidate(entry.user_id, place, {"round": scope, "user": entry.user, "entry": entry})

    def is_published(self, scope):
        return scope.results_published_at is not None

    def prepare(self, scope):
        """The list is drafted from final results: the round is closed, attempts left open are
        closed at their deadline, the count of full scores is frozen and every entry's best
        attempt is re-picked against it."""
        if not scope.is_closed:
            raise QuizError(_("Chỉ lập danh sách giải sau khi tuần thi đã đóng."))
        finalize_round_attempts(round=scope)
        # The results are committed before any prize is drafted (once; quiz.receipts).
        receipts.round_commit(round=scope)
        scope.full_score_actual = ranking.live_full_score_count(round=scope)
        scope.save(update_fields=["full_score_actual"])
        ranking.entries_rebuild(round=scope)


QUIZ_PRIZES = QuizPrizes()


@transaction.atomic
def round_prizes_draft(*, round: Round, by=None) -> list[Prize]:
    """Compute the draft prize list from the prize plan after the round closes (see
    contests.prizes: one prize per person, staff and inactive accounts skipped, not-valid winners
    skipped so the next contestants move up, verified winners stay verified). Safe to run again."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    return prizes.prizes_draft(part=QUIZ_PRIZES, scope=round, by=by)


def round_prizes_redraft(*, round: Round) -> bool:
    """Re-draft a round's list if one was drafted and is not published (after an integrity
    decision changed who is ranked)."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        return prizes.redraft_if_drafted(part=QUIZ_PRIZES, scope=round)


def prize_verify(*, prize: Prize, by, valid: bool, note: str = "") -> Prize:
    """The secretariat's check of a winner's identity with their unit (who and when recorded).
    A winner found not valid is replaced by the next eligible contestant."""
    return prizes.prize_verify(part=QUIZ_PRIZES, prize=prize, by=by, valid=valid, note=note)


def prize_amend(*, prize: Prize, by, valid: bool, reason: str) -> Prize:
    """«Sửa kết quả đã công bố» for a weekly prize (see contests.prizes.prize_amend)."""
    return prizes.prize_amend(part=QUIZ_PRIZES, prize=prize, by=by, valid=valid, reason=reason)


def finalize_round_attempts(*, round: Round) -> None:
    for pk in Attempt.objects.filter(round=round).open().values_list("pk", flat=True):
        attempt_finalize(attempt=Attempt(pk=pk))


@transaction.atomic
def round_publish_results(*, round: Round, by) -> Round:
    """Publish the round's results and its prize list (the public leaderboard opens)."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if not round.is_closed:
        raise QuizError(_("Chỉ công bố kết quả sau khi tuần thi đã đóng."))
    if round.results_published_at:
        raise QuizError(_("Kết quả tuần thi này đã được công bố."))
    listed = list(Prize.objects.filter(round=round).valid().only("status"))
    if any(count for _t, count in round.prize_plan) and not prizes.fully_verified(listed):
        if not listed:
            raise QuizError(_("Chưa có danh sách giải: hãy lập danh sách giải dự kiến trước."))
        raise QuizError(_("Tổ Thư ký chưa xác minh hết danh sách đạt giải; chỉ công bố danh sách đã xác minh."))
    round.results_published_at = timezone.now()
    round.results_published_by = by
    round.save(update_fields=["results_published_at", "results_published_by"])
    decision_record(action=Action.PUBLISH, obj=round, by=by, data={"prizes": Prize.objects.filter(round=round).valid().count()})
    _notify_results(round)
    return round


def _notify_results(round: Round) -> None:
    """Everyone ranked in the round hears the results are out; each winner, what they won and
    what to do next (contests.notifications, in this transaction)."""
    from django.conf import settings

    from contests import notifications

    url = settings.SITE_URL + reverse("quiz:leaderboard", args=[round.pk])
    winners = list(Prize.objects.filter(round=round).valid().select_related("user"))
    for prize in winners:
        notifications.notify(
            user=prize.user,
            kind=notifications.Kind.PRIZE_WON,
            key=f"prize_won:quiz:{prize.pk}",
            context={
                "tier_label": prize.get_tier_display(),
                "scope_name": f"{round.name} – {round.contest.name}",
                "url": url,
                "hotline": settings.CONTEST_HOTLINE,
            },
        )
    users = [entry.user for entry in RoundEntry.objects.filter(round=round).select_related("user")]
    notifications.notify_users(
        users=users, kind=notifications.Kind.RESULTS, key=f"results:quiz:{round.pk}", context={"title": round.name, "url": url}
    )


def rounds_announce_opened(*, now=None) -> int:
    """«Tuần thi mới mở»: each sealed weekly round that has opened and not closed is announced once
    to those who asked for it (opt-in). Safe to run again (the beat runs it every minute)."""
    from django.conf import settings

    from contests import notifications

    now = now or timezone.now()
    due = Round.objects.filter(
        kind=RoundKind.WEEKLY, approved_at__isnull=False, opening_announced_at__isnull=True, opens_at__lte=now, closes_at__gt=now
    ).values_list("pk", flat=True)
    announced = 0
    for pk in due:
        with transaction.atomic():
            round = Round.objects.select_for_update().select_related("contest").get(pk=pk)
            if round.opening_announced_at:
                continue
            users = User.objects.filter(pk__in=notifications.opted_in_user_ids(notifications.Kind.ROUND_OPEN))
            notifications.notify_users(
                users=users,
                kind=notifications.Kind.ROUND_OPEN,
                key=f"round_open:{round.pk}",
                context={
                    "round_name": round.name,
                    "contest_name": round.contest.name,
                    "closes_at": timezone.localtime(round.closes_at),
                    "url": settings.SITE_URL + reverse("quiz:round", args=[round.pk]),
                },
            )
            Round.objects.filter(pk=round.pk).update(opening_announced_at=now)
            announced += 1
    return announced


def blueprint_set(*, round: Round, counts: dict[int, int]) -> None:
    guard_round_unsealed(round.pk)
    with transaction.atomic():
        BlueprintItem.objects.filter(round=round).delete()
        BlueprintItem.objects.bulk_create(BlueprintItem(round=round, field_id=f, count=c) for f, c in counts.items() if c)

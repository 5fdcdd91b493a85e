"""Writes for the quiz. Every function that changes state runs in one transaction, with the
database constraints in models.py behind its checks."""

import datetime
import secrets
from collections import Counter, defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Abs
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.selectors import profile_for_user

from .enums import AttemptStatus, PrizeStatus, QuestionStatus, RankingRule, RoundKind
from .errors import QuizError, SealedError
from .models import Attempt, AttemptQuestion, BlueprintItem, Field, Option, Prize, Question, Round, RoundEntry, RoundQuestion

# A submit that left the phone before the deadline may arrive a little after it.
SUBMIT_GRACE = datetime.timedelta(seconds=15)
_random = secrets.SystemRandom()


# --- Sealing ----------------------------------------------------------------------------------------


def question_is_sealed(question_id: int) -> bool:
    return RoundQuestion.objects.filter(question_id=question_id, round__approved_at__isnull=False).exists()


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
    """Create or update a question by code, with its options A, B, C … (correct_index into them)."""
    question = Question.objects.select_for_update().filter(code=code).first()
    created = question is None
    if created:
        question = Question(code=code, author=author)
    else:
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


# --- Rounds and pools -------------------------------------------------------------------------------


@transaction.atomic
def round_pool_add(*, round: Round, question_ids: list[int]) -> int:
    guard_round_unsealed(round.pk)
    existing = set(RoundQuestion.objects.filter(round=round).values_list("question_id", flat=True))
    new = [RoundQuestion(round=round, question_id=qid) for qid in dict.fromkeys(question_ids) if qid not in existing]
    RoundQuestion.objects.bulk_create(new)
    return len(new)


def round_pool_add_random(*, round: Round, field: Field, count: int) -> int:
    """Add `count` random approved questions of `field` that no round of the contest has used yet."""
    used = RoundQuestion.objects.filter(round__contest_id=round.contest_id).values("question_id")
    candidates = list(
        Question.objects.filter(field=field, status=QuestionStatus.APPROVED).exclude(pk__in=used).values_list("pk", flat=True)
    )
    if len(candidates) < count:
        raise QuizError(
            _("Lĩnh vực «%(field)s» chỉ còn %(n)d câu chưa dùng đã duyệt, không đủ %(count)d câu.")
            % {"field": field.name, "n": len(candidates), "count": count}
        )
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


def round_problems(*, round: Round) -> list[str]:
    """Why a round cannot be approved yet (empty when it can)."""
    problems = []
    pool = list(
        Question.objects.filter(round_entries__round=round)
        .annotate(n_options=Count("options"), n_correct=Count("options", filter=Q(options__is_correct=True)))
        .values("code", "field_id", "status", "n_options", "n_correct")
    )
    if len(pool) < round.questions_per_attempt:
        problems.append(
            _("Bộ câu hỏi có %(n)d câu, ít hơn số câu mỗi bài thi (%(k)d).") % {"n": len(pool), "k": round.questions_per_attempt}
        )
    for q in pool:
        if q["status"] != QuestionStatus.APPROVED:
            problems.append(_("Câu %(code)s chưa được duyệt.") % {"code": q["code"]})
        if not 2 <= q["n_options"] <= 6 or q["n_correct"] != 1:
            problems.append(_("Câu %(code)s cần 2–6 phương án và đúng một phương án đúng.") % {"code": q["code"]})
    by_field = Counter(q["field_id"] for q in pool)
    items = list(round.blueprint.select_related("field"))
    if items:
        total = sum(item.count for item in items)
        if total != round.questions_per_attempt:
            problems.append(
                _("Cơ cấu đề có tổng %(total)d câu, phải bằng số câu mỗi bài thi (%(k)d).")
                % {"total": total, "k": round.questions_per_attempt}
            )
        for item in items:
            if by_field[item.field_id] < item.count:
                problems.append(
                    _("Lĩnh vực «%(field)s» cần %(need)d câu mỗi bài nhưng bộ câu hỏi chỉ có %(have)d câu.")
                    % {"field": item.field.name, "need": item.count, "have": by_field[item.field_id]}
                )
    return problems


@transaction.atomic
def round_approve(*, round: Round, by) -> Round:
    """Approve and seal a round: from now on its pool, blueprint and answer keys cannot change."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.is_sealed:
        raise QuizError(_("Tuần thi này đã được duyệt và niêm phong từ trước."))
    problems = round_problems(round=round)
    if problems:
        raise QuizError(_("Chưa thể duyệt: ") + " ".join(problems))
    round.approved_at = timezone.now()
    round.approved_by = by
    round.save(update_fields=["approved_at", "approved_by"])
    return round


# --- Attempts -----------------------------------------------------------------------------------------


def _is_staff_user(user) -> bool:
    from accounts.roles import has_role

    return user.is_staff or has_role(user, Role.ORGANIZER, Role.SECRETARIAT, Role.JUDGE)


def _draw(*, round: Round) -> list[tuple[int, list[int]]]:
    """Draw the questions of an attempt to the blueprint, shuffled, each with shuffled options."""
    pool = list(RoundQuestion.objects.filter(round=round).values_list("question_id", "question__field_id"))
    by_field: dict[int, list[int]] = defaultdict(list)
    for qid, fid in pool:
        by_field[fid].append(qid)
    allocation = round_allocation(round=round, pool_by_field={f: len(ids) for f, ids in by_field.items()})
    chosen = []
    for fid, count in allocation.items():
        chosen += _random.sample(by_field[fid], min(count, len(by_field[fid])))
    _random.shuffle(chosen)
    options: dict[int, list[int]] = defaultdict(list)
    for qid, oid in Option.objects.filter(question_id__in=chosen).values_list("question_id", "id"):
        options[qid].append(oid)
    drawn = []
    for qid in chosen:
        ids = options[qid]
        _random.shuffle(ids)
        drawn.append((qid, ids))
    return drawn


def attempt_start(*, round: Round, user, ip_address: str | None = None) -> Attempt:
    """Start an attempt, or return the contestant's attempt already open in this round.

    Refuses outside the window, without a complete profile, over the attempt limit. The open
    attempt is unique by a partial unique constraint, so two simultaneous starts make one."""
    now = timezone.now()
    existing = Attempt.objects.filter(round=round, user=user, status=AttemptStatus.OPEN).first()
    if existing is not None:
        if existing.deadline + SUBMIT_GRACE > now:
            return existing
        attempt_finalize(attempt=existing)
    if not round.is_sealed or not (round.opens_at <= now < round.closes_at):
        raise QuizError(_("Tuần thi này hiện không mở. Vui lòng xem lịch thi."), code="closed")
    profile = profile_for_user(user)
    if profile is None:
        raise QuizError(_("Vui lòng hoàn thiện thông tin cá nhân trước khi dự thi."), code="profile")
    if round.max_attempts is not None:
        done = Attempt.objects.filter(round=round, user=user).count()
        if done >= round.max_attempts:
            raise QuizError(_("Anh/chị đã thi đủ %(n)d lần cho phép của tuần này.") % {"n": round.max_attempts}, code="limit")
    drawn = _draw(round=round)
    deadline = min(now + datetime.timedelta(seconds=round.time_limit_seconds), round.closes_at)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                round=round, user=user, organization_id=profile.organization_id, started_at=now, deadline=deadline,
                question_count=len(drawn), ip_address=ip_address,
            )  # fmt: skip
            AttemptQuestion.objects.bulk_create(
                AttemptQuestion(attempt=attempt, question_id=qid, position=i, option_ids=ids, option_count=len(ids))
                for i, (qid, ids) in enumerate(drawn, start=1)
            )
    except IntegrityError:
        # A simultaneous start won the race: use its attempt.
        existing = Attempt.objects.filter(round=round, user=user, status=AttemptStatus.OPEN).first()
        if existing is None:
            raise
        return existing
    return attempt


def attempt_save_answer(*, attempt_id: int, user, position: int, index: int) -> bool:
    """Autosave one answer: one UPDATE, accepted only for the owner's open attempt before its
    deadline and for an option index that exists. Returns whether it was saved."""
    now = timezone.now()
    if index < 0:
        return False
    updated = AttemptQuestion.objects.filter(
        attempt_id=attempt_id, attempt__user=user, attempt__status=AttemptStatus.OPEN, attempt__deadline__gt=now,
        position=position, option_count__gt=index,
    ).update(chosen_index=index, answered_at=now)  # fmt: skip
    return updated == 1


def _best_first_key(score: int, duration_ms: int, finished_at) -> tuple:
    return (-score, duration_ms, finished_at)


def _entry_record(*, attempt: Attempt) -> None:
    """Keep the contestant's best attempt of the round in RoundEntry (locked row)."""
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
    if _best_first_key(attempt.score, attempt.duration_ms, attempt.finished_at) < _best_first_key(
        entry.score, entry.duration_ms, entry.finished_at
    ):
        entry.best_attempt, entry.score, entry.duration_ms = attempt, attempt.score, attempt.duration_ms
        entry.finished_at, entry.prediction = attempt.finished_at, attempt.prediction
        fields += ["best_attempt", "score", "duration_ms", "finished_at", "prediction"]
    entry.save(update_fields=fields)


def _finish(*, attempt: Attempt, now, status: str, items: list[AttemptQuestion] | None = None) -> Attempt:
    """Score a locked open attempt from its saved answers and close it."""
    if items is None:
        items = list(AttemptQuestion.objects.filter(attempt=attempt).only("id", "option_ids", "chosen_index", "answered_at"))
    chosen_option = {
        item.id: item.option_ids[item.chosen_index]
        for item in items
        if item.chosen_index is not None and item.answered_at is not None and item.answered_at <= attempt.deadline
    }
    correct_ids = set(Option.objects.filter(pk__in=chosen_option.values(), is_correct=True).values_list("pk", flat=True))
    right = [item_id for item_id, oid in chosen_option.items() if oid in correct_ids]
    AttemptQuestion.objects.filter(attempt=attempt).update(
        is_correct=Case(When(id__in=right, then=Value(True)), default=Value(False))
    )
    end = min(now, attempt.deadline)
    attempt.status = status
    attempt.finished_at = end
    attempt.score = len(right)
    attempt.duration_ms = max(0, int((end - attempt.started_at).total_seconds() * 1000))
    attempt.save(update_fields=["status", "finished_at", "score", "duration_ms", "prediction"])
    _entry_record(attempt=attempt)
    return attempt


@transaction.atomic
def attempt_submit(*, attempt: Attempt, user, answers: dict[int, int], prediction: int | None = None) -> Attempt:
    """Submit an attempt with the answers of the form (position → option index).

    Idempotent: a second submit (double tap, resend) returns the first result. Answers posted
    after the deadline plus a short grace are ignored; only what was saved before counts."""
    now = timezone.now()
    attempt = Attempt.objects.select_for_update().select_related("round").get(pk=attempt.pk)
    if attempt.user_id != user.pk:
        raise QuizError(_("Bài thi này không phải của anh/chị."), code="not_yours")
    if not attempt.is_open:
        return attempt
    items = list(
        AttemptQuestion.objects.filter(attempt=attempt).only(
            "id", "position", "option_ids", "option_count", "chosen_index", "answered_at"
        )
    )
    by_position = {item.position: item for item in items}
    if any(p not in by_position or not 0 <= i < by_position[p].option_count for p, i in answers.items()):
        raise QuizError(
            _("Câu trả lời gửi lên không khớp với bài thi này. Các câu trả lời đã lưu vẫn được giữ nguyên."), code="tampered"
        )
    in_time = now <= attempt.deadline + SUBMIT_GRACE
    if attempt.round.tiebreaker_enabled and prediction is None and in_time:
        raise QuizError(_("Vui lòng trả lời câu hỏi dự đoán trước khi nộp bài."), code="prediction")
    if in_time:
        stamp = min(now, attempt.deadline)
        changed = []
        for position, index in answers.items():
            item = by_position[position]
            if item.chosen_index != index:
                item.chosen_index, item.answered_at = index, stamp
                changed.append(item)
        AttemptQuestion.objects.bulk_update(changed, ["chosen_index", "answered_at"])
        attempt.prediction = prediction
    return _finish(attempt=attempt, now=now, status=AttemptStatus.SUBMITTED, items=items)


@transaction.atomic
def attempt_finalize(*, attempt: Attempt) -> Attempt:
    """Close an attempt never submitted, at its deadline, with what was saved in time."""
    attempt = Attempt.objects.select_for_update().select_related("round").get(pk=attempt.pk)
    if not attempt.is_open or timezone.now() < attempt.deadline:
        return attempt
    return _finish(attempt=attempt, now=attempt.deadline, status=AttemptStatus.EXPIRED)


def finalize_expired_attempts(*, limit: int = 1000) -> int:
    """Finalize open attempts whose deadline (plus grace) has passed. Safe to run twice."""
    cutoff = timezone.now() - SUBMIT_GRACE
    ids = list(Attempt.objects.filter(status=AttemptStatus.OPEN, deadline__lt=cutoff).values_list("pk", flat=True)[:limit])
    for pk in ids:
        attempt_finalize(attempt=Attempt(pk=pk))
    return len(ids)


# --- Rankings and prizes ------------------------------------------------------------------------


def round_full_score_count(*, round: Round) -> int:
    return RoundEntry.objects.filter(round=round, score=round.questions_per_attempt, disqualified=False).count()


def ranked_entries(*, round: Round):
    """The round's entries in ranking order (by the round's rule), disqualified ones excluded."""
    qs = RoundEntry.objects.filter(round=round, disqualified=False)
    if round.ranking_rule == RankingRule.SCORE_PREDICTION_TIME:
        actual = round.full_score_actual if round.full_score_actual is not None else round_full_score_count(round=round)
        qs = qs.annotate(prediction_gap=Abs(F("prediction") - actual)).order_by(
            "-score", F("prediction_gap").asc(nulls_last=True), "duration_ms", "finished_at"
        )
    else:
        qs = qs.order_by("-score", "duration_ms", "finished_at")
    return qs


@transaction.atomic
def round_prizes_draft(*, round: Round) -> list[Prize]:
    """Compute the draft prize list from the prize plan after the round closes: one prize per
    person, staff and ineligible accounts skipped. Winners the secretariat found not valid keep
    their record and are skipped, so the next eligible contestants move up; a winner already
    verified stays verified. Safe to run again."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if not round.is_closed:
        raise QuizError(_("Chỉ lập danh sách giải sau khi tuần thi đã đóng."))
    if round.results_published_at:
        raise QuizError(_("Kết quả tuần thi đã công bố; không lập lại danh sách giải."))
    finalize_round_attempts(round=round)
    round.full_score_actual = round_full_score_count(round=round)
    round.save(update_fields=["full_score_actual"])
    invalid = set(Prize.objects.filter(round=round, status=PrizeStatus.INVALID).values_list("user_id", flat=True))
    verified = {p.user_id: p for p in Prize.objects.filter(round=round, status=PrizeStatus.VERIFIED)}
    Prize.objects.filter(round=round).exclude(status=PrizeStatus.INVALID).delete()
    tiers = [tier for tier, count in round.prize_plan for _i in range(count)]
    prizes = []
    rank = 0
    for entry in ranked_entries(round=round).select_related("user").iterator(chunk_size=500):
        if len(prizes) >= len(tiers):
            break
        rank += 1
        user = entry.user
        if not user.is_active or _is_staff_user(user) or user.pk in invalid:
            continue
        prize = Prize(round=round, user=user, entry=entry, tier=tiers[len(prizes)], rank=rank)
        if user.pk in verified:
            kept = verified[user.pk]
            prize.status, prize.note, prize.verified_by_id, prize.verified_at = (
                kept.status,
                kept.note,
                kept.verified_by_id,
                kept.verified_at,
            )
        prizes.append(prize)
    Prize.objects.bulk_create(prizes)
    return prizes


@transaction.atomic
def prize_verify(*, prize: Prize, by, valid: bool, note: str = "") -> Prize:
    """The secretariat's check of a winner's identity with their unit (who and when recorded).
    A winner found not valid is replaced by the next eligible contestant."""
    prize = Prize.objects.select_for_update().select_related("round").get(pk=prize.pk)
    if prize.round.results_published_at:
        raise QuizError(_("Kết quả tuần thi đã công bố; không thể thay đổi xác minh."))
    if not valid and not note.strip():
        raise QuizError(_("Cần ghi lý do khi xác định người đạt giải không hợp lệ."))
    prize.status = PrizeStatus.VERIFIED if valid else PrizeStatus.INVALID
    prize.note, prize.verified_by, prize.verified_at = note.strip(), by, timezone.now()
    prize.save(update_fields=["status", "note", "verified_by", "verified_at"])
    if not valid:
        round_prizes_draft(round=prize.round)
    return prize


def finalize_round_attempts(*, round: Round) -> None:
    for pk in Attempt.objects.filter(round=round, status=AttemptStatus.OPEN).values_list("pk", flat=True):
        attempt_finalize(attempt=Attempt(pk=pk))


@transaction.atomic
def round_publish_results(*, round: Round, by) -> Round:
    """Publish the round's results and its prize list (the public leaderboard opens)."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if not round.is_closed:
        raise QuizError(_("Chỉ công bố kết quả sau khi tuần thi đã đóng."))
    if round.results_published_at:
        raise QuizError(_("Kết quả tuần thi này đã được công bố."))
    if not Prize.objects.filter(round=round).exists() and any(count for _t, count in round.prize_plan):
        raise QuizError(_("Chưa có danh sách giải: hãy lập danh sách giải dự kiến trước."))
    if Prize.objects.filter(round=round, status=PrizeStatus.DRAFT).exists():
        raise QuizError(_("Tổ Thư ký chưa xác minh hết danh sách đạt giải; chỉ công bố danh sách đã xác minh."))
    round.results_published_at = timezone.now()
    round.results_published_by = by
    round.save(update_fields=["results_published_at", "results_published_by"])
    return round


def blueprint_set(*, round: Round, counts: dict[int, int]) -> None:
    guard_round_unsealed(round.pk)
    with transaction.atomic():
        BlueprintItem.objects.filter(round=round).delete()
        BlueprintItem.objects.bulk_create(BlueprintItem(round=round, field_id=f, count=c) for f, c in counts.items() if c)

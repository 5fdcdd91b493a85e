"""A round's seal and its window: approving and sealing (quiz.seal writes the key file), and the
two changes sealing allows, each a recorded decision with a reason: a later close, and an early
close to a moment not yet passed (a leaked key is stopped). What it freezes: quiz.round_fields."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.decisions import Action, decision_record
from quiz.enums import AttemptStatus
from quiz.errors import QuizError
from quiz.models import EARLY_CLOSE_SKEW, Attempt, Round, RoundWindowChange
from quiz.selectors import moment_display, pool_published_questions, round_overlapping, round_problems
from quiz.services.deadlines import attempt_deadline, extra_minutes_by_user


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
    from quiz.seal import seal_record

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
    change = _window_change(round=round, closes_at=closes_at, by=by, reason=reason, action=Action.WINDOW_EXTEND)
    _attempts_redate(round=round, attempts=Attempt.objects.filter(round=round, status=AttemptStatus.OPEN, deadline=old))
    return change


def close_early_problems(*, round: Round, closes_at: datetime.datetime | None, reason: str, now=None) -> list[str]:
    """Why a round cannot close early at `closes_at` (empty when it can): it is sealed and not yet
    closed, the new closing time is not passed, is after the opening and before the current
    close, and a reason is given. The admin form shows these; round_close_early refuses."""
    now = now or timezone.now()
    if not round.is_sealed:
        return [_("Tuần thi chưa được niêm phong; hãy sửa thời gian trực tiếp trong trang tuần thi.")]
    if round.results_published_at or now >= round.closes_at:
        return [_("Tuần thi đã đóng; không thể đóng sớm.")]
    problems = []
    if closes_at is not None:
        if closes_at < now - EARLY_CLOSE_SKEW:
            problems.append(_("Không thể đóng sớm về một thời điểm đã qua; để trống để đóng ngay bây giờ."))
        elif closes_at >= round.closes_at:
            problems.append(
                _("Thời gian đóng mới phải trước thời gian đóng hiện tại (%(closes)s); muốn lùi lại thì dùng «Gia hạn».")
                % {"closes": moment_display(round.closes_at)}
            )
    if max(closes_at or now, now) <= round.opens_at:
        problems.append(
            _("Tuần thi mở lúc %(opens)s; thời gian đóng mới phải sau lúc mở.") % {"opens": moment_display(round.opens_at)}
        )
    if not (reason or "").strip():
        problems.append(_("Cần ghi lý do đóng sớm."))
    return problems


@transaction.atomic
def round_close_early(*, round: Round, by, reason: str, closes_at: datetime.datetime | None = None) -> RoundWindowChange:
    """Close a sealed round before its time (default now; never a moment already passed), with a
    reason: recorded (who, when, old and new time, why) and logged as a WINDOW_CLOSE_EARLY
    decision that verify_results reconciles with the seal and the round's public page shows
    beside it. Attempts in progress end at the new close: their deadline is recomputed by the
    one deadline rule (attempt_deadline), so what they saved until then counts, and nobody
    starts after it."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    reason = (reason or "").strip()
    now = timezone.now()
    problems = close_early_problems(round=round, closes_at=closes_at, reason=reason, now=now)
    if problems:
        raise QuizError(" ".join(problems))
    change = _window_change(
        round=round, closes_at=max(closes_at or now, now), by=by, reason=reason, action=Action.WINDOW_CLOSE_EARLY
    )
    _attempts_redate(
        round=round, attempts=Attempt.objects.filter(round=round, status=AttemptStatus.OPEN, deadline__gt=round.closes_at)
    )
    return change


def _window_change(*, round: Round, closes_at: datetime.datetime, by, reason: str, action: str) -> RoundWindowChange:
    """Record the move of a locked round's close, save it, log the decision."""
    old = round.closes_at
    change = RoundWindowChange.objects.create(
        round=round, old_closes_at=old, new_closes_at=closes_at, reason=reason, changed_by=by
    )
    round.closes_at = closes_at
    round.save(update_fields=["closes_at"])
    decision_record(
        action=action, obj=round, by=by, reason=reason,
        # The UTC pair is what verify_results reconciles the sealed window with; the other is for people.
        data={
            "old_closes_at": moment_display(old), "new_closes_at": moment_display(closes_at),
            "old_closes_at_utc": old.astimezone(datetime.UTC).isoformat(),
            "new_closes_at_utc": closes_at.astimezone(datetime.UTC).isoformat(),
        },
    )  # fmt: skip
    return change


def _attempts_redate(*, round: Round, attempts) -> None:
    """Give open attempts the deadline the rule gives them under the round's new close."""
    extra = extra_minutes_by_user(round=round)
    for attempt in attempts.select_for_update():
        attempt.deadline = attempt_deadline(
            round=round, started_at=attempt.started_at, extra_minutes=extra.get(attempt.user_id, 0)
        )
        attempt.save(update_fields=["deadline"])

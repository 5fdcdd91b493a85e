"""The deadline rule (its one home) and extra time for one contestant: deadline = min(start +
limit + the contestant's extra minutes, the round's close)."""

import datetime

from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from contests.decisions import Action, decision_record
from quiz.enums import AttemptStatus
from quiz.errors import QuizError
from quiz.models import Attempt, Round, TimeExtension


def attempt_deadline(*, round: Round, started_at: datetime.datetime, extra_minutes: int = 0) -> datetime.datetime:
    """The deadline rule, its one home: deadline = min(start + limit + the contestant's extra
    minutes, the round's close). Extra time never passes the close: places are shown and prizes
    drafted once the round has closed, with every attempt over (docs/decisions.md)."""
    return min(started_at + attempt_time_allowed(round=round, extra_minutes=extra_minutes), round.closes_at)


def attempt_time_allowed(*, round: Round, extra_minutes: int = 0) -> datetime.timedelta:
    """The time an attempt may take before the close cuts it: the round's limit plus the
    contestant's extra minutes."""
    return datetime.timedelta(seconds=round.time_limit_seconds, minutes=extra_minutes)


def attempts_past_close_redate() -> int:
    """Open attempts whose deadline lies after their round's close get the rule's deadline again
    (the beat, before finalizing). Only one path makes such an attempt: a start whose request read
    the round just before an early close committed (quiz.services.rounds.round_close_early) and
    created its attempt just after that close redated the open ones. The start's hot path does not
    read the round again under a lock for this; the beat repairs it within a minute, before
    anything counts (the attempt is finalized at its repaired deadline, what it saved after the
    close never counts). Returns how many were repaired."""
    stale = Attempt.objects.filter(status=AttemptStatus.OPEN, deadline__gt=F("round__closes_at")).select_related("round")
    repaired = 0
    with transaction.atomic():
        for attempt in stale.select_for_update(of=("self",)):
            extra = TimeExtension.objects.filter(round=attempt.round, user_id=attempt.user_id).aggregate(total=Sum("minutes"))
            attempt.deadline = attempt_deadline(
                round=attempt.round, started_at=attempt.started_at, extra_minutes=extra["total"] or 0
            )
            attempt.save(update_fields=["deadline"])
            repaired += 1
    return repaired


def extra_minutes_by_user(*, round: Round) -> dict[int, int]:
    """user id -> the extra minutes granted in the round (grants add up). One query."""
    rows = TimeExtension.objects.filter(round=round).order_by().values("user_id").annotate(total=Sum("minutes"))
    return {row["user_id"]: row["total"] for row in rows}


def extra_minutes_subquery(*, round: Round, user_ref: str):
    rows = TimeExtension.objects.filter(round=round, user_id=OuterRef(user_ref)).order_by().values("user_id")
    return Coalesce(Subquery(rows.annotate(total=Sum("minutes")).values("total")[:1]), 0)


def time_extension_problems(*, round: Round, minutes: int | None, reason: str) -> list[str]:
    """Why extra time cannot be granted (the admin form shows these; the service refuses)."""
    from quiz.models import EXTRA_MINUTES_MAX

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

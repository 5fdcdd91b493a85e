"""The pace of attempts: how many a contestant may start in a round, in a day, and how soon after
the previous one. One rule, used by `quiz.services.attempts.attempt_start` (under its lock) and by the round
page (what is left today, when the next may start).

A round sets three limits, each optional: `max_attempts` over the whole round, `attempts_per_day`
per calendar day in Vietnam (the contest's time zone, TIME_ZONE), and `min_start_interval_minutes`
between the starts of two attempts of one contestant. The two pace limits are what make
harvesting the answer key by probing one question per attempt slow (docs/decisions.md, "Attempt
pace"; docs/security.md)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Seen:
    """What the limits need to know of a contestant's attempts in a round."""

    total: int = 0
    today: int = 0  # started since the local midnight of `now`
    last_started_at: datetime.datetime | None = None


@dataclass(frozen=True)
class Allowance:
    """Whether a contestant may start an attempt now, and if not, why and from when.

    `code` is "" (allowed), "total" (max_attempts used up), "day" (today's attempts used up),
    "interval" (too soon after the previous start) or "closed" (the next allowed start is at or
    after the round closes). `left_today` is None without a daily limit."""

    code: str
    left_today: int | None
    left_total: int | None
    next_start_at: datetime.datetime | None

    @property
    def allowed(self) -> bool:
        return self.code == ""


def contest_zone() -> datetime.tzinfo:
    # The default time zone is the contest's (TIME_ZONE = "Asia/Ho_Chi_Minh"); never the
    # activated one, so a day is the same day for every contestant and every server.
    return timezone.get_default_timezone()


def day_start(now: datetime.datetime) -> datetime.datetime:
    """Local midnight (Vietnam) of the day `now` falls in."""
    local = now.astimezone(contest_zone())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def next_day_start(now: datetime.datetime) -> datetime.datetime:
    # Vietnam has no daylight saving time, but adding a calendar day to the date keeps this right
    # wherever it would.
    start = day_start(now)
    following = start.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(following, datetime.time(0, 0), tzinfo=contest_zone())


def has_limits(round) -> bool:
    return any(v is not None for v in (round.max_attempts, round.attempts_per_day, round.min_start_interval_minutes))


def allowance(round, *, seen: Seen, now: datetime.datetime) -> Allowance:
    """Apply the round's limits to what the contestant has already started."""
    left_total = None if round.max_attempts is None else max(0, round.max_attempts - seen.total)
    left_today = None if round.attempts_per_day is None else max(0, round.attempts_per_day - seen.today)
    if left_total == 0:
        return Allowance("total", left_today, left_total, None)
    waits = []
    if left_today == 0:
        waits.append(("day", next_day_start(now)))
    if round.min_start_interval_minutes is not None and seen.last_started_at is not None:
        ready = seen.last_started_at + datetime.timedelta(minutes=round.min_start_interval_minutes)
        if ready > now:
            waits.append(("interval", ready))
    if not waits:
        return Allowance("", left_today, left_total, None)
    # The day's limit names the reason when it applies; the time is the later of the two.
    code = "day" if any(c == "day" for c, _t in waits) else "interval"
    at = max(t for _c, t in waits)
    if at >= round.closes_at:
        return Allowance("closed", left_today, left_total, None)
    return Allowance(code, left_today, left_total, at)


def seen_from(attempts, *, now: datetime.datetime) -> Seen:
    """`Seen` from a contestant's attempts of one round already in memory (the round page lists
    them anyway), so the page asks nothing more of the database."""
    starts = [a.started_at for a in attempts]
    midnight = day_start(now)
    return Seen(total=len(starts), today=sum(1 for s in starts if s >= midnight), last_started_at=max(starts, default=None))


def _clock(moment: datetime.datetime, now: datetime.datetime) -> str:
    local = moment.astimezone(contest_zone())
    if local.date() == now.astimezone(contest_zone()).date():
        return f"{local:%H:%M}"
    return _("%(time)s ngày %(day)d/%(month)d") % {"time": f"{local:%H:%M}", "day": local.day, "month": local.month}


def refusal_message(round, allowance: Allowance, *, now: datetime.datetime) -> str:
    """The sentence a refused contestant reads: why, and when they may start again."""
    if allowance.code == "total":
        return ngettext(
            "Anh/chị đã thi đủ %(n)d lần cho phép của tuần này.",
            "Anh/chị đã thi đủ %(n)d lần cho phép của tuần này.",
            round.max_attempts,
        ) % {"n": round.max_attempts}
    if allowance.code == "closed":
        return _("Anh/chị đã dùng hết số lượt được phép trước khi tuần thi đóng lúc %(time)s.") % {
            "time": _clock(round.closes_at, now)
        }
    if allowance.code == "day":
        if allowance.next_start_at == next_day_start(now):
            return ngettext(
                "Hôm nay anh/chị đã thi đủ %(n)d lượt; mời quay lại ngày mai.",
                "Hôm nay anh/chị đã thi đủ %(n)d lượt; mời quay lại ngày mai.",
                round.attempts_per_day,
            ) % {"n": round.attempts_per_day}
        return ngettext(
            "Hôm nay anh/chị đã thi đủ %(n)d lượt; mời quay lại lúc %(time)s.",
            "Hôm nay anh/chị đã thi đủ %(n)d lượt; mời quay lại lúc %(time)s.",
            round.attempts_per_day,
        ) % {"n": round.attempts_per_day, "time": _clock(allowance.next_start_at, now)}
    return _("Anh/chị có thể bắt đầu lượt thi tiếp theo lúc %(time)s.") % {"time": _clock(allowance.next_start_at, now)}

"""Scheduled work that happens once per slot, whatever sends it twice.

The beat (django-celery-beat's DatabaseScheduler, its schedule declared in
settings.CELERY_BEAT_SCHEDULE and kept with each entry's last run in the database) marks every
message it sends with the entry's name (the `periodic_task_name` header). Every task of the app
runs through `SlotTask` (contest_site.celery): a message so marked runs under a lock named after
the entry and its slot — the minute of the crontab it was due at, or the interval it falls in —
taken with the cache's `add` (Redis `SET NX EX`). A second beat, a message delivered twice or a
retry in the same slot finds the lock and returns without running the job. A job that fails
releases its slot so that a retry may run it; one that succeeded keeps it until the slot is over.

A task called directly (a command, the admin's button, a test) takes no lock: every periodic task
is idempotent on its own as well; the lock keeps a second run from doing the work twice."""

import logging
import math
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from celery import Task
from celery.schedules import crontab
from celery.schedules import schedule as interval
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)

HEADER = "periodic_task_name"
KEY_PREFIX = "periodic-slot"
MAX_LOOKBACK = timedelta(days=8)  # a weekly crontab at most; a rarer one gets no lock


def entry_schedule(entry_name: str):
    """The schedule of a beat entry: the database's row (what the beat uses, admin edits
    included), else the settings' declaration; None for an unknown entry."""
    from django_celery_beat.models import PeriodicTask

    row = PeriodicTask.objects.filter(name=entry_name).first()
    if row is not None:
        return row.schedule
    declared = settings.CELERY_BEAT_SCHEDULE.get(entry_name)
    if declared is None:
        return None
    value = declared["schedule"]
    return interval(timedelta(seconds=value)) if isinstance(value, int | float) else value


def _crontab_matches(c: crontab, at: datetime) -> bool:
    return (
        at.minute in c.minute
        and at.hour in c.hour
        and at.isoweekday() % 7 in c.day_of_week  # celery: 0 = Sunday
        and at.day in c.day_of_month
        and at.month in c.month_of_year
    )


def slot_of(schedule, now: datetime | None = None) -> tuple[str, int] | None:
    """(the slot's label, seconds the lock is kept) of `now` for a schedule, or None when the
    schedule has no slots (a one-off, a solar event, a crontab rarer than weekly).

    A crontab's slot is the last minute it was due at, in its time zone: a job due at 02:00 and
    run at 02:00:05 or retried at 02:40 is in the slot «02:00» of that day. An interval's slot is
    the period of the epoch it falls in."""
    now = now or timezone.now()
    if isinstance(schedule, crontab):
        tz = getattr(schedule, "tz", None) or ZoneInfo(settings.CELERY_TIMEZONE)
        at = now.astimezone(tz).replace(second=0, microsecond=0)
        earliest = at - MAX_LOOKBACK
        while at >= earliest:
            if _crontab_matches(schedule, at):
                return at.strftime("%Y-%m-%dT%H:%M%z"), int(MAX_LOOKBACK.total_seconds())
            # Whole hours that cannot match are skipped at once.
            at = at.replace(minute=0) - timedelta(minutes=1) if at.hour not in schedule.hour else at - timedelta(minutes=1)
        return None
    if isinstance(schedule, interval):
        every = schedule.run_every.total_seconds()
        if every <= 0:
            return None
        number = math.floor(now.timestamp() / every)
        return f"{int(every)}s#{number}", max(int(2 * every), 60)
    return None


def run_once(entry_name: str, func, *, now: datetime | None = None, schedule=None):
    """Run `func()` unless the slot of `entry_name` at `now` has run (or is running) already.
    Returns (True, its result) or (False, None) when skipped. An entry whose schedule has no
    slots runs every time."""
    schedule = schedule if schedule is not None else entry_schedule(entry_name)
    slot = slot_of(schedule, now) if schedule is not None else None
    if slot is None:
        return True, func()
    label, ttl = slot
    key = f"{KEY_PREFIX}:{entry_name}:{label}"
    if not cache.add(key, uuid.uuid4().hex, timeout=ttl):
        logger.info("Periodic %s: slot %s has run already; skipped.", entry_name, label)
        return False, None
    try:
        return True, func()
    except BaseException:
        cache.delete(key)  # a failed run leaves the slot free for a retry
        raise


def _entry_name(request) -> str | None:
    name = getattr(request, HEADER, None)
    if name:
        return name
    headers = getattr(request, "headers", None) or {}
    return headers.get(HEADER)


class SlotTask(Task):
    """The base of every task (contest_site.celery): a message from the beat runs once per slot."""

    def __call__(self, *args, **kwargs):
        entry_name = _entry_name(self.request)
        if not entry_name:
            return super().__call__(*args, **kwargs)
        _ran, result = run_once(entry_name, lambda: super(SlotTask, self).__call__(*args, **kwargs))
        return result

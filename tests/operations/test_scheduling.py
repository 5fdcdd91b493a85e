"""Scheduled work happens exactly once: two beats (or a message delivered twice) run a job once
per slot, and a beat restarted after the night hour still runs the day's job."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django_celery_beat.models import PeriodicTask

from contest_site.celery import app
from contests import periodic
from contests.scheduler import Scheduler as DatabaseScheduler
from operations import housekeeping, tasks

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DAILY = "accounts-anonymize-archived"


def test_daily_jobs_are_crontabs_at_a_night_hour_in_vietnam():
    schedule = settings.CELERY_BEAT_SCHEDULE[DAILY]["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.hour == {2} and schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"
    assert settings.CELERY_BEAT_SCHEDULER == "contests.scheduler:Scheduler"


def test_a_crontab_slot_is_the_last_time_it_was_due():
    schedule = crontab(hour=2, minute=0)
    at_0200 = datetime(2026, 12, 7, 2, 0, 5, tzinfo=HCM)
    retried = datetime(2026, 12, 7, 9, 40, tzinfo=HCM)
    before = datetime(2026, 12, 7, 1, 59, tzinfo=HCM)

    assert periodic.slot_of(schedule, at_0200)[0] == "2026-12-07T02:00+0700"
    assert periodic.slot_of(schedule, retried)[0] == "2026-12-07T02:00+0700"
    assert periodic.slot_of(schedule, before)[0] == "2026-12-06T02:00+0700"


@pytest.mark.django_db
def test_two_beats_in_the_same_slot_run_the_job_once():
    runs = []
    now = datetime(2026, 12, 7, 2, 0, 1, tzinfo=HCM)

    first = periodic.run_once(DAILY, lambda: runs.append("beat A") or 1, now=now)
    second = periodic.run_once(DAILY, lambda: runs.append("beat B") or 1, now=now + timedelta(seconds=3))
    next_day = periodic.run_once(DAILY, lambda: runs.append("tomorrow") or 1, now=now + timedelta(days=1))

    assert (first, second, next_day) == ((True, 1), (False, None), (True, 1))
    assert runs == ["beat A", "tomorrow"]


@pytest.mark.django_db
def test_a_failed_run_leaves_its_slot_to_the_retry():
    now = datetime(2026, 12, 7, 2, 0, 1, tzinfo=HCM)

    def fails():
        raise RuntimeError("database restarting")

    with pytest.raises(RuntimeError):
        periodic.run_once(DAILY, fails, now=now)

    assert periodic.run_once(DAILY, lambda: "done", now=now + timedelta(minutes=5)) == (True, "done")


@pytest.mark.django_db
def test_a_message_from_the_beat_delivered_twice_runs_once(monkeypatch):
    """As the worker sees them: two messages with the beat's header for the same entry."""
    calls = []
    monkeypatch.setattr(housekeeping, "exports_prune", lambda: calls.append(1) or 7)
    headers = {periodic.HEADER: "operations-prune-exports"}

    first = tasks.prune_exports.apply(headers=headers).get()
    second = tasks.prune_exports.apply(headers=headers).get()
    by_hand = tasks.prune_exports.apply().get()  # not from the beat: no lock

    assert (first, second, by_hand) == (7, None, 7)
    assert calls == [1, 1]


@pytest.mark.django_db
def test_an_interval_slot_is_its_period():
    schedule = settings.CELERY_BEAT_SCHEDULE["quiz-finalize-expired-attempts"]["schedule"]
    runs = []
    now = datetime(2026, 12, 7, 10, 0, 0, tzinfo=HCM)

    for seconds in (0, 20, 59, 60):
        at = now + timedelta(seconds=seconds)
        periodic.run_once("quiz-finalize-expired-attempts", lambda s=seconds: runs.append(s), now=at)

    assert schedule == 60.0
    assert runs == [0, 60]


@pytest.mark.django_db(transaction=True)  # the scheduler closes its connections as a beat does
def test_a_beat_restarted_after_the_night_hour_still_runs_the_days_job():
    """The old beat kept its state in the container's /tmp: a redeploy at 03:00 started afresh and
    the 02:00 job waited for the next night. The database keeps the last run instead."""
    DatabaseScheduler(app=app)  # the first beat writes the settings' entries into the database
    last_night = datetime(2026, 12, 6, 2, 0, 3, tzinfo=HCM)
    PeriodicTask.objects.filter(name=DAILY).update(last_run_at=last_night)

    restarted = DatabaseScheduler(app=app)  # a redeploy: a new process, a fresh schedule in memory
    entry = restarted.schedule[DAILY]
    entry.schedule.nowfun = lambda: datetime(2026, 12, 7, 3, 15, tzinfo=HCM)
    due, _next = entry.is_due()

    assert PeriodicTask.objects.get(name=DAILY).last_run_at == last_night  # the sync kept it
    assert due is True
    entry.schedule.nowfun = lambda: datetime(2026, 12, 7, 1, 15, tzinfo=HCM)
    assert entry.is_due()[0] is False  # and not before the hour


@pytest.mark.django_db(transaction=True)
def test_an_entry_no_longer_declared_is_disabled_at_the_next_start(settings):
    DatabaseScheduler(app=app)
    assert PeriodicTask.objects.get(name=DAILY).enabled
    settings.CELERY_BEAT_SCHEDULE = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k != DAILY}
    declared, app.conf.beat_schedule = app.conf.beat_schedule, settings.CELERY_BEAT_SCHEDULE
    try:
        DatabaseScheduler(app=app)
    finally:
        app.conf.beat_schedule = declared
    assert not PeriodicTask.objects.get(name=DAILY).enabled
    assert PeriodicTask.objects.exclude(name=DAILY).exclude(name__startswith="celery.").filter(enabled=False).count() == 0

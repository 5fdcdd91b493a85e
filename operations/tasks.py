"""Housekeeping on the beat (settings.CELERY_BEAT_SCHEDULE): each idempotent, each once per night
(contests.periodic). The backups are not a Celery task: the compose service `backup` runs them
(`python manage.py backup --loop`) where the backup volume is mounted."""

from celery import shared_task

from . import housekeeping


@shared_task(name="operations.tasks.clear_sessions", time_limit=600, soft_time_limit=540)
def clear_sessions() -> None:
    housekeeping.sessions_clear()


@shared_task(name="operations.tasks.prune_exports", time_limit=600, soft_time_limit=540)
def prune_exports() -> int:
    return housekeeping.exports_prune()


@shared_task(name="operations.tasks.prune_notifications", time_limit=600, soft_time_limit=540)
def prune_notifications() -> int:
    return housekeeping.notifications_prune()

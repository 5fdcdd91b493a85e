"""Housekeeping: what is past keeping is removed, each job idempotent (run twice, it removes
nothing more). Scheduled daily at night (settings.CELERY_BEAT_SCHEDULE, operations.tasks);
`python manage.py housekeeping` runs them all by hand."""

from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contests.enums import NotificationStatus
from contests.models import Notification
from reports.models import ExportJob


def sessions_clear() -> None:
    """Expired sessions out of the database (what `clearsessions` does), with the engine in use."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


def exports_prune(*, now: datetime | None = None, days: int | None = None) -> int:
    """Export workbooks (reports.ExportJob) created more than EXPORT_RETENTION_DAYS ago: the file
    and then the row. A file already gone is no error; a row is deleted only after its file."""
    days = settings.EXPORT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    removed = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).exclude(
        status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING]
    ):
        if job.file:
            job.file.storage.delete(job.file.name)
        with transaction.atomic():
            removed += ExportJob.objects.filter(pk=job.pk).delete()[1].get("reports.ExportJob", 0)
    return removed


def notifications_prune(*, now: datetime | None = None, days: int | None = None, failed_days: int | None = None) -> int:
    """Outbox rows past keeping: sent ones sent more than NOTIFICATION_RETENTION_DAYS ago, failed
    ones created more than NOTIFICATION_FAILED_RETENTION_DAYS ago. Queued rows are never deleted
    (they are still to be sent). A deleted row no longer stops its event (its key) from notifying
    again, which is why the days are longer than a contest season."""
    now = now or timezone.now()
    days = settings.NOTIFICATION_RETENTION_DAYS if days is None else days
    failed_days = settings.NOTIFICATION_FAILED_RETENTION_DAYS if failed_days is None else failed_days
    sent = Notification.objects.filter(status=NotificationStatus.SENT, sent_at__lt=now - timedelta(days=days))
    failed = Notification.objects.filter(status=NotificationStatus.FAILED, created_at__lt=now - timedelta(days=failed_days))
    with transaction.atomic():
        return sent.delete()[1].get("contests.Notification", 0) + failed.delete()[1].get("contests.Notification", 0)

"""Housekeeping: expired sessions, old export files (file and row), old outbox rows; each job
removes what is past keeping, keeps the rest, and removes nothing more when run again."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from contests.enums import NotificationChannel, NotificationKind, NotificationStatus
from contests.models import Notification
from operations import housekeeping
from reports.models import ExportJob
from tests.factories import contestant

pytestmark = pytest.mark.django_db


def _export(contest, user, *, days_old: int, status=ExportJob.Status.DONE) -> ExportJob:
    job = ExportJob.objects.create(kind="results", contest=contest, requested_by=user, status=status)
    job.file.save(f"results-{job.pk}.xlsx", ContentFile(b"PK workbook"), save=True)
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=days_old))
    return job


def test_old_exports_lose_their_file_and_row_new_ones_stay(contest, settings):
    settings.EXPORT_RETENTION_DAYS = 30
    user = contestant()
    old = _export(contest, user, days_old=31)
    running = _export(contest, user, days_old=40, status=ExportJob.Status.RUNNING)
    new = _export(contest, user, days_old=29)
    old_file = Path(settings.PRIVATE_MEDIA_ROOT, old.file.name)
    assert old_file.is_file()

    assert housekeeping.exports_prune() == 1
    assert housekeeping.exports_prune() == 0  # idempotent

    assert not old_file.exists()
    assert sorted(ExportJob.objects.values_list("pk", flat=True)) == sorted([running.pk, new.pk])
    assert Path(settings.PRIVATE_MEDIA_ROOT, new.file.name).is_file()


def test_an_old_export_whose_file_is_already_gone_is_removed(contest, settings):
    job = _export(contest, contestant(), days_old=90)
    Path(settings.PRIVATE_MEDIA_ROOT, job.file.name).unlink()

    assert housekeeping.exports_prune() == 1
    assert not ExportJob.objects.filter(pk=job.pk).exists()


def _notification(user, key: str, status: str, days_old: int) -> Notification:
    when = timezone.now() - timedelta(days=days_old)
    row = Notification.objects.create(
        recipient=user, channel=NotificationChannel.EMAIL, kind=NotificationKind.RESULTS, key=key,
        address="a@example.com", body="Kết quả", status=status,
        sent_at=when if status == NotificationStatus.SENT else None,
    )  # fmt: skip
    Notification.objects.filter(pk=row.pk).update(created_at=when)
    return row


def test_sent_notifications_go_after_their_days_failed_ones_later_queued_never(settings):
    settings.NOTIFICATION_RETENTION_DAYS, settings.NOTIFICATION_FAILED_RETENTION_DAYS = 180, 365
    user = contestant()
    old_sent = _notification(user, "a", NotificationStatus.SENT, 181)
    recent_sent = _notification(user, "b", NotificationStatus.SENT, 179)
    failed = _notification(user, "c", NotificationStatus.FAILED, 200)  # kept: someone was not told
    old_failed = _notification(user, "d", NotificationStatus.FAILED, 366)
    queued = _notification(user, "e", NotificationStatus.QUEUED, 400)

    assert housekeeping.notifications_prune() == 2
    assert housekeeping.notifications_prune() == 0

    left = set(Notification.objects.values_list("pk", flat=True))
    assert left == {recent_sent.pk, failed.pk, queued.pk}
    assert not {old_sent.pk, old_failed.pk} & left


def test_expired_sessions_are_cleared_live_ones_kept():
    from django.contrib.sessions.backends.db import SessionStore

    live, expired = SessionStore(), SessionStore()
    live["x"], expired["x"] = 1, 2
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    call_command("housekeeping")

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]

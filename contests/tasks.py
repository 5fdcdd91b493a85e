from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import notifications

# How a task that sends one outbox row (a notification; an invitation, accounts.tasks) runs: the
# database away (a restart, a failover) leaves the row queued, so it tries again in 1, 2, 4… s (at
# most 30 s) rather than wait for the beat's requeue of stale rows.
OUTBOX_TASK = {
    "bind": True,
    "time_limit": 60,
    "soft_time_limit": 45,
    "max_retries": None,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 1,
    "retry_backoff_max": 30,
}


@shared_task(name="contests.tasks.send_notification", **OUTBOX_TASK)
def send_notification(self, *, notification_id: int) -> str | None:
    """Send one outbox row (safe to run twice: notification_send sends a queued row once). A
    failure of the gateway leaves the row queued; the retry comes back after the row's backoff.
    A failure of the database is retried within seconds (autoretry_for)."""
    status = notifications.notification_send(notification_id=notification_id)
    if status == notifications.NotificationStatus.QUEUED and not self.request.is_eager:
        row = notifications.Notification.objects.filter(pk=notification_id).only("next_attempt_at").first()
        if row is not None:
            raise self.retry(eta=row.next_attempt_at)
    return status


@shared_task(name="contests.tasks.requeue_stale_notifications", time_limit=120, soft_time_limit=100)
def requeue_stale_notifications() -> int:
    """Beat: queued rows whose task was lost are sent again (each send is idempotent)."""
    due = notifications.notifications_due()
    for pk in due:
        send_notification.delay(notification_id=pk)
    return len(due)


@shared_task(name="contests.tasks.renew_zalo_token", time_limit=60, soft_time_limit=45)
def renew_zalo_token(*, force: bool = False) -> bool:
    """Beat (and after a message refused for its token): the Zalo access token renewed before it
    expires (contests.zalo_token.token_renew)."""
    from .zalo_token import token_renew

    return token_renew(force=force)

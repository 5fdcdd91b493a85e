from celery import shared_task

from contests.tasks import OUTBOX_TASK


@shared_task(name="accounts.tasks.anonymize_archived", time_limit=60 * 60, soft_time_limit=55 * 60)
def anonymize_archived(after: int = 0) -> int:
    """The retention rule, daily (contest_site.settings.CELERY_BEAT_SCHEDULE): one batch
    (accounts.privacy.retention_batch, a few minutes at most), then the next batch as a task of
    its own until none is left. Safe to run twice: someone anonymized is never a candidate again."""
    from .privacy import retention_batch

    done, next_after = retention_batch(after=after)
    if next_after is not None:
        anonymize_archived.delay(after=next_after)
    return done


@shared_task(name="accounts.tasks.send_invitation", **OUTBOX_TASK)
def send_invitation(self, *, delivery_id: int) -> str | None:
    """Send one invitation (safe to run twice: invitation_delivery_send sends a queued row once).
    A failure of the gateway, or the SMS ceiling, leaves the row queued: the task comes back at
    the row's next attempt. As contests.tasks.send_notification."""
    from .invitations import InvitationDelivery, Status, invitation_delivery_send

    status = invitation_delivery_send(delivery_id=delivery_id)
    if status == Status.QUEUED and not self.request.is_eager:
        row = InvitationDelivery.objects.filter(pk=delivery_id).only("next_attempt_at").first()
        if row is not None:
            raise self.retry(eta=row.next_attempt_at)
    return status


@shared_task(name="accounts.tasks.requeue_stale_invitations", time_limit=120, soft_time_limit=100)
def requeue_stale_invitations() -> int:
    """Beat: queued invitations whose task was lost are sent again (each send is idempotent)."""
    from .invitations import invitations_due

    due = invitations_due()
    for pk in due:
        send_invitation.delay(delivery_id=pk)
    return len(due)

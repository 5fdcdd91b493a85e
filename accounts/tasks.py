from celery import shared_task


@shared_task(name="accounts.tasks.anonymize_archived", time_limit=60 * 60, soft_time_limit=55 * 60)
def anonymize_archived() -> int:
    """The retention rule, daily (contest_site.settings.CELERY_BEAT_SCHEDULE). Safe to run twice:
    someone anonymized is never a candidate again."""
    from .privacy import retention_anonymize, retention_candidates

    return retention_anonymize(user_ids=retention_candidates())

from celery import shared_task

from . import services


@shared_task(name="quiz.tasks.finalize_expired_attempts", time_limit=120, soft_time_limit=100)
def finalize_expired_attempts() -> int:
    """Close attempts whose time ran out without a submit. Idempotent: a finished attempt is skipped."""
    return services.finalize_expired_attempts()

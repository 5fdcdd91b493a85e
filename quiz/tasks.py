from celery import shared_task

from . import services


@shared_task(name="quiz.tasks.finalize_expired_attempts", time_limit=120, soft_time_limit=100)
def finalize_expired_attempts() -> int:
    """Close attempts whose time ran out without a submit. Idempotent: a finished attempt is skipped."""
    return services.finalize_expired_attempts()


@shared_task(name="quiz.tasks.announce_opened_rounds", time_limit=300, soft_time_limit=270)
def announce_opened_rounds() -> int:
    """Beat: tell those who opted in that a round has opened (once per round)."""
    return services.rounds_announce_opened()

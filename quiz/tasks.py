from celery import shared_task

from .services import attempts, notifications


@shared_task(name="quiz.tasks.finalize_expired_attempts", time_limit=120, soft_time_limit=100)
def finalize_expired_attempts() -> int:
    """Close attempts whose time ran out without a submit. Idempotent: a finished attempt is skipped."""
    return attempts.finalize_expired_attempts()


@shared_task(name="quiz.tasks.announce_opened_rounds", time_limit=300, soft_time_limit=270)
def announce_opened_rounds() -> int:
    """Beat: tell those who opted in that a round has opened (once per round)."""
    return notifications.rounds_announce_opened()


@shared_task(name="quiz.tasks.analyse_closed_rounds", time_limit=1800, soft_time_limit=1700)
def analyse_closed_rounds() -> int:
    """The item analysis of every closed round not analysed yet (quiz.analysis). Idempotent."""
    from .analysis import round_analyse, rounds_to_analyse

    done = 0
    for round in rounds_to_analyse():
        round_analyse(round=round)
        done += 1
    return done


@shared_task(name="quiz.tasks.analyse_round", time_limit=1800, soft_time_limit=1700)
def analyse_round(round_id: int) -> int:
    """Analyse one closed round again (the admin's button). Idempotent."""
    from .analysis import round_analyse
    from .models import Round

    round = Round.objects.filter(pk=round_id).first()
    if round is None or not round.is_closed:
        return 0
    return round_analyse(round=round).attempts


@shared_task(name="quiz.tasks.refresh_figures", time_limit=600, soft_time_limit=540)
def refresh_figures() -> int:
    """Beat (every minute, quiz.figures.FIGURES_STALE_SECONDS): the kept figures of every contest
    whose rounds can still move, recomputed from the attempts. Idempotent."""
    from .figures import figures_refresh

    return figures_refresh()

"""The beat's scheduler: django-celery-beat's DatabaseScheduler (each job's last run kept in
PostgreSQL, so a redeploy neither skips nor repeats a nightly job), held to the one declaration
in settings.CELERY_BEAT_SCHEDULE: at every start it also disables any entry that is no longer
declared there, so nobody has to remember to switch one off by hand (the beat's tables are not in
the admin). Celery's own entries (`celery.*`) are left as they are."""

from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler


def undeclared_disable() -> int:
    """Disable the stored entries that settings.CELERY_BEAT_SCHEDULE no longer declares; how many."""
    stale = PeriodicTask.objects.filter(enabled=True).exclude(name__in=list(settings.CELERY_BEAT_SCHEDULE))
    return stale.exclude(name__startswith="celery.").update(enabled=False)


class Scheduler(DatabaseScheduler):
    def setup_schedule(self):
        super().setup_schedule()
        undeclared_disable()

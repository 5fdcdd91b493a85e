"""The beat's tables (django-celery-beat) are not an interface for anyone: the schedule is
declared in settings.CELERY_BEAT_SCHEDULE and held there by contests.scheduler."""

from django.contrib import admin
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule

for model in (ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

"""The Celery app. Without CELERY_BROKER_URL (nor REDIS_URL), tasks run in-process (eager), so `make run`
needs no broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")

# Every task runs through contests.periodic.SlotTask: a message from the beat runs once per slot.
app = Celery("contest_site", task_cls="contests.periodic:SlotTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id of the request that sent a task goes with it into the worker's log lines.
import operations.signals  # noqa: E402, F401

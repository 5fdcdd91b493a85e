"""The site's URLs plus three views for the operations tests: one that logs, one that sends a
task, one that fails. Used with @pytest.mark.urls("tests.operations.urls")."""

import logging

from celery import shared_task
from django.http import HttpResponse
from django.urls import path

from contest_site.urls import urlpatterns as site_urlpatterns

logger = logging.getLogger("tests.operations")


@shared_task(name="tests.operations.log_task")
def log_task(*, note: str) -> str:
    logger.info("task ran: %s", note)
    return note


def log_view(request):
    # As a careless call would: the person's e-mail and a signed link in the message.
    logger.info("served %s for %s", request.GET.get("link", ""), request.user.email)
    return HttpResponse("ok")


def task_view(request):
    log_task.delay(note="from a request")
    return HttpResponse("sent")


def boom_view(request):
    request.user.is_authenticated  # noqa: B018 - the user is loaded, as on most pages
    raise ValueError(f"broken for {request.user.email} at {request.GET.get('link', '')}")


urlpatterns = [
    path("test-ops/log/", log_view, name="test_ops_log"),
    path("test-ops/task/", task_view, name="test_ops_task"),
    path("test-ops/boom/", boom_view, name="test_ops_boom"),
    *site_urlpatterns,
]

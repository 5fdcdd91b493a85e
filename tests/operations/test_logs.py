"""JSON log lines with the request's context, and the request id carried into Celery tasks."""

import json
import logging
import re

import pytest
from celery import signals

from operations.logs import JsonFormatter, request_id_from, request_id_var
from tests.factories import contestant
from tests.operations.urls import log_task

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.operations.urls")]

SIGNED = ".eJxTKkktLlGyUlBKSU3OT0nNSy_KLQAAOcwGqw:1uabcd:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFG"


def test_a_log_line_is_json_with_time_level_request_id_user_id_and_view_without_the_email(client, json_log):
    user = contestant(user__email="nguyen.van.a@example.vn")
    client.force_login(user)

    response = client.get("/test-ops/log/", {"link": f"/awards/details/{SIGNED}/"})

    line = next(entry for entry in json_log() if entry["logger"] == "tests.operations")
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "user_id", "view"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    assert (line["level"], line["user_id"], line["view"]) == ("INFO", user.pk, "test_ops_log")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["message"] == "served /awards/details/[…]/ for [email]"
    assert "nguyen.van.a" not in json.dumps(json_log())


def test_a_sane_incoming_request_id_is_kept_and_a_forged_one_replaced(client):
    kept = client.get("/healthz/", headers={"X-Request-ID": "lb-7f3a9c21e4"})
    forged = client.get("/healthz/", headers={"X-Request-ID": 'x" level=ERROR\nfake line'})

    assert kept["X-Request-ID"] == "lb-7f3a9c21e4"
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])
    assert request_id_from("") != request_id_from("")


def test_a_task_sent_by_a_request_logs_with_the_request_id(client, json_log):
    response = client.get("/test-ops/task/")  # eager in tests: the task runs in the request

    line = next(entry for entry in json_log() if entry["message"] == "task ran: from a request")
    assert line["request_id"] == response["X-Request-ID"]
    assert line["view"] == "task:tests.operations.log_task"


def test_the_request_id_goes_on_the_task_message_and_the_worker_reads_it_back(json_log):
    headers = {}
    token = request_id_var.set("req-0123456789")
    try:
        signals.before_task_publish.send(sender="tests.operations.log_task", headers=headers, body=None)
    finally:
        request_id_var.reset(token)
    assert headers == {"request_id": "req-0123456789"}

    # In the worker: another context, no request; the id comes from the message's headers.
    log_task.apply(kwargs={"note": "in the worker"}, headers=headers)

    line = next(entry for entry in json_log() if entry["message"] == "task ran: in the worker")
    assert line["request_id"] == "req-0123456789"
    assert request_id_var.get() is None


def test_the_json_formatter_writes_the_exception_scrubbed():
    logger = logging.getLogger("tests.operations.exc")
    try:
        raise ValueError("bad key=0123456789abcdef for a@b.vn")
    except ValueError:
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "failed", None, __import__("sys").exc_info())
    from operations.logs import ScrubFilter

    ScrubFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))

    assert entry["level"] == "ERROR"
    assert "ValueError: bad key=[…] for [email]" in entry["exception"]


def test_djangos_not_found_line_is_scrubbed_and_carries_the_request_id(client, json_log):
    link = f"/accounts/invitation/{SIGNED}/"

    response = client.get(link)

    line = next(entry for entry in json_log() if entry["logger"] == "django.request")
    assert response.status_code == 404
    assert (line["message"], line["view"]) == ("Not Found: /accounts/invitation/[…]/", "accounts:invitation")
    assert line["request_id"] == response["X-Request-ID"]


def test_every_handler_of_djangos_loggers_scrubs():
    from operations.logs import ScrubFilter

    for name in ("", "django", "django.request", "django.server", "celery", "tests"):
        logger = logging.getLogger(name)
        while logger is not None:
            for handler in logger.handlers:
                if isinstance(handler, logging.NullHandler) or type(handler).__module__.startswith("_pytest"):
                    continue  # writes nothing, or pytest's own capture
                assert any(isinstance(f, ScrubFilter) for f in handler.filters), (name, handler)
            logger = logger.parent if logger.propagate else None


def test_the_development_servers_own_line_with_its_socket_as_the_request_is_logged():
    """`make run`: Django's runserver logs each request with its socket under `request`; the
    filter reads context only from an HttpRequest, so the line is logged, not a traceback."""
    import socket

    from operations.logs import ScrubFilter

    with socket.socket() as sock:
        record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s', ("GET / HTTP/1.1", 200, 5), None)
        record.request = sock
        assert ScrubFilter().filter(record) is True
    assert record.getMessage() == '"GET / HTTP/1.1" 200 5'
    assert record.request is None

"""/metrics: the figures, and who may read them."""

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from prometheus_client import REGISTRY

from contests import sms
from contests.enums import NotificationChannel, NotificationKind
from contests.models import Notification
from contests.notifications import notification_send
from quiz.services.attempts import attempt_start, attempt_submit
from tests.budgets import QUERIES
from tests.factories import contestant
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_answer_from_localhost_with_the_metric_names(client):
    client.get("/healthz/")

    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    text = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    for name in (
        "contest_request_duration_seconds_bucket",
        'view="healthz"',
        "contest_responses_total",
        "contest_attempts_started_total",
        "contest_attempts_finished_total",
        "contest_autosaves_total",
        "contest_sms_failures_total",
        "contest_email_failures_total",
        'contest_notification_outbox{status="queued"}',
    ):
        assert name in text


@pytest.mark.parametrize(
    "remote, headers",
    [
        ("10.1.2.3", {}),
        ("10.1.2.3", {"X-Forwarded-For": "127.0.0.1"}),  # a forged header from an untrusted peer
        ("10.1.2.3", {"Authorization": "Bearer wrong-token"}),
        ("10.1.2.3", {"Authorization": "Basic czNjcjN0"}),
    ],
)
def test_metrics_are_a_404_for_anyone_else(client, settings, remote, headers):
    settings.METRICS_TOKEN = "s3cr3t-scrape-token"

    response = client.get("/metrics", REMOTE_ADDR=remote, headers=headers)

    assert response.status_code == 404
    assert b"contest_" not in response.content


def test_metrics_answer_the_bearer_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cr3t-scrape-token"

    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3", headers={"Authorization": "Bearer s3cr3t-scrape-token"})

    assert response.status_code == 200


def test_metrics_without_a_token_setting_refuse_an_empty_bearer(client, settings):
    settings.METRICS_TOKEN = ""
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3", headers={"Authorization": "Bearer "})
    assert response.status_code == 404


def test_metrics_allowed_networks_are_a_setting(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_attempt_counters_move_when_an_attempt_is_started_and_submitted(django_capture_on_commit_callbacks):
    round = sealed_round()
    user = contestant()
    started, submitted = _value("contest_attempts_started_total"), _value("contest_attempts_finished_total", status="submitted")

    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_start(round=round, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        attempt_start(round=round, user=user)  # the same open attempt: not a new start
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=3))
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt=attempt, user=user, answers={})  # a double tap: counted once

    assert _value("contest_attempts_started_total") - started == 1
    assert _value("contest_attempts_finished_total", status="submitted") - submitted == 1


def test_the_autosave_counter_moves(client):
    import re

    from django.urls import reverse

    round = sealed_round()
    user = contestant()
    client.force_login(user)
    attempt = attempt_start(round=round, user=user)
    html = client.get(reverse("quiz:attempt", args=[attempt.pk])).content.decode()
    token = re.search(r'data-autosave-token="([^"]+)"', html).group(1)
    saved, refused = _value("contest_autosaves_total", outcome="saved"), _value("contest_autosaves_total", outcome="refused")

    client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 1})
    client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token + "x", "q1": 1})

    assert _value("contest_autosaves_total", outcome="saved") - saved == 1
    assert _value("contest_autosaves_total", outcome="refused") - refused == 1


def test_sms_and_email_failures_are_counted(settings):
    settings.SMS_BACKEND = "contests.sms.FailingBackend"
    sms_before, email_before = _value("contest_sms_failures_total"), _value("contest_email_failures_total")
    with pytest.raises(sms.SmsError):
        sms.send_sms(to="0912345678", body="Ma xac thuc la ABC123")

    settings.EMAIL_BACKEND = "tests.operations.test_metrics.RefusingEmailBackend"
    user = contestant()
    row = Notification.objects.create(
        recipient=user, channel=NotificationChannel.EMAIL, kind=NotificationKind.RESULTS, key="k:1", address=user.email, body="b"
    )
    notification_send(notification_id=row.pk)

    assert _value("contest_sms_failures_total") - sms_before == 1
    assert _value("contest_email_failures_total") - email_before == 1


class RefusingEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise OSError("SMTP server refused the connection")


def test_the_outbox_backlog_and_the_queues_are_read_at_scrape_time(client, settings):
    user = contestant()
    for i in range(3):
        Notification.objects.create(
            recipient=user, channel=NotificationChannel.EMAIL, kind=NotificationKind.RESULTS, key=f"k:{i}", address="x", body="b"
        )

    text = client.get("/metrics").content.decode()

    assert 'contest_notification_outbox{status="queued"} 3.0' in text
    assert 'contest_notification_outbox{status="failed"} 0.0' in text
    if settings.REDIS_URL:
        assert 'contest_celery_queue_length{queue="celery"}' in text


def test_a_scrape_time_gauge_is_one_decorated_function(client):
    from operations import metrics

    before = len(metrics._GAUGES)
    metrics.scrape_gauge("contest_test_answer", "A test figure.")(lambda: 42)
    try:
        text = client.get("/metrics").content.decode()
    finally:
        del metrics._GAUGES[before:]

    assert "contest_test_answer 42.0" in text


@pytest.mark.parametrize("rows", [1, 3])
def test_a_scrape_costs_one_query_whatever_the_outbox_holds(client, django_assert_num_queries, rows):
    user = contestant()
    for i in range(rows):
        Notification.objects.create(
            recipient=user, channel=NotificationChannel.SMS, kind=NotificationKind.RESULTS, key=f"q:{i}", address="x", body="b"
        )

    with django_assert_num_queries(QUERIES["metrics_scrape"]):
        response = client.get("/metrics")

    assert response.status_code == 200

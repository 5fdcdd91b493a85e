"""The outbox: each event writes the right rows once, sending is idempotent and retried, and the
unsubscribe link works without logging in."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from contests import notifications
from contests.enums import NotificationKind, NotificationStatus
from contests.models import Notification
from contests.sms import sms_text
from essays import judging
from essays import services as essay_services
from essays.enums import EssayStatus
from essays.models import JudgingRound, PanelMember
from quiz.models import Prize, Round, RoundSeal
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.notifications import rounds_announce_opened
from quiz.services.prizes import prize_verify, round_prizes_draft, round_publish_results
from tests.essays.factories import EssayFactory
from tests.factories import UserFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _rows(**filters):
    return sorted(Notification.objects.filter(**filters).values_list("recipient_id", "channel", "kind"))


def _person(**kwargs):
    """A contestant whose sign-in number was verified (so SMS reach them)."""
    kwargs = {f"user__{k}": v for k, v in kwargs.items()}
    return contestant(user__phone="0912345678", user__phone_verified=True, **kwargs)


def test_screening_notifies_the_submitter_once_by_email_and_sms(django_capture_on_commit_callbacks, sms_outbox):
    author = _person()
    essay = EssayFactory(submitter=author, status=EssayStatus.SUBMITTED)
    clerk = staff_user(Role.SECRETARIAT)

    with django_capture_on_commit_callbacks(execute=True):
        essay_services.essay_screen(essay=essay, by=clerk, eligible=False, reasons=["off_topic"], note="Thiếu <b>nguồn</b>")

    assert _rows() == [(author.pk, "email", "screening"), (author.pk, "sms", "screening")]
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 2
    message = mail.outbox[0]
    assert message.to == [author.email]
    assert "không đủ điều kiện" in message.subject
    assert "Thiếu <b>nguồn</b>" in message.body  # plain text: typed text arrives as typed
    assert "/notifications/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert sms_outbox[0].to == "0912345678"
    assert "khong du dieu kien" in sms_outbox[0].body and "/notifications/unsubscribe/" in sms_outbox[0].body


def test_the_same_event_twice_writes_its_rows_once(django_capture_on_commit_callbacks):
    user = _person()
    context = {"title": "Tuần 1", "url": "http://x/"}
    with django_capture_on_commit_callbacks(execute=True):
        first = notifications.notify(user=user, kind=NotificationKind.RESULTS, key="results:quiz:1", context=context)
        again = notifications.notify(user=user, kind=NotificationKind.RESULTS, key="results:quiz:1", context=context)
    assert (first, again) == (1, 0)  # results go by e-mail only
    assert len(mail.outbox) == 1


def test_publishing_quiz_results_tells_winners_and_everyone_ranked():
    round = sealed_round(pool_size=20, fields=2, prizes_first=1, prizes_second=0, prizes_third=0, prizes_consolation=0)
    winner, other = _person(), contestant()
    for user, right in ((winner, 20), (other, 10)):
        attempt = attempt_start(round=round, user=user)
        attempt_submit(attempt=attempt, user=user, answers=answer_all(attempt, right=right))
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - datetime.timedelta(seconds=1))
    round = Round.objects.get(pk=round.pk)
    round_prizes_draft(round=round)
    prize_verify(prize=Prize.objects.get(), by=UserFactory(), valid=True)

    round_publish_results(round=round, by=UserFactory())

    assert _rows(kind="prize_won") == [(winner.pk, "email", "prize_won"), (winner.pk, "sms", "prize_won")]
    assert _rows(kind="results") == sorted([(winner.pk, "email", "results"), (other.pk, "email", "results")])
    prize_mail = Notification.objects.get(kind="prize_won", channel="email")
    assert "Giải Nhất" in prize_mail.subject and "căn cước công dân" in prize_mail.body


def test_a_round_opening_is_announced_once_to_those_who_opted_in():
    asked, silent = _person(), contestant()
    notifications.preferences_set(user_id=asked.pk, choices={NotificationKind.ROUND_OPEN: True})
    round = sealed_round(pool_size=20, fields=2)  # open now

    assert rounds_announce_opened() == 1
    assert rounds_announce_opened() == 0

    assert _rows() == [(asked.pk, "email", "round_open"), (asked.pk, "sms", "round_open")]
    assert silent.pk not in {r[0] for r in _rows()}
    assert round.name in Notification.objects.get(channel="email").subject


def test_the_opening_e_mail_carries_the_seal_fingerprint_and_the_sms_stays_one_segment(settings):
    asked = _person()
    notifications.preferences_set(user_id=asked.pk, choices={NotificationKind.ROUND_OPEN: True})
    round = sealed_round(pool_size=20, fields=2, name="Tuần thi thứ mười hai của cuộc thi")
    sha256 = RoundSeal.objects.get(round=round).sha256

    rounds_announce_opened()

    email = Notification.objects.get(channel="email").body
    sms = Notification.objects.get(channel="sms").body
    assert " ".join(sha256[i : i + 16] for i in range(0, 64, 16)) in email
    assert "bắt đầu bằng " + sha256[:16] in email
    assert settings.SITE_URL + reverse("quiz:seal_help") in email
    assert sha256[:16] not in sms
    # Without the unsubscribe link (its length is the site's), the text fits one unaccented segment.
    assert len(sms_text(sms.split(" Ngừng nhận:")[0])) <= 160


def test_new_sheets_notify_each_judge_once_per_assignment():
    phase_essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility="eligible")
    judge = staff_user(Role.JUDGE)
    round = JudgingRound.objects.create(phase=phase_essay.phase, name="Vòng sơ khảo", order=1)
    PanelMember.objects.create(round=round, judge=judge)
    judging.round_fill_from_screening(round=round)

    judging.round_assign(round=round)
    judging.round_assign(round=round)  # nothing new: no new message

    row = Notification.objects.get(kind="judge_assignments")
    assert (row.recipient, row.channel) == (judge, "email")
    assert "1 bài mới cần chấm" in row.subject


def test_a_failing_backend_is_retried_with_backoff_then_marked_failed(settings, sms_outbox):
    settings.SMS_BACKEND = "contests.sms.FailingBackend"
    user = _person(email=None)
    notifications.notify(user=user, kind=NotificationKind.PRIZE_WON, key="p:1", context={"tier_label": "Giải Ba"})
    row = Notification.objects.get()
    now = timezone.now()

    statuses = [notifications.notification_send(notification_id=row.pk, now=now) for _ in range(notifications.MAX_ATTEMPTS)]

    row.refresh_from_db()
    assert statuses == ["queued"] * (notifications.MAX_ATTEMPTS - 1) + ["failed"]
    assert (row.attempts, row.status) == (notifications.MAX_ATTEMPTS, "failed")
    assert "FailingBackend" in row.last_error
    assert [notifications.retry_delay(n).total_seconds() for n in (1, 2, 3, 10)] == [60, 120, 240, 3600]

    # «Gửi lại» in the admin: back in the queue, sent once the gateway answers.
    settings.SMS_BACKEND = "contests.sms.LocmemBackend"
    assert notifications.notifications_retry(ids=[row.pk]) == 1
    assert notifications.notification_send(notification_id=row.pk) == "sent"
    assert len(sms_outbox) == 1


def test_the_task_run_twice_sends_once(sms_outbox):
    from contests.tasks import send_notification

    user = _person(email=None)
    notifications.notify(user=user, kind=NotificationKind.PRIZE_WON, key="p:2", context={"tier_label": "Giải Ba"})
    row = Notification.objects.get()

    send_notification.delay(notification_id=row.pk)
    send_notification.delay(notification_id=row.pk)

    assert len(sms_outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_the_task_tries_again_when_the_database_fails_under_it(sms_outbox):
    """A PostgreSQL restart in the middle of a send (seen in the faults load scenario): the task
    is retried within seconds, not left for the beat's requeue of stale rows."""
    from django.db import OperationalError, connection

    from contests.tasks import send_notification

    user = _person(email=None)
    notifications.notify(user=user, kind=NotificationKind.PRIZE_WON, key="p:3", context={"tier_label": "Giải Ba"})
    row = Notification.objects.get()
    failed = []

    def server_gone_once(execute, sql, params, many, context):
        if "FOR UPDATE" in sql and not failed:
            failed.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(server_gone_once):
        # throw=False: an eager retry is run again by apply() only when the Retry is not raised.
        result = send_notification.apply(kwargs={"notification_id": row.pk}, throw=False)

    assert failed and result.get() == "sent"
    assert len(sms_outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_the_beat_finds_rows_whose_task_was_lost():
    user = _person()
    notifications.notify(user=user, kind=NotificationKind.RESULTS, key="r:9", context={})
    row = Notification.objects.get()
    assert notifications.notifications_due() == []
    later = timezone.now() + notifications.STALE_AFTER + datetime.timedelta(seconds=1)
    assert notifications.notifications_due(now=later) == [row.pk]


def test_unsubscribe_works_without_login_and_only_on_post(client):
    user = _person()
    url = reverse("contests:unsubscribe", args=[notifications.unsubscribe_token(user_id=user.pk, kind="results")])

    page = client.get(url)
    assert page.status_code == 200 and "Công bố kết quả" in page.content.decode()
    assert notifications.preferences_for(user)["results"] is True  # a link scanner changes nothing

    client.post(url, {"scope": "kind"})
    assert notifications.preferences_for(user)["results"] is False
    assert notifications.preferences_for(user)["prize_won"] is True
    assert notifications.notify(user=user, kind="results", key="r:1", context={}) == 0

    client.post(url, {"scope": "all"})
    # Every kind off, but the service messages nobody turns off (the award's details).
    assert {k for k, on in notifications.preferences_for(user).items() if on} == set(notifications.REQUIRED)


def test_a_forged_unsubscribe_token_is_refused(client):
    user = _person()
    token = notifications.unsubscribe_token(user_id=user.pk, kind="results")
    forged = token.replace(f"{user.pk}.", f"{user.pk + 1}.", 1)
    response = client.post(reverse("contests:unsubscribe", args=[forged]), {"scope": "all"})
    assert response.status_code == 404
    assert "không đúng" in response.content.decode()


def test_profile_page_records_the_opt_in(client, contestant_user):
    client.force_login(contestant_user)
    profile = contestant_user.profile
    data = {
        "full_name": "Nguyễn Văn An", "phone": profile.phone, "organization": profile.organization_id,
        "position": "Chuyên viên", "is_party_member": "1", "notifications": ["round_open", "prize_won"],
    }  # fmt: skip
    assert client.post(reverse("accounts:profile"), data).status_code == 302
    wanted = notifications.preferences_for(contestant_user)
    assert (wanted["round_open"], wanted["prize_won"], wanted["results"]) == (True, True, False)

"""The site-wide SMS ceiling (contests.sms.sms_ceiling_take): every SMS counts, atomically in the
cache; over it nothing is sent and the person gets the 429 page; the organizers are told once per
window; a cache that cannot count sends nothing."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from contests import notifications, sms
from contests.enums import NotificationKind
from contests.models import Notification
from tests.factories import UserFactory, contestant

pytestmark = pytest.mark.django_db

PASSWORD = "Chibo-KieuMau-2026"


@pytest.fixture
def ceiling(settings):
    settings.SMS_MAX_PER_HOUR = 5
    settings.SMS_MAX_PER_DAY = 100
    settings.SMS_ALERT_EMAILS = ["bantochuc@example.com"]
    return settings


def _ask_code(phone, **extra):
    return Client().post(reverse("account_request_login_code"), {"phone": phone}, **extra)


def test_the_ceiling_stops_codes_with_a_429_page_and_alerts_the_organizers_once(ceiling, sms_outbox, mailoutbox):
    for n in range(8):
        UserFactory(phone=f"09870000{n:02d}", phone_verified=True)

    answers = [_ask_code(f"09870000{n:02d}") for n in range(8)]

    assert [a.status_code for a in answers] == [302] * 5 + [429] * 3
    assert len(sms_outbox) == 5
    page = answers[5].content.decode()
    assert "Hệ thống đã gửi quá nhiều tin nhắn SMS" in page
    # Once at 80 % (the 4th message of 5) and once at the ceiling, however many are refused after.
    subjects = [m.subject for m in mailoutbox]
    assert subjects == ["Sắp chạm trần tin nhắn SMS trong giờ", "Đã chạm trần tin nhắn SMS trong giờ"]
    assert mailoutbox[0].to == ["bantochuc@example.com"]


def test_at_the_ceiling_an_unknown_number_gets_the_same_429(ceiling, sms_outbox):
    UserFactory(phone="0987000001", phone_verified=True)
    cache.set(sms._windows()[0].key, 5, 3600)

    known, unknown = _ask_code("0987000001"), _ask_code("0987000002")

    assert (known.status_code, unknown.status_code) == (429, 429)
    assert sms_outbox == []


def test_at_the_ceiling_signup_makes_no_account_and_answers_429(ceiling, sms_outbox):
    cache.set(sms._windows()[1].key, 100, 3600)
    data = {"phone": "0912000009", "password1": PASSWORD, "password2": PASSWORD, "consent": "on"}

    response = Client().post(reverse("account_signup"), data)

    assert response.status_code == 429
    assert not User.objects.filter(phone="0912000009").exists()
    assert sms_outbox == []


def test_the_next_window_starts_afresh_and_alerts_again(ceiling, mailoutbox):
    now = timezone.now()
    for _ in range(5):
        sms.sms_ceiling_take(now=now)
    with pytest.raises(sms.SmsCeilingReached) as refused:
        sms.sms_ceiling_take(now=now)
    assert refused.value.retry_at == sms._windows(now)[0].ends_at

    sms.sms_ceiling_take(now=now + timedelta(hours=1))  # the next hour

    near = [m for m in mailoutbox if m.subject.startswith("Sắp chạm")]
    assert len(near) == 1
    for _ in range(3):
        sms.sms_ceiling_take(now=now + timedelta(hours=1))
    assert len([m for m in mailoutbox if m.subject.startswith("Sắp chạm")]) == 2


def test_the_day_ceiling_holds_across_hours(ceiling):
    ceiling.SMS_MAX_PER_DAY = 6
    start = timezone.localtime().replace(hour=1, minute=0)
    for _ in range(5):
        sms.sms_ceiling_take(now=start)
    sms.sms_ceiling_take(now=start + timedelta(hours=1))
    with pytest.raises(sms.SmsCeilingReached) as refused:
        sms.sms_ceiling_take(now=start + timedelta(hours=2))
    assert refused.value.window == "day"


def test_the_count_is_atomic_under_concurrent_senders(ceiling):
    ceiling.SMS_MAX_PER_HOUR = 20
    sent, refused = [], []

    def send():
        try:
            sms.send_sms(to="0912345678", body="x")
            sent.append(1)
        except sms.SmsCeilingReached:
            refused.append(1)

    threads = [threading.Thread(target=send) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (len(sent), len(refused)) == (20, 30)
    assert len(sms.outbox) == 20


def test_a_cache_that_cannot_count_sends_nothing(ceiling, monkeypatch, sms_outbox):
    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "incr", broken)
    UserFactory(phone="0987000003", phone_verified=True)

    with pytest.raises(sms.SmsError):
        sms.send_sms(to="0987000003", body="x")
    response = _ask_code("0987000003", follow=True)

    assert sms_outbox == []
    assert response.status_code == 200
    assert "Chưa gửi được tin nhắn" in response.content.decode()


def test_notifications_keep_the_last_fifth_for_codes_and_wait_for_the_next_window(ceiling, sms_outbox):
    person = contestant(user__email=None, user__phone="0912345678", user__phone_verified=True)
    UserFactory(phone="0987000004", phone_verified=True)
    cache.set(sms._windows()[0].key, 4, 3600)  # 4 of 5: notifications stop at 80 %
    notifications.notify(user=person, kind=NotificationKind.PRIZE_WON, key="p:9", context={"tier_label": "Giải Ba"})
    row = Notification.objects.get()

    status = notifications.notification_send(notification_id=row.pk)

    row.refresh_from_db()
    assert (status, row.attempts, row.next_attempt_at) == ("queued", 0, sms._windows()[0].ends_at)
    assert sms_outbox == []
    # A sign-in code still goes.
    assert _ask_code("0987000004").status_code == 302
    assert [m.to for m in sms_outbox] == ["0987000004"]

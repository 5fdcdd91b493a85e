import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OFFICE_NAT = "203.0.113.7"


def _login(email, password):
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=OFFICE_NAT)
    return response, "_auth_user_id" in client.session


def test_failed_logins_are_limited_per_account_not_per_office():
    UserFactory(email="an@example.com")
    UserFactory(email="binh@example.com")

    for _ in range(5):
        assert _login("an@example.com", "sai-mat-khau")[1] is False
    response, logged_in = _login("an@example.com", "DemoPass123!")
    colleague_response, colleague_logged_in = _login("binh@example.com", "DemoPass123!")

    assert logged_in is False  # the account is paused even with the right password
    assert response.status_code in (200, 429)
    assert colleague_logged_in is True  # a colleague behind the same NAT address still gets in
    assert colleague_response.status_code == 302


def test_a_hundred_signups_from_one_address_are_not_blocked():
    for n in range(100):
        response = Client().post(
            reverse("account_signup"),
            {
                "phone": f"0912{n:06d}",
                "email": f"nguoi{n}@example.com",
                "password1": "Chibo-KieuMau-2026",
                "password2": "Chibo-KieuMau-2026",
                "consent": "on",
            },
            REMOTE_ADDR=OFFICE_NAT,
        )
        assert response.status_code == 302, n


def _signup_number(phone):
    data = {"phone": phone, "password1": "Chibo-KieuMau-2026", "password2": "Chibo-KieuMau-2026", "consent": "on"}
    return Client().post(reverse("account_signup"), data)


def test_a_second_signup_with_the_same_number_within_30_seconds_is_a_429_not_a_500(sms_outbox):
    first = _signup_number("0912000077")
    second = _signup_number("0912 000 077")

    assert first.status_code == 302
    assert second.status_code == 429
    assert "Quá nhiều yêu cầu" in second.content.decode()
    assert len(sms_outbox) == 1


def test_allauths_rate_limited_anywhere_in_a_view_is_the_429_page(rf):
    """The one place that answers it (contests.middleware.RateLimitedMiddleware), whatever raised it."""
    from allauth.core.exceptions import RateLimited
    from django.contrib.auth.models import AnonymousUser

    from contests.middleware import RateLimitedMiddleware

    request = rf.post("/accounts/signup/")
    request.user = AnonymousUser()
    response = RateLimitedMiddleware(lambda r: None).process_exception(request, RateLimited())

    assert response.status_code == 429
    assert "Vui lòng đợi vài phút" in response.content.decode()

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from tests.factories import UserFactory, staff_user

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
OWNER = "203.0.113.7"


def _login(email, password, remote, path=None):
    client = Client()
    response = client.post(path or reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=remote)
    return client, response, "_auth_user_id" in client.session


def test_a_stranger_cannot_lock_the_owner_out():
    UserFactory(email="an@example.com")

    for _ in range(20):
        _login("an@example.com", "sai-mat-khau", ATTACKER)
    *_, attacker_in = _login("an@example.com", "DemoPass123!", ATTACKER)
    *_, owner_in = _login("an@example.com", "DemoPass123!", OWNER)

    assert attacker_in is False  # the guesser's pair is paused, even with the right password
    assert owner_in is True


def test_the_account_ceiling_stops_guessing_from_many_addresses_and_a_reset_lifts_it(mailoutbox):
    UserFactory(email="binh@example.com")
    for n in range(110):
        _login("binh@example.com", "sai-mat-khau", f"192.0.2.{n % 250}")
    *_, blocked = _login("binh@example.com", "DemoPass123!", OWNER)

    client = Client()
    client.post(reverse("account_reset_password"), {"email": "binh@example.com"}, REMOTE_ADDR=OWNER)
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/") :].strip()
    form_url = client.get(path, REMOTE_ADDR=OWNER)["Location"]
    client.post(form_url, {"password1": "Mat-Khau-Moi-2026", "password2": "Mat-Khau-Moi-2026"}, REMOTE_ADDR=OWNER)
    *_, after_reset = _login("binh@example.com", "Mat-Khau-Moi-2026", OWNER)

    assert blocked is False
    assert after_reset is True


def test_a_wrong_password_at_the_admin_costs_the_same_as_at_the_site():
    staff_user(Role.ORGANIZER, email="bantc@example.com")

    response = Client().get("/admin/login/?next=/admin/quiz/round/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fquiz%2Fround%2F"
    for _ in range(5):
        _login("bantc@example.com", "sai-mat-khau", ATTACKER)
    _, admin_response, admin_in = _login("bantc@example.com", "DemoPass123!", ATTACKER, path="/admin/login/")
    *_, site_in = _login("bantc@example.com", "DemoPass123!", ATTACKER)

    assert admin_in is False  # the admin's old form is gone: no second door with its own count
    assert admin_response["Location"].startswith("/accounts/login/")
    assert site_in is False


def test_admin_login_sends_staff_on_and_refuses_others(client):
    client.force_login(staff_user(Role.ORGANIZER))
    assert client.get("/admin/login/?next=https://evil.example.com/")["Location"] == "/admin/"

    client.force_login(UserFactory())
    assert client.get("/admin/login/").status_code == 403


def test_an_unauthenticated_admin_page_leads_to_the_site_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"


def test_a_rate_limited_request_gets_the_vietnamese_429_page(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    cache.clear()
    _login("ai@example.com", "x", ATTACKER)

    _, response, _ = _login("ai@example.com", "x", ATTACKER)

    assert response.status_code == 429
    assert "Quá nhiều yêu cầu" in response.content.decode()

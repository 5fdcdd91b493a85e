import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Chibo-KieuMau-2026"


def _signup(email, phone):
    data = {"phone": phone, "email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on"}
    return Client().post(reverse("account_signup"), data)


def test_signup_answers_the_same_for_a_known_and_an_unknown_email(mailoutbox):
    UserFactory(email="da-co@example.com")

    known = _signup("da-co@example.com", "0912000001")
    unknown = _signup("chua-co@example.com", "0912000002")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # The owner of the known address is told by e-mail, not the person at the form; the new
    # address gets its confirmation once the number is confirmed.
    assert [m.to for m in mailoutbox] == [["da-co@example.com"]]


def test_signup_answers_the_same_for_a_known_and_an_unknown_number(sms_outbox):
    UserFactory(email="so-cu@example.com", phone="0912000003", phone_verified=True)

    known = _signup("", "0912 000 003")
    unknown = _signup("", "0912000004")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("account_verify_phone")
    # Both numbers get a text: a code for the new one, "you already have an account" for the other.
    assert [m.to for m in sms_outbox] == ["0912000003", "0912000004"]
    assert "da co tai khoan" in sms_outbox[0].body
    assert re.search(r"\b[A-Z0-9]{6}\b", sms_outbox[1].body)


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_email():
    UserFactory(email="da-co@example.com")

    known = Client().post(reverse("account_reset_password"), {"email": "da-co@example.com"})
    unknown = Client().post(reverse("account_reset_password"), {"email": "khong-ai@example.com"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])


def test_an_existing_account_logs_in_without_being_asked_to_verify(client):
    UserFactory(email="cu@example.com")  # made by the admin or an import: no verified address

    response = client.post(reverse("account_login"), {"login": "cu@example.com", "password": "DemoPass123!"})

    assert response.status_code == 302
    assert "_auth_user_id" in client.session

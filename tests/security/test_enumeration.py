import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Chibo-KieuMau-2026"


def _signup(email):
    return Client().post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on"}
    )


def test_signup_answers_the_same_for_a_known_and_an_unknown_email(mailoutbox):
    UserFactory(email="da-co@example.com")

    known = _signup("da-co@example.com")
    unknown = _signup("chua-co@example.com")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # The owner of the known address is told by e-mail, not the person at the form.
    assert {tuple(m.to) for m in mailoutbox} == {("da-co@example.com",), ("chua-co@example.com",)}


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

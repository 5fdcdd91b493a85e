import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Chibo-KieuMau-2026"


def _signup(email, phone, client=None):
    data = {"phone": phone, "email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on"}
    return (client or Client()).post(reverse("account_signup"), data)


def _page(response, phone) -> str:
    """A page as a person sees it, without what differs on purpose (the number typed, the CSRF token)."""
    html = response.content.decode().replace(phone, "NUMBER")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _is_code(message) -> bool:
    return re.search(r"\b[A-Z0-9]{6}\b", message.body) is not None


def test_a_known_email_with_ones_own_number_gets_the_same_code_and_page_as_a_new_email(mailoutbox, sms_outbox):
    """The reported probe: a known address and the prober's own number used to text back «Số này đã
    có tài khoản». Now both numbers get a code, the pages are the same, and only the owner of the
    known address is told (by e-mail)."""
    UserFactory(email="da-co@example.com")
    known_client, unknown_client = Client(), Client()

    known = _signup("da-co@example.com", "0912000001", known_client)
    unknown = _signup("chua-co@example.com", "0912000002", unknown_client)

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert _page(known_client.get(known["Location"]), "0912000001") == _page(
        unknown_client.get(unknown["Location"]), "0912000002"
    )
    assert [m.to for m in sms_outbox] == ["0912000001", "0912000002"]
    assert all(_is_code(m) and "tai khoan" not in m.body for m in sms_outbox)
    assert [m.to for m in mailoutbox] == [["da-co@example.com"]]
    # The account is made with the number only: the taken address stays its owner's.
    assert User.objects.get(phone="0912000001").email in (None, "")


def test_signup_with_a_known_number_texts_nobody_and_answers_the_same(sms_outbox, mailoutbox):
    UserFactory(email="so-cu@example.com", phone="0912000003", phone_verified=True)
    known_client, unknown_client = Client(), Client()

    known = _signup("", "0912 000 003", known_client)
    unknown = _signup("", "0912000004", unknown_client)

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("account_verify_phone")
    assert _page(known_client.get(known["Location"]), "0912000003") == _page(
        unknown_client.get(unknown["Location"]), "0912000004"
    )
    # A code for the new number; nothing at all for the number that has an account.
    assert [m.to for m in sms_outbox] == ["0912000004"]
    assert _is_code(sms_outbox[0])
    assert mailoutbox == []
    assert User.objects.filter(phone="0912000003").count() == 1


def test_a_known_number_with_a_strangers_new_email_mails_nobody(mailoutbox, sms_outbox):
    """Allauth would mail «an account already exists» to the address typed, telling whoever owns it
    that the number has an account."""
    UserFactory(phone="0912000005", phone_verified=True)

    _signup("ke-do-tham@example.com", "0912000005")

    assert (mailoutbox, sms_outbox) == ([], [])


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

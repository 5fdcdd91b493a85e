"""Sign-up and sign-in by mobile number with a code sent by SMS (the memory SMS backend)."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from contests import sms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Chibo-KieuMau-2026"


def _code(message) -> str:
    return re.search(r"\b([A-Z0-9]{6})\b", message.body).group(1)


def _signup(client, phone, email=""):
    data = {"phone": phone, "email": email, "password1": PASSWORD, "password2": PASSWORD, "consent": "on"}
    return client.post(reverse("account_signup"), data)


def test_signup_by_phone_without_email_then_the_code_signs_in(client, sms_outbox):
    response = _signup(client, "+84 912 345 678")
    assert response["Location"] == reverse("account_verify_phone")
    assert [m.to for m in sms_outbox] == ["0912345678"]
    # The text is Vietnamese without diacritics (GSM-7).
    assert sms_outbox[0].body.startswith("Ma xac thuc Cuoc thi")

    response = client.post(reverse("account_verify_phone"), {"code": _code(sms_outbox[0])})

    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get(phone="0912345678")
    assert (user.email, user.phone_verified) == (None, True)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_two_accounts_without_email_do_not_collide(sms_outbox):
    assert _signup(Client(), "0912000001").status_code == 302
    assert _signup(Client(), "0912000002").status_code == 302
    assert User.objects.filter(email__isnull=True).count() == 2


def test_a_wrong_code_does_not_sign_in(client, sms_outbox):
    _signup(client, "0912345678")
    response = client.post(reverse("account_verify_phone"), {"code": "WRONG1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("bad", ["12345", "0212345678", "09123456789", "abc"])
def test_a_bad_number_gets_a_vietnamese_message(client, bad, sms_outbox):
    response = _signup(client, bad)
    assert response.status_code == 200
    assert "Số điện thoại di động không hợp lệ" in response.content.decode()
    response = client.post(reverse("account_request_login_code"), {"phone": bad})
    assert "Số điện thoại di động không hợp lệ" in response.content.decode()
    assert sms_outbox == []
    assert not User.objects.exists()


def test_login_by_code_sent_by_sms(client, sms_outbox):
    user = UserFactory(email=None, phone="0987654321", phone_verified=True)

    response = client.post(reverse("account_request_login_code"), {"phone": "098 765 4321"})
    assert response["Location"] == reverse("account_confirm_login_code")
    assert [m.to for m in sms_outbox] == ["0987654321"]
    response = client.post(reverse("account_confirm_login_code"), {"code": _code(sms_outbox[0])})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def _page(response, phone) -> str:
    """A page as a person sees it, without what differs on purpose (the number typed, the CSRF token)."""
    html = response.content.decode().replace(phone, "NUMBER").replace(f"{phone[:4]} {phone[4:7]} {phone[7:]}", "NUMBER")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_login_by_code_for_an_unknown_number_answers_the_same_and_texts_nobody(sms_outbox):
    UserFactory(phone="0987654321", phone_verified=True)
    known_client, unknown_client = Client(), Client()
    known = known_client.post(reverse("account_request_login_code"), {"phone": "0987654321"})
    unknown = unknown_client.post(reverse("account_request_login_code"), {"phone": "0987000000"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    known_page = known_client.get(known["Location"])
    unknown_page = unknown_client.get(unknown["Location"])
    assert _page(known_page, "0987654321") == _page(unknown_page, "0987000000")
    # Only the number with an account gets a text (a code); the other gets nothing at all.
    assert [m.to for m in sms_outbox] == ["0987654321"]


def test_thirty_sign_in_requests_for_unknown_numbers_send_no_sms(sms_outbox):
    """The reported pumping: one address asks codes for 20 (here 30) numbers nobody registered."""
    client = Client(REMOTE_ADDR="198.51.100.9")
    answers = [client.post(reverse("account_request_login_code"), {"phone": f"0913{n:06d}"}) for n in range(30)]

    assert [a.status_code for a in answers] == [302] * 30
    assert sms_outbox == []


def test_login_with_the_number_and_a_password(client):
    user = UserFactory(phone="0911222333", phone_verified=True)
    response = client.post(reverse("account_login"), {"login": "0911 222 333", "password": "DemoPass123!"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_e_mail_login_still_works_for_an_account_without_a_number(client):
    user = UserFactory(email="cu@example.com")
    response = client.post(reverse("account_login"), {"login": "cu@example.com", "password": "DemoPass123!"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_codes_for_one_number_are_rate_limited(sms_outbox):
    UserFactory(phone="0987654321", phone_verified=True)
    answers = [Client().post(reverse("account_request_login_code"), {"phone": "0987654321"}) for _ in range(4)]

    assert [a.status_code for a in answers] == [302, 302, 302, 200]
    assert "Đã gửi mã tới số này nhiều lần" in answers[3].content.decode()
    assert len(sms_outbox) == 3


def test_sms_per_number_have_a_daily_ceiling(settings, sms_outbox):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "request_login_code": "100/m/key", "sms_phone": "2/d/key"}
    UserFactory(phone="0987654321", phone_verified=True)
    last = [Client().post(reverse("account_request_login_code"), {"phone": "0987654321"}, follow=True) for _ in range(3)][-1]
    assert len(sms_outbox) == 2
    assert "quá nhiều tin nhắn hôm nay" in last.content.decode()


def test_the_login_page_offers_both_ways_in_vietnamese(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "Nhận mã đăng nhập qua SMS" in page
    assert "Số điện thoại hoặc e-mail" in page
    assert 'href="/accounts/login/code/"' in page


class _Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Gateway.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    _Gateway.received, _Gateway.status = [], 200
    settings.SMS_BACKEND = "contests.sms.GatewayBackend"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "bi-mat"
    settings.SMS_SENDER = "CUOCTHI"
    settings.SMS_GATEWAY_TIMEOUT = 2
    yield _Gateway
    server.shutdown()


def test_the_http_gateway_gets_json_with_the_token(gateway):
    sms.send_sms(to="0912345678", body="Mã: 123")
    assert gateway.received == [("Bearer bi-mat", {"to": "0912345678", "from": "CUOCTHI", "text": "Ma: 123"})]


def test_the_http_gateway_refusing_raises(gateway):
    gateway.status = 503
    with pytest.raises(sms.SmsError, match="503"):
        sms.send_sms(to="0912345678", body="x")


def test_a_gateway_down_at_sign_up_is_told_not_a_500(client, settings):
    settings.SMS_BACKEND = "contests.sms.FailingBackend"
    response = _signup(client, "0912345678")
    page = client.get(response["Location"]).content.decode()
    assert "Chưa gửi được tin nhắn" in page

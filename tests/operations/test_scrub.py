"""One scrubber (operations.logs.scrub) for the logs, the access log and Sentry: each secret the
app puts in a link, a header or a message, made by the app's own functions, comes out masked."""

import datetime
from types import SimpleNamespace

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core import signing
from django.urls import reverse

from accounts.members import invitation_link
from accounts.models import Member
from awards import winner_details
from contests.enums import NotificationKind
from contests.notifications import unsubscribe_url
from operations import logs as logs_module
from operations.access_log import access_entry
from operations.logs import MASK, scrub, scrub_path
from quiz import autosave
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _password_reset(user):
    key = default_token_generator.make_token(user)
    return reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key}), key


def _confirm_email(user):
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    key = EmailConfirmationHMAC(address).key
    return reverse("account_confirm_email", args=[key]), key


def _invitation(user):
    link = invitation_link(Member(token="Qm9yZGVyLXRva2VuLWZvci1pbnZpdGF0aW9ucy0wMQ"))
    return link, link.rstrip("/").rsplit("/", 1)[1]


def _winner_details(user):
    """An old-style link (/awards/details/<signed>/): it still redirects, so it may be in old e-mails."""
    token = signing.dumps({"part": "quiz", "pk": 4711}, salt=winner_details.SALT)
    return f"{settings.SITE_URL}/awards/details/{token}/", token


def test_the_winners_form_address_holds_no_secret_and_stays_readable():
    url = winner_details.details_url(SimpleNamespace(part="quiz", prize=SimpleNamespace(pk=4711)))
    assert scrub(url) == url


def _unsubscribe(user):
    url = unsubscribe_url(user_id=user.pk, kind=NotificationKind.RESULTS)
    return url, url.rstrip("/").rsplit("/", 1)[1]


def _autosave_token(user):
    token = autosave.token_for(attempt=SimpleNamespace(pk=12, user_id=user.pk), session_key="k" * 32)
    return f"POST /quiz/attempts/12/save/ token={token}&q1=2", token


def _login_code(user):
    return "/accounts/login/code/confirm/?code=K7XW2P&next=/quiz/", "K7XW2P"


def _sms_code(user):
    body = "Ma xac thuc Cuoc thi cua anh/chi la KXWPRM. Ma co hieu luc trong it phut."
    return f"[SMS to 0912345678] {body}", "KXWPRM"


def _session_cookie(user):
    return "Cookie: csrftoken=Zm9vYmFy; sessionid=p4k2v9x0n7m1q8w3e5r6t0y2u4i6o8a9", "p4k2v9x0n7m1q8w3e5r6t0y2u4i6o8a9"


def _token_and_key(user):
    return "/api/x/?token=s3cr3t-t0ken&key=0f1e2d3c4b5a", "s3cr3t-t0ken"


@pytest.mark.parametrize(
    "make",
    [
        _password_reset,
        _confirm_email,
        _invitation,
        _winner_details,
        _unsubscribe,
        _autosave_token,
        _login_code,
        _sms_code,
        _session_cookie,
        _token_and_key,
    ],
)
def test_scrub_masks_the_secret(make):
    user = UserFactory(email="tran.thi.b@example.vn")
    text, secret = make(user)
    assert secret in text  # the fixture made a real one

    scrubbed = scrub(f"GET {text} for tran.thi.b@example.vn")

    assert secret not in scrubbed
    assert MASK in scrubbed
    assert "tran.thi.b" not in scrubbed


def test_scrub_keeps_what_is_not_secret():
    line = "GET /quiz/rounds/12/start/ 302 in 41 ms; /accounts/password/reset/key/done/; round 2025-12-07"
    assert scrub(line) == line


def test_scrub_masks_phone_numbers_and_bearer_tokens():
    assert scrub("to +84 912 345 678 or 0912.345.678") == "to [phone] or [phone]"
    assert "abc.def" not in scrub("Authorization: Bearer abc.def")


HOSTILE_RUNS = [
    "x" * 5000,  # the walk's long path segment: 0.7 s of CPU a request before
    "a:" * 4000,  # colons: every position a possible signed value
    "x@" * 3000,
    "a@" + "b." * 4000,
    ("a:" * 199 + "b ") * 20,  # runs just under the cap
]


@pytest.mark.parametrize("run", HOSTILE_RUNS, ids=["letters", "colons", "ats", "dots", "capped-runs"])
def test_the_signed_value_pattern_never_sees_more_than_one_short_run(run, monkeypatch):
    """The patterns that could backtrack are asked only where a run starts and only over one
    bounded run (their cost grew with the square of a hostile path's length): the one that
    backtracks most, _SIGNED, is recorded and must only ever be given a run of at most
    _SIGNED_RUN_MAX characters; a longer run with a colon is masked whole."""
    seen, signed = [], logs_module._SIGNED

    class Recording:
        def sub(self, repl, text):
            seen.append(len(text))
            return signed.sub(repl, text)

    monkeypatch.setattr(logs_module, "_SIGNED", Recording())
    line = f"Not Found: /essays/{run}/"
    scrubbed = scrub(line)
    assert all(n <= logs_module._SIGNED_RUN_MAX for n in seen), max(seen)
    if ":" in run and len(run) > logs_module._SIGNED_RUN_MAX and " " not in run:
        assert scrubbed == f"Not Found: /essays/{MASK}/"


def test_a_signed_value_inside_a_colon_run_is_still_masked_and_the_rest_kept():
    signed = signing.dumps({"member": 12}, salt="invitation")
    assert ":" in signed
    scrubbed = scrub(f"GET /x/?next=/a/{signed} 200 and user.name@example.vn then a:b")
    assert signed not in scrubbed and MASK in scrubbed
    assert "[email]" in scrubbed and scrubbed.endswith("then a:b")


def test_scrub_path_drops_every_query_value():
    assert scrub_path("/quiz/", "page=2&code=K7XW2P&next=%2Fx%2F") == "/quiz/?page=…&code=…&next=…"


def test_the_access_log_line_is_scrubbed_and_carries_the_request_id():
    user_link = _winner_details(None)[0].split("://", 1)[-1].split("/", 1)[1]
    resp = SimpleNamespace(status="200 OK", headers=[("X-Request-ID", "rid-0123456789")], sent=512)
    environ = {"PATH_INFO": "/" + user_link, "QUERY_STRING": "code=K7XW2P", "REQUEST_METHOD": "GET", "REMOTE_ADDR": "10.0.0.2"}

    entry = access_entry(resp, environ, datetime.timedelta(milliseconds=37))

    assert entry["path"] == "/awards/details/[…]/?code=…"
    assert (entry["request_id"], entry["status"], entry["duration_ms"]) == ("rid-0123456789", 200, 37.0)
    assert "K7XW2P" not in str(entry)

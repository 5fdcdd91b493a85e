"""Zalo (ZNS) beside SMS and e-mail: the HTTP backend against a local stand-in of the API's
contract (the request's shape checked, each error answered for real), the fallback to SMS, each
person's channel, and the one rule of channels (a property test)."""

import json
import logging
import re
from http.server import BaseHTTPRequestHandler

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from contests import notifications, zalo
from contests.enums import NotificationChannel, NotificationKind, NotificationStatus
from contests.models import ChannelChoice, Notification
from tests.factories import UserFactory
from tests.servers import HttpStandIn, answer_json

TOKEN = "zalo-test-token-7f3a"


class StandIn(HttpStandIn):
    """The ZNS template endpoint as its contract describes it: POST JSON with an `access_token`
    header; answers {"error": 0, "data": {"msg_id"}} or the error the test asks for (by phone)."""

    path = "/message/template"

    def __init__(self):
        self.requests: list[dict] = []
        self.errors: dict[str, int] = {}  # phone (84…) → ZNS error code
        self.http_status = 200
        self.garbage = False
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                problems = []
                if self.path != "/message/template":
                    problems.append("path")
                if self.headers.get("Content-Type") != "application/json":
                    problems.append("content-type")
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {}
                    problems.append("json")
                stand_in.requests.append({"token": self.headers.get("access_token"), "body": body, "problems": problems})
                if stand_in.http_status != 200:
                    self.send_response(stand_in.http_status)
                    self.end_headers()
                    return
                if self.headers.get("access_token") != TOKEN:
                    answer = {"error": -124, "message": "Access token is invalid"}
                elif problems or not re.fullmatch(r"84\d{9}", str(body.get("phone", ""))):
                    answer = {"error": -108, "message": "Phone number is invalid"}
                elif not isinstance(body.get("template_data"), dict) or not body.get("template_id"):
                    answer = {"error": -100, "message": "Invalid parameter"}
                elif body["phone"] in stand_in.errors:
                    answer = {"error": stand_in.errors[body["phone"]], "message": "refused"}
                else:
                    answer = {"error": 0, "message": "Success", "data": {"msg_id": f"m{len(stand_in.requests)}"}}
                data = b"<html>busy</html>" if stand_in.garbage else json.dumps(answer).encode()
                answer_json(self, data)

        super().__init__(Handler)


@pytest.fixture
def api(settings):
    with StandIn() as stand_in:
        settings.ZALO_BACKEND = "contests.zalo.HttpBackend"
        settings.ZALO_API_URL = stand_in.url
        settings.ZALO_ACCESS_TOKEN = TOKEN
        settings.ZALO_TIMEOUT = 5
        settings.ZALO_TEMPLATES = {"reminder": "301245", "unit_digest": "301246"}
        yield stand_in


# --- The backend against the contract -------------------------------------------------------------


def test_a_message_is_posted_in_the_contracts_shape(api):
    zalo.send_zalo(phone="0912345678", kind="reminder", name="Nguyễn Văn An", text="Nhắc  tham gia\ntuần 2", tracking_id="n7")

    [request] = api.requests
    assert request["problems"] == []
    assert request["token"] == TOKEN
    assert request["body"] == {
        "phone": "84912345678",
        "template_id": "301245",
        "template_data": {"name": "Nguyễn Văn An", "message": "Nhắc tham gia tuần 2"},
        "tracking_id": "n7",
    }


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (zalo.NOT_ON_ZALO, "no Zalo account"),
        (zalo.QUOTA_EXCEEDED, "quota"),
        (zalo.CANNOT_RECEIVE, "does not receive"),
        (-999, "refused"),
    ],
)
def test_an_error_the_api_answers_is_a_zalo_error_with_its_code(api, code, reason):
    api.errors["84912345678"] = code

    with pytest.raises(zalo.ZaloError) as caught:
        zalo.send_zalo(phone="0912345678", kind="reminder", name="A", text="x")

    assert caught.value.code == code
    assert reason in str(caught.value)


def test_an_expired_token_is_an_error_logged_for_the_operators(api, settings, caplog):
    settings.ZALO_ACCESS_TOKEN = "expired-token"

    with caplog.at_level(logging.ERROR, logger="contests.zalo"), pytest.raises(zalo.ZaloError) as caught:
        zalo.send_zalo(phone="0912345678", kind="reminder", name="A", text="x")

    assert caught.value.code == zalo.TOKEN_INVALID
    assert "renew ZALO_ACCESS_TOKEN" in caplog.text
    assert "0912345678" not in caplog.text and "84912345678" not in caplog.text


def test_an_http_error_and_an_answer_that_is_not_json_are_errors(api):
    api.http_status = 502
    with pytest.raises(zalo.ZaloError, match="HTTP 502"):
        zalo.send_zalo(phone="0912345678", kind="reminder", name="A", text="x")
    api.http_status, api.garbage = 200, True
    with pytest.raises(zalo.ZaloError, match="not its JSON"):
        zalo.send_zalo(phone="0912345678", kind="reminder", name="A", text="x")


def test_an_api_that_cannot_be_reached_is_an_error(api, settings):
    api.server.server_close()  # nothing listens on the port any more
    settings.ZALO_API_URL = "http://127.0.0.1:9/message/template"

    with pytest.raises(zalo.ZaloError, match="could not be reached"):
        zalo.send_zalo(phone="0912345678", kind="reminder", name="A", text="x")


def test_a_kind_without_a_template_and_a_landline_are_not_sent(api):
    with pytest.raises(zalo.ZaloError, match="No Zalo template"):
        zalo.send_zalo(phone="0912345678", kind="results", name="A", text="x")
    with pytest.raises(zalo.ZaloError) as caught:
        zalo.send_zalo(phone="02163851234", kind="reminder", name="A", text="x")
    assert caught.value.code == zalo.PHONE_INVALID
    assert api.requests == []


@pytest.mark.parametrize(
    ("phone", "expected"),
    [("0912345678", "84912345678"), ("0352000100", "84352000100"), (" 0862000100 ", "84862000100")],
)
def test_a_mobile_number_becomes_the_84_form(phone, expected):
    assert zalo.zalo_phone(phone) == expected


@pytest.mark.parametrize("phone", ["", "912345678", "84912345678", "02163851234", "09123456789", "09123a5678"])
def test_anything_else_is_not_a_zalo_number(phone):
    with pytest.raises(ValueError):
        zalo.zalo_phone(phone)


# --- Through the outbox: Zalo, else SMS ------------------------------------------------------------


def _person(channel: str = NotificationChannel.ZALO, **kwargs):
    user = UserFactory(phone="0912345678", phone_verified=True, **kwargs)
    if channel:
        ChannelChoice.objects.create(user=user, channel=channel)
    return user


def _remind(user, capture) -> Notification:
    context = {
        "unit_name": "Đảng bộ Cục Thuế tỉnh",
        "round_name": "Tuần 2",
        "contest_name": "Cuộc thi",
        "closes_at": timezone.now(),
        "url": "https://cuocthi.example.vn/quiz/rounds/2/",
    }
    with capture(execute=True):
        notifications.notify(user=user, kind=NotificationKind.REMINDER, key=f"reminder:t{user.pk}", context=context)
    return Notification.objects.get(recipient=user)


@pytest.mark.django_db
def test_a_person_who_chose_zalo_gets_it_by_zalo_and_no_sms(api, django_capture_on_commit_callbacks, sms_outbox):
    user = _person()

    row = _remind(user, django_capture_on_commit_callbacks)

    assert (row.channel, row.status, row.fallback) == ("zalo", NotificationStatus.SENT, "")
    assert len(api.requests) == 1 and api.requests[0]["body"]["tracking_id"] == f"n{row.pk}"
    assert "Tuần 2" in api.requests[0]["body"]["template_data"]["message"]
    assert sms_outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize("code", [zalo.NOT_ON_ZALO, zalo.QUOTA_EXCEEDED, zalo.TOKEN_INVALID])
def test_when_zalo_refuses_the_message_goes_by_sms(api, django_capture_on_commit_callbacks, sms_outbox, settings, code):
    if code == zalo.TOKEN_INVALID:
        settings.ZALO_ACCESS_TOKEN = "expired"
    else:
        api.errors["84912345678"] = code
    user = _person()

    row = _remind(user, django_capture_on_commit_callbacks)

    assert (row.channel, row.status) == ("sms", NotificationStatus.SENT)
    assert row.fallback.startswith(f"Zalo: Zalo error {code}")
    assert [m.to for m in sms_outbox] == ["0912345678"]


@pytest.mark.django_db
def test_without_zalo_configured_a_zalo_choice_is_sms_from_the_start(settings, django_capture_on_commit_callbacks, sms_outbox):
    settings.ZALO_BACKEND = ""
    user = _person()

    row = _remind(user, django_capture_on_commit_callbacks)

    assert (row.channel, row.fallback) == ("sms", "")
    assert len(sms_outbox) == 1
    assert "zalo" not in dict(notifications.channel_choices())


@pytest.mark.django_db
def test_an_unsubscribed_person_gets_no_reminder_whatever_their_channel(django_capture_on_commit_callbacks, zalo_outbox):
    user = _person()
    notifications.unsubscribe(user_id=user.pk, kind=NotificationKind.REMINDER)

    with django_capture_on_commit_callbacks(execute=True):
        written = notifications.notify(user=user, kind=NotificationKind.REMINDER, key="reminder:x", context={})

    assert written == 0 and zalo_outbox == []


# --- The one rule of channels -------------------------------------------------------------------

CHANNELS = ["", *NotificationChannel.values]


class _User:
    def __init__(self, *, email, phone, verified):
        self.pk, self.email, self.phone, self.phone_verified = 1, email, phone, verified


@hsettings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    email=st.sampled_from(["", "a@example.com"]),
    phone=st.sampled_from(["", "0912345678", "02163851234"]),
    verified=st.booleans(),
    kind=st.sampled_from(NotificationKind.values),
    choice=st.sampled_from(CHANNELS),
    zalo_on=st.booleans(),
)
def test_channels_follow_the_rule(settings, email, phone, verified, kind, choice, zalo_on):
    settings.ZALO_BACKEND = "contests.zalo.LocmemBackend" if zalo_on else ""
    settings.ZALO_TEMPLATES = {"reminder": "1", "unit_digest": "2", "prize_won": "3"}
    user = _User(email=email, phone=phone, verified=verified)

    out = notifications.channels_for(user=user, kind=kind, choice=choice)
    channels = [c for c, _a in out]

    assert len(channels) == len(set(channels))
    for channel, address in out:
        if channel == "email":
            assert address == email != ""
        else:  # SMS and Zalo only to a verified number; Zalo only when chosen and possible
            assert address == phone and verified
        if channel == "zalo":
            assert choice == "zalo" and zalo_on and kind in settings.ZALO_TEMPLATES and phone.startswith("09")
    if kind in notifications.ONE_CHANNEL:
        reachable = bool(email) or bool(phone and verified)
        assert len(out) == (1 if reachable else 0)
        if choice == "email" and email:
            assert channels == ["email"]
    else:
        assert ("sms" in channels or "zalo" in channels) <= (
            NotificationChannel.SMS in notifications.KIND_CHANNELS[kind]
            and not (choice == "email" and email and kind not in notifications.REQUIRED)
        )
        if kind in notifications.REQUIRED and phone.startswith("09") and verified:
            assert "sms" in channels or "zalo" in channels  # a service message reaches the phone whatever the choice
        if choice != "email" and email and NotificationChannel.EMAIL in notifications.KIND_CHANNELS[kind]:
            assert "email" in channels
    if choice == "zalo" and phone.startswith("09") and verified and not zalo_on and out:
        assert "zalo" not in channels  # not configured: SMS instead


# --- The choice on the profile page ---------------------------------------------------------------


def _profile_form(org, **overrides):
    data = {
        "full_name": "Trần Thị Bích Ngọc",
        "phone": "0987654321",
        "organization": str(org.pk),
        "position": "Chuyên viên",
        "is_party_member": "1",
    }
    return data | overrides


@pytest.mark.django_db
def test_the_profile_records_the_channel_and_shows_it_again(client):
    from tests.factories import OrganizationFactory

    user, org = UserFactory(), OrganizationFactory()
    client.force_login(user)

    assert client.post("/accounts/profile/", _profile_form(org, channel="zalo")).status_code == 302
    assert ChannelChoice.objects.get(user=user).channel == "zalo"
    html = client.get("/accounts/profile/").content.decode()
    assert re.search(r'<input type="radio" name="channel" value="zalo"[^>]* checked', html)
    client.post("/accounts/profile/", _profile_form(org, channel=""))
    assert not ChannelChoice.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_channel_that_is_not_offered_is_refused_with_a_message(client, settings):
    from tests.factories import OrganizationFactory

    settings.ZALO_BACKEND = ""
    user, org = UserFactory(), OrganizationFactory()
    client.force_login(user)

    response = client.post("/accounts/profile/", _profile_form(org, channel="zalo"))
    other = client.post("/accounts/profile/", _profile_form(org, channel="fax"))

    assert response.status_code == other.status_code == 200
    assert "Kênh nhận tin đã chọn không có; vui lòng chọn lại." in response.content.decode()
    assert not ChannelChoice.objects.exists()
    assert 'value="zalo"' not in client.get("/accounts/profile/").content.decode()

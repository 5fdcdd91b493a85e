"""Errors reach a Sentry-compatible server (here a receiver on 127.0.0.1 standing in for a
self-hosted GlitchTip) without a token, an e-mail address, a cookie or a body in them."""

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk
from django.test import Client

from operations.sentry import before_send, init_sentry
from tests.factories import contestant

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.operations.urls")]

SIGNED = ".eJxTKkktLlGyUlBKSU3OT0nNSy_KLQAAOcwGqw:1uabcd:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFG"


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        encoding = (self.headers.get("Content-Encoding") or "").lower()
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        type(self).bodies.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "0"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Receiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    init_sentry(dsn=f"http://publickey@127.0.0.1:{server.server_port}/1", environment="test", release="abc123")
    yield _Receiver.bodies
    sentry_sdk.flush(timeout=5)
    sentry_sdk.init(dsn=None)  # off again for the other tests
    server.shutdown()
    server.server_close()


def _events(bodies: list[bytes]) -> list[dict]:
    """The event items of the envelopes received (header line, then item header and payload)."""
    events = []
    for body in bodies:
        lines = body.split(b"\n")
        for i in range(1, len(lines) - 1):
            try:
                header = json.loads(lines[i])
            except ValueError:
                continue
            if isinstance(header, dict) and header.get("type") == "event":
                events.append(json.loads(lines[i + 1]))
    return events


def test_an_error_in_a_view_reaches_the_server_without_token_or_email(receiver):
    user = contestant(user__email="le.van.c@example.vn")
    client = Client(raise_request_exception=False)
    client.force_login(user)

    url = f"/test-ops/boom/?link=/awards/details/{SIGNED}/"
    response = client.post(url, {"password": "hunter2-Secret"}, headers={"X-Request-ID": "req-sentry-0001"})
    sentry_sdk.flush(timeout=5)

    assert response.status_code == 500
    assert sentry_sdk.get_client().should_send_default_pii() is False
    events = _events(receiver)
    assert len(events) == 1
    event = events[0]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert (event["environment"], event["release"]) == ("test", "abc123")
    assert event["tags"]["request_id"] == "req-sentry-0001"
    assert event["user"] == {"id": str(user.pk)}
    raw = b"".join(receiver).decode()
    for secret in (SIGNED, "le.van.c", "hunter2", "sessionid", "uabcd"):
        assert secret not in raw


def test_before_send_drops_bodies_cookies_and_personal_fields():
    event = {
        "request": {
            "url": f"https://cuocthi.example.vn/notifications/unsubscribe/{SIGNED}/",
            "data": {"password": "x"},
            "cookies": {"sessionid": "abc"},
            "query_string": "code=K7XW2P",
            "headers": {"Cookie": "sessionid=abc", "User-Agent": "Mozilla"},
        },
        "user": {"id": "7", "email": "a@b.vn", "ip_address": "10.0.0.1"},
        "message": "sent to 0912345678",
    }

    out = before_send(event, {})

    assert out["request"] == {
        "url": "https://cuocthi.example.vn/notifications/unsubscribe/[…]/",
        "query_string": "[…]",
        "headers": {"User-Agent": "Mozilla"},
    }
    assert (out["user"], out["message"]) == ({"id": "7"}, "sent to [phone]")

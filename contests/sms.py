"""Text messages (SMS) through a pluggable backend, chosen by the SMS_BACKEND setting.

- `contests.sms.ConsoleBackend` (development): writes each message to the log and to standard
  output, so a sign-in code can be read from the terminal of `make run`.
- `contests.sms.LocmemBackend` (tests): keeps each message in `contests.sms.outbox`.
- `contests.sms.GatewayBackend` (production): POSTs JSON to the HTTP gateway named by
  SMS_GATEWAY_URL with the bearer token SMS_GATEWAY_TOKEN and the sender (brand name)
  SMS_SENDER, with a timeout; any answer but 2xx is an error.

Every sender calls `send_sms`; a failure raises SmsError (the notification task records it and
retries; a sign-in code that cannot be sent is reported to the person)."""

import json
import logging
import sys
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from . import metrics

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The message could not be handed to the gateway."""


@dataclass(frozen=True)
class Sms:
    to: str
    body: str


# Sent messages, for tests (LocmemBackend). Cleared by the test fixtures.
outbox: list[Sms] = []


def unaccented(text: str) -> str:
    """Vietnamese without diacritics («Mã đăng nhập» → «Ma dang nhap»), so that a message stays in
    the GSM-7 alphabet: 160 characters a segment instead of 70 in UCS-2, and accepted by
    brand-name gateways that refuse Unicode. See docs/decisions.md."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class BaseBackend:
    def send(self, message: Sms) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Development only (check --deploy refuses it in production): the code is read from the
    terminal's standard output; the log line goes through the scrubber like every other."""

    def send(self, message: Sms) -> None:
        line = f"[SMS to {message.to}] {message.body}"
        logger.info(line)
        print(line, file=sys.stdout, flush=True)


class LocmemBackend(BaseBackend):
    def send(self, message: Sms) -> None:
        outbox.append(message)


class FailingBackend(BaseBackend):
    """Refuses every message: for tests of retries and of what a person sees when a gateway is down."""

    def send(self, message: Sms) -> None:
        raise SmsError("The SMS gateway is unavailable (FailingBackend).")


class GatewayBackend(BaseBackend):
    """An HTTP SMS gateway: POST {"to", "from", "text"} as JSON, Authorization: Bearer <token>."""

    def __init__(self):
        self.url = settings.SMS_GATEWAY_URL
        self.token = settings.SMS_GATEWAY_TOKEN
        self.sender = settings.SMS_SENDER
        self.timeout = settings.SMS_GATEWAY_TIMEOUT
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set.")

    def send(self, message: Sms) -> None:
        payload = json.dumps({"to": message.to, "from": self.sender, "text": message.body}).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting, https expected
            self.url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsError(f"The SMS gateway answered {exc.code}.") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsError(f"The SMS gateway could not be reached: {exc}.") from exc
        if not 200 <= status < 300:
            raise SmsError(f"The SMS gateway answered {status}.")


def get_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def sms_text(body: str) -> str:
    """The text as it goes out: one line of whitespace, unaccented when SMS_UNACCENTED is on."""
    body = " ".join(body.split())
    return unaccented(body) if settings.SMS_UNACCENTED else body


def send_sms(*, to: str, body: str) -> None:
    """Send one text message now (raises SmsError, counted in contest_sms_failures_total).
    Neither the body nor the number is ever logged here: the body may hold a sign-in code."""
    try:
        get_backend().send(Sms(to=to, body=sms_text(body)))
    except SmsError:
        metrics.SMS_FAILURES.inc()
        raise

"""Messages by Zalo (Zalo Notification Service, ZNS) through a pluggable backend, chosen by the
ZALO_BACKEND setting (empty: no Zalo; a person who chose it gets SMS).

- `contests.zalo.ConsoleBackend` (development): writes each message to the log and to standard
  output, like the SMS console.
- `contests.zalo.LocmemBackend` (tests): keeps each message in `contests.zalo.outbox`.
- `contests.zalo.HttpBackend` (production): the ZNS template message contract — POST JSON
  `{"phone": "84xxxxxxxxx", "template_id", "template_data", "tracking_id"}` to ZALO_API_URL with
  the header `access_token` (the renewed token, contests.zalo_token, else ZALO_ACCESS_TOKEN); the
  answer is JSON `{"error": 0, "message", "data": {"msg_id"}}`, any other `error` a failure
  (ZaloError with its code).

ZNS sends only approved templates, never free text: each kind of notification that may go by
Zalo has a template (ZALO_TEMPLATES, `kind=template_id`) with two parameters, `name` (the
person's name) and `message` (the text that would go by SMS). A kind without a template, a number
that is not a mobile number, and every failure the API answers (token expired, the official
account's daily quota used up, a number not on Zalo …) fall back to SMS
(contests.notifications._deliver): the message reaches the person either way."""

import json
import logging
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from . import metrics

logger = logging.getLogger(__name__)

# The ZNS error codes the log names (the API's table); every non-zero code is a failure.
TOKEN_INVALID = -124
PHONE_INVALID = -108
NOT_ON_ZALO = -118
CANNOT_RECEIVE = -119
QUOTA_EXCEEDED = -144
REASONS = {
    TOKEN_INVALID: "access token invalid or expired",
    PHONE_INVALID: "phone number invalid",
    NOT_ON_ZALO: "no Zalo account for this number",
    CANNOT_RECEIVE: "this account does not receive ZNS",
    QUOTA_EXCEEDED: "the official account's daily quota is used up",
}
NAME_MAX = 30  # ZNS caps a parameter's length; a name is cut here, the text at MESSAGE_MAX
MESSAGE_MAX = 400


class ZaloError(Exception):
    """The message could not be sent by Zalo; `code` is the API's error code (0: no answer)."""

    def __init__(self, message: str, *, code: int = 0):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ZaloMessage:
    phone: str  # 84xxxxxxxxx
    template_id: str
    template_data: dict = field(default_factory=dict)
    tracking_id: str = ""


outbox: list[ZaloMessage] = []  # LocmemBackend; cleared by the test fixtures


def zalo_phone(phone: str) -> str:
    """0912345678 → 84912345678 (the form ZNS takes); ValueError for anything else."""
    digits = (phone or "").strip()
    if len(digits) == 10 and digits.isdigit() and digits.startswith("0") and digits[1] in "35789":
        return "84" + digits[1:]
    raise ValueError("Not a Vietnamese mobile number.")


class BaseBackend:
    def send(self, message: ZaloMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Development only (check --deploy refuses it in production)."""

    def send(self, message: ZaloMessage) -> None:
        line = (
            f"[Zalo to {message.phone}] template {message.template_id}: {json.dumps(message.template_data, ensure_ascii=False)}"
        )
        logger.info(line)
        print(line, file=sys.stdout, flush=True)


class LocmemBackend(BaseBackend):
    def send(self, message: ZaloMessage) -> None:
        outbox.append(message)


class HttpBackend(BaseBackend):
    """The ZNS HTTP API (module docstring)."""

    def __init__(self):
        from .zalo_token import current_access_token

        self.url = settings.ZALO_API_URL
        self.token = current_access_token()
        self.timeout = settings.ZALO_TIMEOUT
        if not (self.url and self.token):
            raise ZaloError("ZALO_API_URL or an access token (ZALO_ACCESS_TOKEN, or a renewed one) is not set.")

    def send(self, message: ZaloMessage) -> None:
        payload = {
            "phone": message.phone,
            "template_id": message.template_id,
            "template_data": message.template_data,
            "tracking_id": message.tracking_id,
        }
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting, https expected
            self.url,
            data=json.dumps(payload, ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "access_token": self.token},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise ZaloError(f"The Zalo API answered HTTP {exc.code}.") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ZaloError(f"The Zalo API could not be reached: {exc}.") from exc
        try:
            answer = json.loads(raw)
            code = int(answer.get("error", -1))
        except (ValueError, TypeError, AttributeError) as exc:
            raise ZaloError("The Zalo API answered something that is not its JSON.") from exc
        if code != 0:
            reason = REASONS.get(code) or str(answer.get("message") or "")[:200]
            raise ZaloError(f"Zalo error {code}: {reason}", code=code)


def zalo_enabled() -> bool:
    return bool(settings.ZALO_BACKEND)


def template_for(kind: str) -> str:
    """The ZNS template of a kind of notification ("" when it has none: it goes by SMS)."""
    return settings.ZALO_TEMPLATES.get(kind, "")


def zalo_possible(*, kind: str, phone: str | None) -> bool:
    """Whether a message of this kind can be tried by Zalo to this number."""
    if not (zalo_enabled() and template_for(kind) and phone):
        return False
    try:
        zalo_phone(phone)
    except ValueError:
        return False
    return True


def get_backend() -> BaseBackend:
    return import_string(settings.ZALO_BACKEND)()


def send_zalo(*, phone: str, kind: str, name: str, text: str, tracking_id: str = "") -> None:
    """Send one message by Zalo now, or raise ZaloError (counted in contest_zalo_failures_total;
    a token the API refuses is logged as an error: the operators must renew it). Neither the text
    nor the number is logged here."""
    if not zalo_enabled():
        raise ZaloError("Zalo is not configured (ZALO_BACKEND is empty).")
    template_id = template_for(kind)
    if not template_id:
        raise ZaloError(f"No Zalo template for {kind} (ZALO_TEMPLATES).")
    try:
        message = ZaloMessage(
            phone=zalo_phone(phone),
            template_id=template_id,
            template_data={"name": (name or "")[:NAME_MAX], "message": " ".join(text.split())[:MESSAGE_MAX]},
            tracking_id=tracking_id,
        )
    except ValueError as exc:
        raise ZaloError(str(exc), code=PHONE_INVALID) from exc
    try:
        get_backend().send(message)
    except ZaloError as exc:
        metrics.ZALO_FAILURES.inc()
        if exc.code == TOKEN_INVALID:
            from .zalo_token import renewal_asked

            if renewal_asked():
                logger.warning("The Zalo access token is refused: a renewal is queued (messages go by SMS meanwhile).")
            else:
                logger.error(
                    "The Zalo access token is refused: renew ZALO_ACCESS_TOKEN (docs/operations.md, «Zalo»); SMS meanwhile."
                )
        raise

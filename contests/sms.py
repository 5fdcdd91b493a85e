"""Text messages (SMS) through a pluggable backend, chosen by the SMS_BACKEND setting.

- `contests.sms.ConsoleBackend` (development): writes each message to the log and to standard
  output, so a sign-in code can be read from the terminal of `make run`.
- `contests.sms.LocmemBackend` (tests): keeps each message in `contests.sms.outbox`.
- `contests.sms.GatewayBackend` (production): POSTs JSON to the HTTP gateway named by
  SMS_GATEWAY_URL with the bearer token SMS_GATEWAY_TOKEN and the sender (brand name)
  SMS_SENDER, with a timeout; any answer but 2xx is an error.

Every sender calls `send_sms`; a failure raises SmsError (the notification task records it and
retries; a sign-in code that cannot be sent is reported to the person).

The ceiling (docs/security.md, "SMS abuse"): every message is counted here, atomically in the
cache, against SMS_MAX_PER_HOUR and SMS_MAX_PER_DAY (fixed windows, Vietnam time). Over the
ceiling nothing is sent: SmsCeilingReached, which the site answers with the 429 page and the
notification queue answers by waiting for the next window. Bulk messages (notifications) stop at
BULK_SHARE of each window, so sign-in and sign-up codes keep the rest. Crossing ALERT_SHARE, and
reaching the ceiling, are logged and mailed to the organizers once per window. A cache that cannot
count fails closed: no SMS (a pumper gains from an uncounted gateway; a person waits a minute).
The cache fails open for everything else (contests.redis_cache): here it is read through
`strict_cache()`, which raises on a Redis error."""

import json
import logging
import sys
import unicodedata
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import mail_admins, send_mail
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import metrics
from .redis_cache import strict_cache

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The message could not be handed to the gateway."""


class SmsCeilingReached(SmsError):
    """The site-wide ceiling of the hour or the day is reached: nothing was sent. `retry_at` is when
    the full window ends."""

    def __init__(self, *, window: str, retry_at: datetime):
        super().__init__(f"The SMS ceiling of the {window} is reached; nothing sent until {retry_at.isoformat()}.")
        self.window = window
        self.retry_at = retry_at


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


# --- The site-wide ceiling ----------------------------------------------------------------------

ALERT_SHARE = 0.8  # the organizers are told once per window when this share is used
BULK_SHARE = 0.8  # notifications stop here; the rest of the window is kept for sign-in codes


@dataclass(frozen=True)
class _Window:
    name: str  # "hour" or "day"
    key: str
    limit: int
    ends_at: datetime
    timeout: int  # the counter outlives its window a little, never less than a minute

    def cap(self, *, bulk: bool) -> int:
        return int(self.limit * BULK_SHARE) if bulk else self.limit


def _windows(now: datetime | None = None) -> list[_Window]:
    local = timezone.localtime(now or timezone.now())
    hour = local.replace(minute=0, second=0, microsecond=0)
    day = hour.replace(hour=0)
    windows = []
    for name, start, length, limit in (
        ("hour", hour, timedelta(hours=1), settings.SMS_MAX_PER_HOUR),
        ("day", day, timedelta(days=1), settings.SMS_MAX_PER_DAY),
    ):
        ends_at = start + length
        timeout = max(int((ends_at - local).total_seconds()) + 120, 60)
        windows.append(_Window(name, f"sms:ceiling:{name}:{start:%Y%m%d%H}", limit, ends_at, timeout))
    return windows


def _take(window: _Window) -> int:
    """One more message in the window; the new count (atomic: SET NX, then INCR)."""
    for _attempt in range(2):
        strict_cache().add(window.key, 0, timeout=window.timeout)
        try:
            count = strict_cache().incr(window.key)
        except ValueError:  # the key expired between add and incr: add it again
            continue
        if not isinstance(count, int):  # a cache that swallowed the error: not counted
            raise SmsError("The SMS ceiling could not be counted.")
        return count
    raise SmsError("The SMS ceiling could not be counted.")


def _alert_once(window: _Window, *, level: str, count: int) -> None:
    """Log and mail the organizers (SMS_ALERT_EMAILS and the ADMINS), once per window and level,
    in Vietnamese whatever the language of the request that crossed the line."""
    if not strict_cache().add(f"{window.key}:alert:{level}", 1, timeout=window.timeout):
        return
    with translation.override(settings.LANGUAGE_CODE):
        _alert_send(window, level=level, count=count)


def _alert_send(window: _Window, *, level: str, count: int) -> None:
    until = timezone.localtime(window.ends_at).strftime("%H:%M %d/%m/%Y")
    figures = {"count": count, "limit": window.limit, "until": until}
    if level == "near":
        logger.warning("SMS ceiling of the %s: %s of %s sent (until %s).", window.name, count, window.limit, until)
        subject = (_("Sắp chạm trần tin nhắn SMS trong giờ") if window.name == "hour"
                   else _("Sắp chạm trần tin nhắn SMS trong ngày"))  # fmt: skip
        body = (
            _(
                "Hệ thống đã gửi %(count)d trên tối đa %(limit)d tin nhắn SMS được phép (đến %(until)s). "
                "Khi chạm trần, mã đăng nhập và mã đăng ký qua SMS sẽ tạm dừng đến hết khung thời gian. "
                "Nếu đây là lượt đăng ký bình thường, hãy nâng SMS_MAX_PER_HOUR / SMS_MAX_PER_DAY; "
                "nếu không, có thể ai đó đang lạm dụng việc gửi tin nhắn."
            )
            % figures
        )
    else:
        logger.error("SMS ceiling of the %s reached: %s (until %s); no SMS is sent.", window.name, window.limit, until)
        subject = (_("Đã chạm trần tin nhắn SMS trong giờ") if window.name == "hour"
                   else _("Đã chạm trần tin nhắn SMS trong ngày"))  # fmt: skip
        body = (
            _(
                "Hệ thống đã gửi đủ %(limit)d tin nhắn SMS được phép; không gửi thêm tin nhắn nào đến %(until)s. "
                "Người đăng nhập, đăng ký bằng mã SMS được báo thử lại sau; thông báo qua SMS chờ đến khung sau."
            )
            % figures
        )
    recipients = [address for address in settings.SMS_ALERT_EMAILS if address]
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
    mail_admins(subject, body, fail_silently=True)


def sms_ceiling_take(*, bulk: bool = False, now: datetime | None = None) -> None:
    """Count one message against the hour's and the day's ceiling, or raise SmsCeilingReached (and
    count nothing). A cache that cannot count raises SmsError: fail closed."""
    taken: list[_Window] = []
    try:
        for window in _windows(now):
            count = _take(window)
            taken.append(window)
            if count > window.cap(bulk=bulk):
                for done in taken:
                    strict_cache().decr(done.key)
                if not bulk:
                    _alert_once(window, level="reached", count=window.limit)
                raise SmsCeilingReached(window=window.name, retry_at=window.ends_at)
            if count >= window.limit * ALERT_SHARE:
                _alert_once(window, level="near", count=count)
    except SmsError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the cache raises: nothing is sent uncounted
        logger.error("The SMS ceiling cannot be counted (%s: %s); no SMS sent.", type(exc).__name__, exc)
        raise SmsError("The SMS ceiling cannot be counted; nothing sent.") from exc


def sms_ceiling_check(*, now: datetime | None = None) -> None:
    """Raise SmsCeilingReached when the next code would be refused, without counting one: for the
    answers that must look like a sent code (no account behind the number) and before a sign-up
    creates an account it could not verify."""
    try:
        windows = [(window, strict_cache().get(window.key) or 0) for window in _windows(now)]
    except Exception as exc:  # noqa: BLE001 - as in sms_ceiling_take: fail closed
        logger.error("The SMS ceiling cannot be read (%s: %s).", type(exc).__name__, exc)
        raise SmsError("The SMS ceiling cannot be read.") from exc
    for window, count in windows:
        if count >= window.limit:
            raise SmsCeilingReached(window=window.name, retry_at=window.ends_at)


def send_sms(*, to: str, body: str, bulk: bool = False) -> None:
    """Send one text message now, within the site-wide ceiling (raises SmsCeilingReached over it,
    SmsError on any other failure, counted in contest_sms_failures_total). `bulk`: a notification,
    which stops at BULK_SHARE. Neither the body nor the number is ever logged here: the body may
    hold a sign-in code."""
    sms_ceiling_take(bulk=bulk)
    try:
        get_backend().send(Sms(to=to, body=sms_text(body)))
    except SmsError:
        metrics.SMS_FAILURES.inc()
        raise

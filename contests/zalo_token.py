"""The Zalo official account's access token, renewed before it expires.

A ZNS access token lives about 25 hours; it is renewed with the app's secret and a refresh token
(POST ZALO_OAUTH_URL, form `refresh_token`, `app_id`, `grant_type=refresh_token`, header
`secret_key`; the answer is JSON `{"access_token", "refresh_token", "expires_in"}`), and each
refresh token is good once: the answer's refresh token replaces it. So:

    beat, every ZALO_RENEW_MINUTES ─ token_renew: under the row's lock (two workers never spend
        one refresh token twice), when the stored token expires within RENEW_BEFORE (or none is
        stored yet: the first refresh token comes from ZALO_REFRESH_TOKEN), renew and store the
        new pair, sealed (contests.models.ZaloToken)
    a message refused for its token (-124) ─ the renewal is asked at once (at most every
        FORCED_EVERY), the message itself goes by SMS meanwhile (contests.notifications)
    contests.zalo.HttpBackend ─ current_access_token: the stored one while it holds, else
        ZALO_ACCESS_TOKEN

Without ZALO_APP_ID and ZALO_APP_SECRET nothing is renewed: ZALO_ACCESS_TOKEN is used until it
expires (`check --deploy` says so). A renewal refused (a refresh token already spent, revoked,
older than three months) is logged as an error with what to do: a new refresh token from the
official account's console in ZALO_REFRESH_TOKEN, then `python manage.py renew_zalo_token
--from-environment`."""

import base64
import datetime
import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ZaloToken

logger = logging.getLogger(__name__)

RENEW_BEFORE = datetime.timedelta(hours=3)
FORCED_EVERY = 300  # seconds between renewals asked by refused messages
ROW = 1


class RenewalError(Exception):
    pass


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"contests.zalo_token:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def _open(sealed: str) -> str:
    return _fernet().decrypt(sealed.encode()).decode() if sealed else ""


def renewal_configured() -> bool:
    return bool(settings.ZALO_APP_ID and settings.ZALO_APP_SECRET)


def current_access_token(*, now: datetime.datetime | None = None) -> str:
    """The stored access token while it has not expired, else ZALO_ACCESS_TOKEN (nothing is
    stored, so nothing is read, where nothing renews)."""
    if not renewal_configured():
        return settings.ZALO_ACCESS_TOKEN
    now = now or timezone.now()
    row = ZaloToken.objects.filter(pk=ROW).first()
    if row is not None and row.access_sealed and row.expires_at and row.expires_at > now:
        try:
            return _open(row.access_sealed)
        except InvalidToken:
            logger.error("The stored Zalo token cannot be opened (DJANGO_SECRET_KEY changed?): using ZALO_ACCESS_TOKEN.")
    return settings.ZALO_ACCESS_TOKEN


def _refresh_call(refresh_token: str) -> tuple[str, str, int]:
    body = urllib.parse.urlencode(
        {"refresh_token": refresh_token, "app_id": settings.ZALO_APP_ID, "grant_type": "refresh_token"}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting, https expected
        settings.ZALO_OAUTH_URL,
        data=body,
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "secret_key": settings.ZALO_APP_SECRET},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ZALO_TIMEOUT) as response:  # noqa: S310
            answer = json.loads(response.read(65536))
    except urllib.error.HTTPError as exc:
        raise RenewalError(f"the OAuth server answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise RenewalError(f"the OAuth server could not be reached: {exc}") from exc
    except ValueError as exc:
        raise RenewalError("the OAuth server answered something that is not JSON") from exc
    try:
        access, refresh, seconds = str(answer["access_token"]), str(answer["refresh_token"]), int(answer["expires_in"])
    except (KeyError, TypeError, ValueError) as exc:
        error = answer.get("error") if isinstance(answer, dict) else None
        name = answer.get("error_name") or answer.get("message") if isinstance(answer, dict) else ""
        raise RenewalError(f"the renewal was refused (error {error}: {str(name or '')[:120]})") from exc
    if not (access and refresh and seconds > 0):
        raise RenewalError("the renewal answered an empty token")
    return access, refresh, seconds


def _row_locked() -> ZaloToken:
    try:
        with transaction.atomic():
            ZaloToken.objects.get_or_create(pk=ROW)
    except IntegrityError:  # made by another worker at the same moment
        pass
    return ZaloToken.objects.select_for_update().get(pk=ROW)


def token_renew(*, force: bool = False, from_environment: bool = False, now: datetime.datetime | None = None) -> bool:
    """Renew the access token when it expires within RENEW_BEFORE, or now (`force`), with the
    stored refresh token (or ZALO_REFRESH_TOKEN: none stored yet, or `from_environment`, a new
    one the operator took from the console); True when renewed. Logs an error and returns False
    when the renewal is refused or unanswered (the stored pair is kept)."""
    if not renewal_configured():
        return False
    now = now or timezone.now()
    with transaction.atomic():
        row = _row_locked()
        if not force and row.access_sealed and row.expires_at and row.expires_at - now > RENEW_BEFORE:
            return False
        try:
            refresh = "" if from_environment else _open(row.refresh_sealed)
        except InvalidToken:
            refresh = ""
        refresh = refresh or settings.ZALO_REFRESH_TOKEN
        if not refresh:
            logger.error("No Zalo refresh token: set ZALO_REFRESH_TOKEN from the official account's console.")
            return False
        try:
            access, new_refresh, seconds = _refresh_call(refresh)
        except RenewalError as exc:
            row.failures += 1
            row.save(update_fields=["failures"])
            logger.error(
                "The Zalo token could not be renewed (%s). Messages go by SMS once it expires. If the refresh token "
                "was spent or revoked: a new one from the official account's console in ZALO_REFRESH_TOKEN, then "
                "`python manage.py renew_zalo_token --from-environment`.",
                exc,
            )
            return False
        row.access_sealed, row.refresh_sealed = _seal(access), _seal(new_refresh)
        row.expires_at, row.renewed_at, row.failures = now + datetime.timedelta(seconds=seconds), now, 0
        row.save()
    logger.info("The Zalo access token was renewed; it holds until %s.", row.expires_at.isoformat())
    return True


def renewal_asked() -> bool:
    """After a message refused for its token: queue a forced renewal, at most every FORCED_EVERY
    seconds whatever the number of refused messages. Whether one was queued."""
    if not renewal_configured() or not cache.add("contests:zalo-renew-asked", 1, FORCED_EVERY):
        return False
    from .tasks import renew_zalo_token

    transaction.on_commit(lambda: renew_zalo_token.delay(force=True))
    return True

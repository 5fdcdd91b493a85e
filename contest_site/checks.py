"""Production fails closed: `manage.py check --deploy` reports an error (not a warning) for every
setting that would quietly weaken a real deployment. Run before every start (docs/operations.md);
docker-compose's `migrate` service runs it first, so a stack with such a setting never serves.

- SMS, Zalo and e-mail that go to the log or to memory: sign-in codes, password-reset links,
  invitations and reminders would be readable by anyone who reads the log — and never reach the
  person. The Zalo API without its URL, token or any template.
- `SITE_URL` on a loopback or private host, or plain http while HTTPS is on: it goes into SMS,
  e-mails and the QR code of every certificate.
- No `WINNER_DETAILS_KEYS` (the citizen IDs and bank accounts would be encrypted with a key derived
  from SECRET_KEY, lost at its rotation), or a key that is not a Fernet key.
- No `REDIS_URL` (nor `CACHE_REDIS_URL`): rate limits and the site-wide SMS ceiling would count per process.
- A placeholder secret copied from `.env.example` (`change-me`) or the development secret key.

Only with DEBUG off: development and the test suite keep their console and memory backends. A
trial install (CONTEST_TRIAL=1: docker compose on one's own machine with .env.example as it is)
gets the same findings as warnings (contest.W0NN), and every page carries a banner saying so."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

# What .env.example and the development settings put where a secret belongs.
PLACEHOLDERS = ("change-me", "changeme", "dev-only-insecure-key")
LOG_OR_MEMORY_SMS = {"contests.sms.ConsoleBackend", "contests.sms.LocmemBackend"}
LOG_OR_MEMORY_ZALO = {"contests.zalo.ConsoleBackend", "contests.zalo.LocmemBackend"}
LOG_OR_MEMORY_EMAIL = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def _is_placeholder(value) -> bool:
    text = str(value or "").lower()
    return any(p in text for p in PLACEHOLDERS)


def _local_host(host: str) -> bool:
    if host in {"localhost", ""} or host.endswith(".localhost") or host.endswith(".local"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_link_local


def site_url_problems(site_url: str, *, https: bool) -> list[str]:
    parts = urlsplit(site_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [f"SITE_URL={site_url!r} is not an http(s) address."]
    problems = []
    if _local_host(parts.hostname):
        problems.append(f"SITE_URL={site_url!r} points at this machine: links in SMS, e-mails and QR codes would not work.")
    if https and parts.scheme != "https":
        problems.append(f"SITE_URL={site_url!r} is plain http while DJANGO_HTTPS is on.")
    return problems


def _fernet_key_ok(key: str) -> bool:
    from cryptography.fernet import Fernet

    try:
        Fernet(key.strip().encode())
    except (ValueError, TypeError):
        return False
    return True


def _database_passwords() -> list[tuple[str, str]]:
    return [(alias, str(db.get("PASSWORD") or "")) for alias, db in settings.DATABASES.items()]


def object_storage_problem() -> str | None:
    """With the private files in a bucket, a plain-http endpoint on another machine would carry
    attachments and the signed requests in the clear."""
    if not settings.OBJECT_STORAGE_BUCKET or not settings.OBJECT_STORAGE_ENDPOINT:
        return None
    parts = urlsplit(settings.OBJECT_STORAGE_ENDPOINT)
    if parts.scheme == "https" or (parts.scheme == "http" and _local_host(parts.hostname or "")):
        return None
    return (f"OBJECT_STORAGE_ENDPOINT={settings.OBJECT_STORAGE_ENDPOINT!r} is not https: private files would "
            "cross the network in the clear.")  # fmt: skip


@register(Tags.security, deploy=True)
def fail_open_settings(app_configs=None, **kwargs) -> list[Error | Warning]:
    if settings.DEBUG:
        return []
    errors: list[Error | Warning] = []
    level, letter = (Warning, "W") if settings.TRIAL_INSTALL else (Error, "E")

    def error(id_: int, msg: str, hint: str) -> None:
        errors.append(level(msg, hint=hint, id=f"contest.{letter}{id_:03d}"))

    if settings.SMS_BACKEND in LOG_OR_MEMORY_SMS:
        error(1, f"SMS_BACKEND={settings.SMS_BACKEND} writes sign-in codes to the log or to memory.",
              "Set SMS_BACKEND=contests.sms.GatewayBackend with SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN.")  # fmt: skip
    elif settings.SMS_BACKEND == "contests.sms.GatewayBackend" and not (settings.SMS_GATEWAY_URL and settings.SMS_GATEWAY_TOKEN):
        error(2, "The SMS gateway has no SMS_GATEWAY_URL or SMS_GATEWAY_TOKEN.", "Set both from the gateway's contract.")
    if settings.ZALO_BACKEND in LOG_OR_MEMORY_ZALO:
        error(21, f"ZALO_BACKEND={settings.ZALO_BACKEND} writes messages to the log or to memory.",
              "Set ZALO_BACKEND=contests.zalo.HttpBackend with ZALO_ACCESS_TOKEN and ZALO_TEMPLATES, "
              "or leave it empty.")  # fmt: skip
    elif settings.ZALO_BACKEND == "contests.zalo.HttpBackend":
        if not (
            settings.ZALO_API_URL and (settings.ZALO_ACCESS_TOKEN or settings.ZALO_REFRESH_TOKEN) and settings.ZALO_TEMPLATES
        ):
            error(22, "The Zalo API has no ZALO_API_URL, token (ZALO_ACCESS_TOKEN or ZALO_REFRESH_TOKEN) or ZALO_TEMPLATES.",
                  "Set them from the official account.")  # fmt: skip
        if not (settings.ZALO_APP_ID and settings.ZALO_APP_SECRET):
            error(23, "Nothing renews the Zalo access token (ZALO_APP_ID, ZALO_APP_SECRET unset): it expires within a "
                  "day and every Zalo message then goes by SMS.",
                  "Set them and ZALO_REFRESH_TOKEN (docs/operations.md, «Zalo»).")  # fmt: skip
    if settings.EMAIL_BACKEND in LOG_OR_MEMORY_EMAIL:
        error(3, f"DJANGO_EMAIL_BACKEND={settings.EMAIL_BACKEND} writes password-reset links and invitations to the log.",
              "Set DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.")  # fmt: skip
    for number, problem in enumerate(site_url_problems(settings.SITE_URL, https=settings.HTTPS)):
        error(4 + number, problem, "Set SITE_URL to the public https address, e.g. https://cuocthi.example.vn.")
    keys = [k for k in settings.WINNER_DETAILS_KEYS if k.strip()]
    if not keys:
        error(6, "WINNER_DETAILS_KEYS is empty: winners' ID and bank details would be encrypted with a key derived from "
              "DJANGO_SECRET_KEY and lost when it rotates.", "Generate a Fernet key (README, Configuration).")  # fmt: skip
    elif not all(_fernet_key_ok(k) for k in keys):
        error(7, "A key in WINNER_DETAILS_KEYS is not a Fernet key (32 url-safe base64 bytes).", "Generate one (README).")
    if not (settings.CACHE_REDIS_URL or settings.CACHE_REDIS_SENTINELS):
        error(9, "REDIS_URL (or CACHE_REDIS_URL) is unset: rate limits and the SMS ceiling would count in each "
              "process's memory, so every process allows the whole limit again.",
              "Set REDIS_URL (docker compose does).")  # fmt: skip
    if problem := object_storage_problem():
        error(20, problem, "Use the storage's https address in OBJECT_STORAGE_ENDPOINT (docs/operations.md).")
    secrets = {
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "SMS_GATEWAY_TOKEN": settings.SMS_GATEWAY_TOKEN,
        "ZALO_ACCESS_TOKEN": settings.ZALO_ACCESS_TOKEN,
        "ZALO_APP_SECRET": settings.ZALO_APP_SECRET,
        "ZALO_REFRESH_TOKEN": settings.ZALO_REFRESH_TOKEN,
        "EMAIL_HOST_PASSWORD": settings.EMAIL_HOST_PASSWORD,
        "OBJECT_STORAGE_SECRET_KEY": settings.OBJECT_STORAGE_SECRET_KEY if settings.OBJECT_STORAGE_BUCKET else "",
        **{f"DATABASE_URL ({alias})": password for alias, password in _database_passwords()},
        **{f"DJANGO_SECRET_KEY_FALLBACKS[{i}]": key for i, key in enumerate(settings.SECRET_KEY_FALLBACKS)},
    }
    for name, value in secrets.items():
        if _is_placeholder(value):
            error(8, f"{name} is still the placeholder from .env.example or the development default.",
                  "Replace it with a long random value (docs/operations.md, Secrets).")  # fmt: skip
    return errors

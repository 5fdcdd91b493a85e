"""Settings for the contest platform: one module, read from the environment.

Every variable has an embedded development default (SQLite, no Redis, eager Celery)
except the production secrets, which must be given when DJANGO_DEBUG is off.
See .env.example for the full list.
"""

import ipaddress
import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from contest_site import redis_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_bool(name: str, default: bool) -> bool:
    """A strict boolean: a typo such as DJANGO_DEBUG=ture is an error, not False."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}.")


DEBUG = env_bool("DJANGO_DEBUG", True)
# A trial install on one's own machine (docker compose with .env.example as it is): production
# settings, but SMS and e-mail may go to the log and SITE_URL may be localhost — check --deploy
# warns instead of failing (contest_site/checks.py) and every page says it is a trial.
TRIAL_INSTALL = env_bool("CONTEST_TRIAL", False)
# Under pytest: eager Celery, a fast password hasher.
TESTING = env_bool("DJANGO_TESTING", "pytest" in sys.modules)

if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
else:
    # No defaults in production: a missing secret must stop the server, not weaken it.
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# Rotation (docs/operations.md): the new key in DJANGO_SECRET_KEY, the old one here until every
# session and signed link made with it has expired; nobody is logged out meanwhile.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Proxies (addresses or networks) whose X-Forwarded-For is believed: see accounts/net.py.
# Empty: the connection's own address is the client's, and the header is ignored.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {_proxy!r} is not an address or a network.") from exc

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "csp",
    # django-rules: imports every app's rules.py (the predicates and the named permissions) and
    # gives the templates {% load rules %} / {% has_perm %}.
    "rules.apps.AutodiscoverRulesConfig",
    "accounts",
    "contests",
    "quiz",
    "essays",
    "reports",
    "audit",  # before awards: the personal data export lists the integrity review first, as before
    "awards",
    "privacy",
    "django_celery_beat",
    "operations",  # after django_celery_beat: operations.admin takes the beat's tables out of the admin
]

MIDDLEWARE = [
    # First: the request id, the view and user ids for the logs and Sentry, the latency metrics.
    "operations.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "contests.middleware.PermissionsPolicyMiddleware",
    "contests.middleware.CSPMiddleware",  # django-csp's, with the site's policy built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The autosave with the attempt page's token is answered here, before the session, the user
    # and the CSRF check are loaded: the busiest request does one HMAC and one UPDATE (quiz/autosave.py).
    "quiz.autosave.AutosaveMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "contests.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before any view reads the body; after authentication so the 413 page has the usual header.
    "contests.middleware.RequestSizeLimitMiddleware",
    "contests.middleware.NulCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "contests.middleware.ContestReadOnlyMiddleware",
    "contests.middleware.RateLimitedMiddleware",
    # A database restart or failover: a 503 page saying nothing is lost, never a 500.
    "contests.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "contest_site.urls"
WSGI_APPLICATION = "contest_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Persistent connections: reconnecting on every request halves throughput under load.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator() outside a
    # transaction) may be fetched from another server connection than the one that declared it:
    # DJANGO_DISABLE_SERVER_SIDE_CURSORS=1 there (docs/operations.md, "Connection budget").
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DJANGO_DISABLE_SERVER_SIDE_CURSORS", default=False)
# A streaming read replica (docs/operations.md, "Read replica"): unset, there is no `replica`
# alias and every query goes to `default`, as on one machine. Set, the router
# (contest_site/db_router.py) sends it only the reads of code inside `reading_from_replica()`
# (reports, exports, /stats/, item analysis, verify_results), and only while its replay lag is
# under DATABASE_REPLICA_MAX_LAG seconds; otherwise those reads go to `default` too. Tests create
# no database for it: it mirrors `default`.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    for _key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS"):
        if _key in DATABASES["default"]:
            DATABASES["replica"][_key] = DATABASES["default"][_key]
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        # A replica that does not answer costs a report seconds, not the TCP timeout.
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=5.0)
DATABASE_ROUTERS = ["contest_site.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery ----------------------------------------------------------------
# One REDIS_URL serves everything, as before; CACHE_REDIS_URL and CELERY_BROKER_URL split the
# cache (with the sessions' cached copy and the rate limits) from the broker, and either may sit
# behind Redis Sentinel (contest_site/redis_config.py). The cache fails open: what each use of it
# does while Redis is down, and why (the SMS ceiling fails closed), is written in one place,
# contests/redis_cache.py.
# Under pytest-xdist each worker (PYTEST_XDIST_WORKER=gw0, gw1, …; set before pytest-django reads
# this module) moves the three URLs to Redis databases of its own: redis_config.for_test_worker.
_TEST_WORKER = env.str("PYTEST_XDIST_WORKER", default="") if TESTING else ""
REDIS_URL = redis_config.for_test_worker(env.str("REDIS_URL", default=""), _TEST_WORKER)
CACHE_KEY_PREFIX = env.str("DJANGO_CACHE_PREFIX", default="contest")
CACHE_REDIS_URL = redis_config.for_test_worker(env.str("CACHE_REDIS_URL", default=""), _TEST_WORKER) or REDIS_URL
CACHE_REDIS_SENTINELS = env.str("CACHE_REDIS_SENTINELS", default="")
CACHE_REDIS_SENTINEL_MASTER = env.str("CACHE_REDIS_SENTINEL_MASTER", default="mymaster")
if CACHE_REDIS_URL or CACHE_REDIS_SENTINELS:
    CACHES = {
        "default": redis_config.cache_settings(
            url=CACHE_REDIS_URL,
            sentinels=CACHE_REDIS_SENTINELS,
            master=CACHE_REDIS_SENTINEL_MASTER,
            key_prefix=CACHE_KEY_PREFIX,
        )
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": CACHE_KEY_PREFIX}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = (
    redis_config.for_test_worker(env.str("CELERY_BROKER_URL", default=""), _TEST_WORKER) or REDIS_URL or "memory://"
)
CELERY_BROKER_TRANSPORT_OPTIONS = redis_config.broker_transport_options(
    broker_url=CELERY_BROKER_URL, master=env.str("CELERY_BROKER_SENTINEL_MASTER", default="mymaster")
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://" or TESTING
# The figures pages read are kept by the beat (quiz.figures). Without a broker no beat runs: the
# embedded demo counts them from the attempts on each page instead.
FIGURES_KEPT = CELERY_BROKER_URL != "memory://" or TESTING
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
# Queues by kind of work, each of which may have workers of its own (docs/operations.md, "Workers
# per queue"), so that an hour-long export or the nightly anonymisation never delays a round's SMS.
# A worker started without -Q consumes all five (one machine: `make worker`). Every task of ours
# is routed here by name, none by default (tests/operations/test_queues.py checks it); a retry
# goes back to the queue it came from, and the beat's messages are routed by the same table.
#   notifications  sending the outbox (send_notification), the periodic re-queue of stale rows and
#                  the announcement of opened rounds, which only writes outbox rows and queues them;
#   exports        workbooks and certificates a secretariat asked for (minutes, memory);
#   analysis       the item analysis of closed rounds (minutes, CPU);
#   housekeeping   nightly jobs: sessions, pruning, anonymisation (up to an hour);
#   celery         the default queue: the contest's own clock, closing the attempts whose time ran
#                  out (every minute, seconds of work; a contestant's result waits on it), never
#                  behind a nightly job. The scaled compose file and Kubernetes give it to the
#                  notifications worker (-Q notifications,celery: both short, both due now; a
#                  worker polls its queues in turn, so an SMS burst does not starve it). Celery's
#                  built-in tasks land here too.
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("notifications", "exports", "analysis", "housekeeping", "celery")
)
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_CREATE_MISSING_QUEUES = False  # a route to a queue not listed above is an error, not a new queue
CELERY_TASK_ROUTES = {
    "contests.tasks.send_notification": {"queue": "notifications"},
    "contests.tasks.requeue_stale_notifications": {"queue": "notifications"},
    "contests.tasks.renew_zalo_token": {"queue": "notifications"},
    "quiz.tasks.announce_opened_rounds": {"queue": "notifications"},
    "accounts.tasks.send_invitation": {"queue": "notifications"},
    "accounts.tasks.requeue_stale_invitations": {"queue": "notifications"},
    "reports.tasks.run_export": {"queue": "exports"},
    "awards.tasks.run_certificates": {"queue": "exports"},
    "quiz.tasks.analyse_closed_rounds": {"queue": "analysis"},
    "quiz.tasks.refresh_figures": {"queue": "analysis"},
    "quiz.tasks.analyse_round": {"queue": "analysis"},
    "audit.tasks.integrity_scan": {"queue": "analysis"},
    "reports.tasks.send_unit_digests": {"queue": "notifications"},
    "audit.tasks.integrity_scan_contests": {"queue": "analysis"},
    "quiz.tasks.finalize_expired_attempts": {"queue": "celery"},
    "accounts.tasks.anonymize_archived": {"queue": "housekeeping"},
    "operations.tasks.clear_sessions": {"queue": "housekeeping"},
    "operations.tasks.prune_exports": {"queue": "housekeeping"},
    "operations.tasks.prune_notifications": {"queue": "housekeeping"},
}
# Every periodic task is declared here, in one place. One beat (docker-compose's `beat`) runs
# django-celery-beat's DatabaseScheduler: at its start it writes these entries into the database
# (django_celery_beat.PeriodicTask, created or updated by name) and keeps each one's last run there,
# so a redeploy neither skips nor repeats a daily job; an entry removed from here is disabled at the
# beat's next start (contests.scheduler). Each message the beat sends
# runs at most once per slot (contests.periodic), so a second beat or a redelivery does no harm.
# Daily jobs run at fixed night hours, Asia/Ho_Chi_Minh (CELERY_TIMEZONE).
CELERY_BEAT_SCHEDULER = "contests.scheduler:Scheduler"
CELERY_BEAT_SCHEDULE = {
    "quiz-finalize-expired-attempts": {
        "task": "quiz.tasks.finalize_expired_attempts",
        "schedule": 60.0,
    },
    "quiz-announce-opened-rounds": {
        "task": "quiz.tasks.announce_opened_rounds",
        "schedule": 60.0,
    },
    "contests-requeue-stale-notifications": {
        "task": "contests.tasks.requeue_stale_notifications",
        "schedule": 120.0,
    },
    # The Zalo access token lives ~25 h; renewed when it has under 3 h left (contests.zalo_token).
    "contests-renew-zalo-token": {
        "task": "contests.tasks.renew_zalo_token",
        "schedule": 1800.0,
    },
    "accounts-requeue-stale-invitations": {
        "task": "accounts.tasks.requeue_stale_invitations",
        "schedule": 120.0,
    },
    # Personal data past keeping (accounts.privacy.retention_candidates), once a day at night.
    "accounts-anonymize-archived": {
        "task": "accounts.tasks.anonymize_archived",
        "schedule": crontab(hour=2, minute=0),
    },
    # The figures pages read (quiz.figures): their staleness bound, FIGURES_STALE_SECONDS.
    "quiz-refresh-figures": {
        "task": "quiz.tasks.refresh_figures",
        "schedule": 60.0,
    },
    # The item analysis of rounds that closed since (quiz.analysis).
    "quiz-analyse-closed-rounds": {
        "task": "quiz.tasks.analyse_closed_rounds",
        "schedule": 900.0,
    },
    # The integrity cases of contests under way (audit.integrity.scan_run): the pages' staleness bound.
    "audit-integrity-scan": {
        "task": "audit.tasks.integrity_scan_contests",
        "schedule": 600.0,
    },
    # Each unit officer's weekly digest (reports.reminders.digests_send), Monday morning.
    "reports-weekly-unit-digest": {
        "task": "reports.tasks.send_unit_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
    },
    # Housekeeping (operations.housekeeping), each once a day at night.
    "operations-clear-sessions": {
        "task": "operations.tasks.clear_sessions",
        "schedule": crontab(hour=3, minute=0),
    },
    "operations-prune-exports": {
        "task": "operations.tasks.prune_exports",
        "schedule": crontab(hour=3, minute=10),
    },
    "operations-prune-notifications": {
        "task": "operations.tasks.prune_notifications",
        "schedule": crontab(hour=3, minute=20),
    },
}

# --- Authentication (django-allauth) ------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.PolicyBackend",  # django-rules: the named permissions (each app's rules.py)
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    # Vietnamese ones (matkhau123, anhyeuem, 123456a@ …), also with digits or symbols added.
    {"NAME": "accounts.passwords.VietnameseCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id with OWASP's parameters first (contest_site/hashers.py, docs/performance.md: a login
# costs ~28 ms of a core instead of ~230 ms); the others stay so that existing hashes verify and
# are upgraded to Argon2id at the next login.
STRONG_PASSWORD_HASHERS = [
    "contest_site.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_HASHERS = STRONG_PASSWORD_HASHERS
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
# Sign in with an e-mail address or a mobile number (with a password, or a one-time code sent by
# e-mail or SMS). Sign-up asks for the mobile number, verified by an SMS code; the e-mail address
# is optional (accounts.adapter keeps the phone on User.phone, normalized by accounts.phone).
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "email", "password1*", "password2*"]
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 5 * 60
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 10 * 60
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# "optional": the e-mail address is optional at sign-up, so its verification cannot be mandatory
# (allauth refuses it); the SMS code is the mandatory step. The sign-up page still answers the
# same whether or not the address or the number already has an account
# (accounts.forms.SignupForm: the owner gets an "account already exists" e-mail and SMS).
# accounts.adapter never holds up a password login for verification.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.forms.SignupForm",
    "request_login_code": "accounts.forms.RequestLoginCodeForm",
}
ACCOUNT_PREVENT_ENUMERATION = True
# The link in the sign-up e-mail, opened in the same browser, signs the new contestant in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:profile"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Contests are launched at meetings where a hundred people sign up behind one office NAT
# address within minutes: the per-key (e-mail) limits do the protecting, per-IP limits stay generous.
# Failed logins (docs/security.md, "Guessing passwords"): 5 per 15 minutes for one account from
# one address ("login_failed_address", keyed by account and address: accounts.adapter), and a
# ceiling of 100 an hour for the account from everywhere, which a password reset lifts.
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "100/m/ip,100/h/key",
    "login_failed_address": "5/15m/key",
    "signup": "200/m/ip",
    "reset_password": "60/m/ip,3/m/key",
    "reset_password_from_key": "60/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
    # Codes by SMS cost money and can be abused to flood a number: per number, one code every
    # 30 s and 3 sign-in codes in 5 minutes; per address generous (a meeting behind one NAT);
    # and a ceiling of SMS per number a day whatever the flow ("sms_phone", accounts.adapter).
    "request_login_code": "60/m/ip,3/5m/key",
    "verify_phone": "1/30s/key,200/m/ip",
    "sms_phone": "10/d/key",
}

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Ban Tổ chức Cuộc thi <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- SMS (contests.sms) ----------------------------------------------------------------------
# The console in development (the code is printed in the terminal), a list in memory in tests,
# the HTTP gateway in production: SMS_BACKEND=contests.sms.GatewayBackend with its URL and token.
SMS_BACKEND = env.str("SMS_BACKEND", default="contests.sms.LocmemBackend" if TESTING else "contests.sms.ConsoleBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER = env.str("SMS_SENDER", default="CUOCTHI")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=10.0)
# Vietnamese without diacritics in SMS (GSM-7: 160 characters a segment, accepted by brand-name
# gateways); 0 sends the diacritics (UCS-2, 70 characters a segment).
SMS_UNACCENTED = env_bool("SMS_UNACCENTED", True)
# --- Zalo (contests.zalo) ------------------------------------------------------------------------
# Messages by Zalo's ZNS beside SMS and e-mail, for those who choose it on their profile; empty:
# no Zalo (everyone who chose it gets SMS). The console in development, memory in tests, the ZNS
# HTTP API in production: ZALO_BACKEND=contests.zalo.HttpBackend with the official account's
# access token and a template per kind of message (ZALO_TEMPLATES=reminder=123,unit_digest=456).
ZALO_BACKEND = env.str(
    "ZALO_BACKEND", default="contests.zalo.LocmemBackend" if TESTING else ("contests.zalo.ConsoleBackend" if DEBUG else "")
)
ZALO_API_URL = env.str("ZALO_API_URL", default="https://business.openapi.zalo.me/message/template")
ZALO_ACCESS_TOKEN = env.str("ZALO_ACCESS_TOKEN", default="")
# Renewal of the access token before it expires (contests.zalo_token): the app's id and secret
# key, and the first refresh token (each renewal stores the next one, sealed, in the database).
ZALO_APP_ID = env.str("ZALO_APP_ID", default="")
ZALO_APP_SECRET = env.str("ZALO_APP_SECRET", default="")
ZALO_REFRESH_TOKEN = env.str("ZALO_REFRESH_TOKEN", default="")
ZALO_OAUTH_URL = env.str("ZALO_OAUTH_URL", default="https://oauth.zaloapp.com/v4/oa/access_token")
ZALO_TIMEOUT = env.float("ZALO_TIMEOUT", default=10.0)
ZALO_TEMPLATES = {
    kind.strip(): template.strip()
    for kind, _sep, template in (
        pair.partition("=")
        for pair in env.list(
            "ZALO_TEMPLATES", default=["reminder=dev-reminder", "unit_digest=dev-digest"] if DEBUG or TESTING else []
        )
    )
    if kind.strip() and template.strip()
}
# Reminders a unit officer sends (reports.reminders): at most this many people a day per unit.
REMINDERS_PER_UNIT_PER_DAY = env.int("REMINDERS_PER_UNIT_PER_DAY", default=300)

# The site-wide ceiling of SMS (contests.sms.sms_ceiling_take; docs/security.md, "SMS abuse"),
# counted in Redis for all web nodes and workers. For a province of ~100,000 contestants: the
# busiest sign-up hour of a launch (a few meetings of a hundred people each, plus codes) stays far
# under 2,000, and a day of 20,000 is a fifth of the province signing up at once; that day costs
# a bounded bill. Notifications stop at 80 % of each window, so sign-in codes keep the rest.
SMS_MAX_PER_HOUR = env.int("SMS_MAX_PER_HOUR", default=2000)
SMS_MAX_PER_DAY = env.int("SMS_MAX_PER_DAY", default=20000)
if SMS_MAX_PER_HOUR < 1 or SMS_MAX_PER_DAY < SMS_MAX_PER_HOUR:
    raise ImproperlyConfigured("SMS_MAX_PER_HOUR must be at least 1 and SMS_MAX_PER_DAY at least SMS_MAX_PER_HOUR.")

# --- Notifications (contests.notifications) ----------------------------------------------------
# The address of the site in links sent by e-mail and SMS (unsubscribe, next steps) and in the
# QR code of each certificate. Production must set it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["contest_site.formats"]
USE_THOUSAND_SEPARATOR = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Essay attachments and export workbooks: outside MEDIA_ROOT and never under a URL; only views
# that check who asks serve them (contests.storage.PrivateStorage).
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")
if Path(PRIVATE_MEDIA_ROOT).resolve().is_relative_to(Path(MEDIA_ROOT).resolve()):
    raise ImproperlyConfigured("DJANGO_PRIVATE_MEDIA_ROOT must not be inside DJANGO_MEDIA_ROOT.")
# Or, with OBJECT_STORAGE_BUCKET set, the private files live in that S3-compatible bucket (AWS S3,
# MinIO, Ceph RGW, ...) so several web and worker machines share them; PRIVATE_MEDIA_ROOT is then
# unused. The bucket must be private; objects are written with OBJECT_STORAGE_ACL (set it empty for
# an AWS bucket whose ACLs are disabled) and never get a URL (contests.storage). Credentials only
# from the environment; empty keys fall back to boto3's own chain (AWS_* variables, an instance role).
OBJECT_STORAGE_BUCKET = env.str("OBJECT_STORAGE_BUCKET", default="")
OBJECT_STORAGE_ENDPOINT = env.str("OBJECT_STORAGE_ENDPOINT", default="")  # empty: AWS S3 itself
OBJECT_STORAGE_ACCESS_KEY = env.str("OBJECT_STORAGE_ACCESS_KEY", default="")
OBJECT_STORAGE_SECRET_KEY = env.str("OBJECT_STORAGE_SECRET_KEY", default="")
OBJECT_STORAGE_REGION = env.str("OBJECT_STORAGE_REGION", default="us-east-1")
OBJECT_STORAGE_ACL = env.str("OBJECT_STORAGE_ACL", default="private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Size limits, all enforced before a body is read (docs/security.md, "Uploads"):
# - a request whose Content-Length is over REQUEST_MAX_BODY_SIZE is refused with a 413 page
#   (contests.middleware.RequestSizeLimitMiddleware) before anything parses it; a body without
#   a Content-Length (chunked) is never read by Django at all;
# - a file over FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file, not to memory;
# - the form fields besides files may take DATA_UPLOAD_MAX_MEMORY_SIZE (an essay is 60,000
#   characters at most: 240 KB in UTF-8), and at most DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields.
# The largest legitimate upload is a 10 MB essay document (essays.files.MAX_DOCUMENT_BYTES).
REQUEST_MAX_BODY_SIZE = env.int("DJANGO_REQUEST_MAX_BODY_SIZE", default=12 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security -----------------------------------------------------------------------------
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): no inline script or style anywhere. The project's
# templates have none; the Django admin's single inline <style> (change_list.html, shown when a
# list has no actions) is allowed by its hash, which tests/security/test_headers.py recomputes.
ADMIN_CHANGELIST_STYLE_HASH = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", ADMIN_CHANGELIST_STYLE_HASH],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The browser features no page uses are switched off (contests.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()"
)
SESSION_COOKIE_HTTPONLY = True
if not HTTPS and not DEBUG:
    # A plain-HTTP intranet or a local benchmark: check --deploy would warn about these on purpose.
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008", "security.W012", "security.W016"]

# --- Logs, errors, metrics (operations: docs/operations.md) -----------------------------------
# One line a record on stderr: JSON (time in UTC, level, logger, message, request_id, user_id,
# view) by default with DEBUG off, readable text in development. Every handler scrubs signed
# links, tokens, codes, e-mail addresses and numbers (operations.logs.scrub).
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text" if DEBUG else "json").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or text, got {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"scrub": {"()": "operations.logs.ScrubFilter"}},
    "formatters": {
        "json": {"()": "operations.logs.JsonFormatter"},
        "text": {"()": "operations.logs.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["scrub"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's default handlers (the console in DEBUG, mail to ADMINS) would write unscrubbed
        # lines: Django's records go to the one scrubbed handler only.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # pikepdf (essays.files, blind copies) announces its C++ logging bridge at INFO on import.
        "pikepdf": {"level": "WARNING"},
    },
}
# The worker logs through LOGGING too (JSON, scrubbed, with the request id of the task's sender).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors to a Sentry-compatible server (Sentry, or GlitchTip on a closed network): off without a
# DSN. No personal data is sent (operations.sentry.before_send).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production")
SENTRY_RELEASE = env.str("SENTRY_RELEASE", default="")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from operations.sentry import git_commit, init_sentry

    SENTRY_RELEASE = SENTRY_RELEASE or git_commit(BASE_DIR) or ""
    init_sentry(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE or None,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )

# /metrics (Prometheus) answers only these client addresses or networks (accounts.net.client_ip)
# and requests bearing METRICS_TOKEN; anyone else gets a 404.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
for _address in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_address.strip(), strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {_address!r} is not an address or a network.") from exc
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# Prometheus scrapes each web node directly over the internal network, in plain HTTP: /metrics
# is not redirected to HTTPS (it answers only the allowed addresses or the token anyway). The
# node's internal host name (e.g. "web") must be in DJANGO_ALLOWED_HOSTS. The load balancer's
# probes (/healthz/ liveness, /readyz/ readiness) come in plain HTTP on port 80 too and need a 200,
# not the redirect; they carry nothing but "ok" and two booleans.
SECURE_REDIRECT_EXEMPT = [r"^metrics$", r"^healthz/$", r"^readyz/$"]

# --- Contest platform -----------------------------------------------------------------------
CONTEST_HOTLINE = env.str("CONTEST_HOTLINE", default="0216 3 852 000")
CONTEST_CONTACT_EMAIL = env.str("CONTEST_CONTACT_EMAIL", default="cuocthi@example.com")
# Who is mailed when the SMS ceiling is near (80 %) and reached, once per window (and the ADMINS).
SMS_ALERT_EMAILS = env.list("SMS_ALERT_EMAILS", default=[CONTEST_CONTACT_EMAIL])

# --- Certificates and winners' details (awards.certificates, awards.winner_details) -------
# The address in each certificate's QR code (https://<site>/verify/<code>/) is SITE_URL (above).
# /verify/<code>/ is public: every look-up counts per address, unknown codes count again, so
# guessing codes from one address stops quickly (10 base32 characters: 2^50 codes).
CERTIFICATE_VERIFY_RATE_LIMITS = {"certificate_verify": "30/m/ip", "certificate_verify_miss": "20/h/ip"}
# Fernet keys for winners' details (ID number, bank account), newest first, comma-separated.
# The first encrypts; every one decrypts, so a new key goes in front and `rotate_winner_details_keys`
# re-encrypts the rows before the old key is dropped (README). Unset: one key derived from
# SECRET_KEY, fine for development only (changing SECRET_KEY would make the details unreadable).
WINNER_DETAILS_KEYS = env.list("WINNER_DETAILS_KEYS", default=[])
# How many days a request for a winner's details stays open (the form, for the signed-in holder
# only, closes after; the secretariat can issue a new request from /reports/awards/).
WINNER_DETAILS_LINK_DAYS = env.int("WINNER_DETAILS_LINK_DAYS", default=7)
# Personal data (Decree 13/2023/NĐ-CP): the contestants of a contest archived and ended more than
# this many days ago are anonymized (`anonymize_archived`, daily), unless they took part in a newer one.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=730)

# --- Backups and housekeeping (operations; docs/operations.md) ------------------------------
# `make backup` / the compose service `backup` write one folder per backup under BACKUP_DIR (the
# PostgreSQL dump in custom format, the private files as a tar, manifest.json with checksums),
# every BACKUP_INTERVAL_HOURS (the RPO), and keep the newest backup of each of the last
# BACKUP_KEEP_DAILY days and of each of the last BACKUP_KEEP_WEEKLY weeks.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
BACKUP_INTERVAL_HOURS = env.float("BACKUP_INTERVAL_HOURS", default=6.0)
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=5)
# Export workbooks (reports.ExportJob) older than this are deleted, file and row (daily).
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=30)
# Sent notifications (the outbox) older than this are deleted (daily); failed ones are kept
# NOTIFICATION_FAILED_RETENTION_DAYS (evidence that someone was not told); queued ones always.
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=180)
NOTIFICATION_FAILED_RETENTION_DAYS = env.int("NOTIFICATION_FAILED_RETENTION_DAYS", default=365)

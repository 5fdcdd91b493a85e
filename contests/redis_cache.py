"""The cache backend: django-redis that fails open, and the one place that says what each use of
the cache does when Redis is down (issue "Survive the faults"; docs/operations.md, "When Redis
is down").

One Redis holds the cache, the sessions' cached copy, the rate limits and (unless
CELERY_BROKER_URL says otherwise) the Celery broker. When it does not answer, a read is a miss
and a write is lost: django-redis's own IGNORE_EXCEPTIONS path, with its "exception ignored"
hook pointed at a logger that counts (contest_cache_errors_total) and logs at most once every
few seconds per process. After a failure the process does not try Redis again for
BREAKER_SECONDS: a Redis that is gone (a host that does not answer, not a refused port) costs
one connect timeout per process every few seconds instead of one per cache call.

What each use does during an outage, by decision:

- Sessions (SESSION_ENGINE cached_db): read from and written to the database. The table is
  the truth, the cache a copy.
- quiz.session_user (the signed-in User kept in the cache): read from the database; a miss
  costs what a page cost before that cache.
- Page caches (texts, reports, receipts, the privacy notice's version): computed each time.
- The periodic jobs' single-run slot (contests.periodic, `cache.add`): "not added", so the job
  is skipped. Better a run missed (the next beat runs it) than run twice.
- allauth's limits (login, sign-up, password reset, codes), certificate verify, receipt check:
  fail OPEN. They protect pages; refusing would lock every contestant out, which is the outage.
- Failed-login limits (login_failed, login_failed_address): fail OPEN, see below.
- The SMS ceiling (contests.sms): fail CLOSED, nothing is sent. An uncounted SMS costs money
  and floods numbers; it reads the cache through `strict_cache()`, which raises.

Failed-login limits fail open, deliberately: failing closed refuses every sign-in of the
contest for the length of the outage (what the incident was). What is left against a guesser
while Redis is down: each guess costs a full password hash on a web worker (the slow hasher
bounds guesses to a few per second per worker), every failure is still logged, the outage
itself is alerted (contest_cache_errors_total), and sign-in by SMS code sends nothing (the SMS
ceiling fails closed). An outage that lasts is an incident to fix, not a state to run in.

Residual risk written down: a session deleted (logout) or a user changed while Redis is down
is deleted or changed in the database only; if the same Redis comes back with its data (not
restarted empty), its stale copy can be read until it expires (sessions: their age; users:
quiz.session_user.USER_TTL). Run the cache Redis without persistence (`--save ""`) so that a
Redis that went away comes back empty.
"""

import copy
import logging
import threading
import time

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError

from . import metrics

logger = logging.getLogger("contests.cache")

BREAKER_SECONDS = 5.0
LOG_EVERY_SECONDS = 10.0


class _CountingLogger:
    """What django-redis calls `self.logger.exception("Exception ignored")` on: counts, opens the
    breaker, logs one line now and then (not one traceback per cache call)."""

    def __init__(self, backend: "FailOpenRedisCache"):
        self.backend = backend

    def exception(self, msg, *args, **kwargs):
        import sys

        exc = sys.exc_info()[1]
        cause = getattr(exc, "__cause__", None) or exc
        skipped = isinstance(cause, _BreakerOpen)
        metrics.CACHE_ERRORS.labels(kind="skipped" if skipped else "error").inc()
        if skipped:
            return
        state = self.backend._state
        now = time.monotonic()
        state["until"] = now + BREAKER_SECONDS
        if now - state["logged_at"] >= LOG_EVERY_SECONDS:
            state["logged_at"] = now
            logger.warning("Cache unavailable, failing open for %ss: %s: %s", BREAKER_SECONDS, type(cause).__name__, cause)


_states: dict[str, dict[str, float]] = {}
_states_lock = threading.Lock()


class _BreakerOpen(RedisConnectionError):
    """Not tried: the last call failed less than BREAKER_SECONDS ago."""


class FailOpenRedisCache(RedisCache):
    """django_redis.cache.RedisCache whose connection errors are a miss (read) or a no-op (write),
    counted and logged; `strict()` gives the same cache with errors raised (the SMS ceiling)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._ignore_exceptions = True
        self._log_ignored_exceptions = True
        self.logger = _CountingLogger(self)
        # Django makes one backend per thread: the breaker is the process's, per Redis location.
        with _states_lock:
            self._state = _states.setdefault(str(server), {"until": 0.0, "logged_at": -LOG_EVERY_SECONDS})

    @property
    def client(self):
        if time.monotonic() < self._state["until"]:
            try:
                raise _BreakerOpen(f"Redis failed less than {BREAKER_SECONDS}s ago; not tried.")
            except _BreakerOpen as exc:
                raise ConnectionInterrupted(connection=None) from exc
        return RedisCache.client.fget(self)

    def strict(self) -> "FailOpenRedisCache":
        """The same cache (same connection pool) with connection errors raised, for the uses
        that must fail closed."""
        RedisCache.client.fget(self)  # one client, shared with the copy
        strict = copy.copy(self)
        strict._ignore_exceptions = False
        return strict


def strict_cache():
    """The default cache, raising on a Redis error (any other backend as it is)."""
    from django.core.cache import caches

    backend = caches["default"]
    return backend.strict() if hasattr(backend, "strict") else backend

"""Which database a query goes to: the primary (`default`), or the streaming read replica
(`replica`, set by DATABASE_REPLICA_URL) for the reads of code that asked for it.

Everything reads from the primary, so a person always sees what they have just written. Reads go
to the replica only inside `reading_from_replica()` — a context manager and a decorator, kept in a
context variable, so it works the same in a view, a Celery task and a management command — and
only when the replica answers and its replay lag is under DATABASE_REPLICA_MAX_LAG seconds. The
decision is taken once, where the outermost scope is entered, so one report reads from one server
throughout; nested scopes keep it. The replica's state is checked at most every CHECK_SECONDS per
process (one small query; DOWN_CHECK_SECONDS after it did not answer, as each try may cost the
connect timeout), and a fallback to the primary is logged at most every WARN_SECONDS.

Inside a scope, still on the primary:
- every write, and every read made for a write (select_for_update, get_or_create,
  update_or_create: Django asks db_for_write for those);
- every read while a transaction is open on the primary (it must see its own writes);
- the models a person has just written and reads back at once (ALWAYS_PRIMARY: the session, the
  user, an export job).
Migrations run on the primary only. Without DATABASE_REPLICA_URL there is no `replica` alias and
the scope changes nothing.
"""

import contextlib
import contextvars
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
CHECK_SECONDS = 5.0  # a process checks the replica at most this often
DOWN_CHECK_SECONDS = 30.0  # and one that did not answer (each try may cost the connect timeout)
WARN_SECONDS = 60.0  # and says it is not using it at most this often
# Read back right after their own write (a login, a requested export polled by its page): never stale.
ALWAYS_PRIMARY = frozenset({"sessions.session", "reports.exportjob"})

# The replica's replay lag in seconds. No WAL received and not yet replayed means nothing to catch
# up on: lag 0, however long ago the last transaction was (an idle primary). A server that is not
# in recovery (a promoted replica, or the primary itself in tests) has no lag.
LAG_SQL = """
select case
    when not pg_is_in_recovery() then 0
    when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
    else greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp()))
end
"""

_scope: contextvars.ContextVar[str | None] = contextvars.ContextVar("read_alias", default=None)


@dataclass(frozen=True)
class ReplicaStatus:
    usable: bool
    reason: str  # "ok", "lagging", "unreachable", "unconfigured"
    lag: float | None = None  # seconds, when it answered
    checked_at: float = 0.0  # time.monotonic()
    error: str = ""


_lock = threading.Lock()
_status: ReplicaStatus | None = None
_last_warning = float("-inf")


def replica_configured() -> bool:
    return REPLICA in connections.settings


def max_lag() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", 5.0))


def _check() -> ReplicaStatus:
    """Ask the replica for its lag (connecting if need be; connect_timeout bounds a dead host)."""
    now = time.monotonic()
    connection = connections[REPLICA]
    try:
        if connection.vendor != "postgresql":  # a test mirror on SQLite: the same file
            return ReplicaStatus(usable=True, reason="ok", lag=0.0, checked_at=now)
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except Exception as exc:  # any failure to answer means: not now
        with contextlib.suppress(Exception):  # already broken; the next check reconnects
            connection.close()
        return ReplicaStatus(usable=False, reason="unreachable", checked_at=now, error=f"{type(exc).__name__}: {exc}"[:300])
    if lag is None:  # replayed nothing yet and cannot tell how far behind it is
        return ReplicaStatus(usable=False, reason="lagging", checked_at=now)
    lag = float(lag)
    return ReplicaStatus(usable=lag <= max_lag(), reason="ok" if lag <= max_lag() else "lagging", lag=lag, checked_at=now)


def replica_status(*, refresh: bool = False) -> ReplicaStatus:
    """The replica's state as this process last saw it, checked again when older than
    CHECK_SECONDS (DOWN_CHECK_SECONDS after it did not answer), or at once with `refresh`.
    While one thread checks, the others use the previous answer."""
    global _status
    if not replica_configured():
        return ReplicaStatus(usable=False, reason="unconfigured")
    status = _status
    if not refresh and status is not None:
        interval = DOWN_CHECK_SECONDS if status.reason == "unreachable" else CHECK_SECONDS
        if time.monotonic() - status.checked_at < interval:
            return status
    if not _lock.acquire(blocking=status is None or refresh):
        return status
    try:
        fresh = _check()
        _report(previous=_status, fresh=fresh)
        _status = fresh
        return fresh
    finally:
        _lock.release()


def forget_replica_status() -> None:
    """Check the replica again at the next scope (tests; after an operator's intervention)."""
    global _status, _last_warning
    with _lock:
        _status, _last_warning = None, float("-inf")


def _report(*, previous: ReplicaStatus | None, fresh: ReplicaStatus) -> None:
    global _last_warning
    if fresh.usable:
        if previous is not None and not previous.usable:
            logger.info("Read replica back in use (replay lag %.1f s)", fresh.lag or 0.0)
            _last_warning = float("-inf")
        return
    if fresh.checked_at - _last_warning < WARN_SECONDS:
        return
    _last_warning = fresh.checked_at
    if fresh.reason == "unreachable":
        logger.warning("Read replica unreachable, reading from the primary: %s", fresh.error)
    elif fresh.lag is None:
        logger.warning("Read replica lag unknown (nothing replayed yet), reading from the primary")
    else:
        logger.warning("Read replica %.1f s behind (limit %.1f s), reading from the primary", fresh.lag, max_lag())


@contextmanager
def reading_from_replica():
    """Send this block's reads to the replica when it is fit (see the module's docstring);
    yields the alias chosen ("replica" or "default"). Also a decorator: @reading_from_replica()."""
    outer = _scope.get()
    if outer is not None:
        yield outer
        return
    status = replica_status()
    alias = REPLICA if status.usable else DEFAULT_DB_ALIAS
    if status.reason != "unconfigured":
        from contests import metrics

        metrics.REPLICA_SCOPES.labels(server=alias, reason=status.reason).inc()
    token = _scope.set(alias)
    try:
        yield alias
    finally:
        _scope.reset(token)


def current_read_alias() -> str:
    """Where this code's plain reads go now: "replica" inside a scope that chose it, else "default"."""
    return _scope.get() or DEFAULT_DB_ALIAS


def _always_primary() -> frozenset[str]:
    return ALWAYS_PRIMARY | {settings.AUTH_USER_MODEL.lower()}


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _scope.get() != REPLICA:
            return DEFAULT_DB_ALIAS
        if model._meta.label_lower in _always_primary():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from one may point at one from the other.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None

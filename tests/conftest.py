import contextlib
import io
import os
import shutil

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings

from accounts.enums import Role
from tests.factories import ContestFactory, contestant, staff_user

# Browser tests run Django's live server in a thread; Playwright's sync API runs an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def transactional(item) -> bool:
    """Whether a test commits for real (a transactional test, the live server's included)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


# The test files holding a transactional test: rows shared by a module (`shares_rows`)
# stay off them, since a test that commits cannot run inside the module's open transaction.
TRANSACTIONAL_FILES: set[str] = set()


def pytest_collection_modifyitems(config, items):
    TRANSACTIONAL_FILES.update(item.nodeid.split("::", 1)[0] for item in items if transactional(item))
    # Race and lock tests need PostgreSQL's row locks; SQLite serializes everything.
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs these")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (the live server's included) ends by emptying every table, taking the
    rows the data migrations made (the first privacy notice; the role groups come back through
    post_migrate). In one process pytest-django runs those tests last; a pytest-xdist worker runs
    whole files in any order, so the rows are put back once the test's teardown has flushed."""
    result = yield
    if nextitem is None:  # the last test: the test database is gone with the session
        return result
    if transactional(item):
        from importlib import import_module

        from django.apps import apps
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            import_module("accounts.migrations.0006_consent_text_first_version").forward(apps, None)
    return result


# The rows `migrate`'s post_migrate makes (content types, permissions, the role groups and their
# permissions): a flush keeps them when no test changed them since the last post_migrate, which
# then need not run again (it costs ~0.1 s a transactional test). Their fingerprint is checked
# at every flush; any change, and they are emptied and made again as Django's flush does.
_SCHEMA_ROWS = ("django_content_type", "auth_permission", "auth_group", "auth_group_permissions")
_SCHEMA_FINGERPRINT = """
    SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
        SELECT 'c' || id || app_label || '.' || model FROM django_content_type
        UNION ALL SELECT 'p' || id || ':' || content_type_id || codename || name FROM auth_permission
        UNION ALL SELECT 'g' || id || name FROM auth_group
        UNION ALL SELECT 'a' || id || ':' || group_id || ':' || permission_id FROM auth_group_permissions
    ) AS rows (x)"""
_flush_state: dict[str, dict] = {"fingerprint": {}, "kept": {}}  # by database alias


def _schema_fingerprint(connection) -> str:
    with connection.cursor() as cursor:
        cursor.execute(_SCHEMA_FINGERPRINT)
        return cursor.fetchone()[0]


def _flush_only_what_holds_rows(style, connection, reset_sequences=True, allow_cascade=False):
    """`flush` for the transactional tests on PostgreSQL: instead of one TRUNCATE of every table
    (a new file for each of some 200 tables and 600 indexes: 1–2 s per test), DELETE the rows of
    the tables that hold any, found in one query. Foreign keys and the append-only triggers are
    switched off for this transaction only (`session_replication_role`), as TRUNCATE passes them
    for the table's owner. Sequences are left as they are, as `flush` without `reset_sequences`
    leaves them; with `reset_sequences`, or on SQLite, Django's own statements."""
    from django.core.management import sql

    _flush_state["kept"][connection.alias] = False
    if connection.vendor != "postgresql" or reset_sequences:
        return sql.sql_flush(style, connection, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    if not tables:
        return []
    quote = connection.ops.quote_name
    probe = " UNION ALL ".join(f"SELECT %s WHERE EXISTS (SELECT 1 FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(probe, tables)
        holding = [row[0] for row in cursor.fetchall()]
    known = _flush_state["fingerprint"].get(connection.alias)
    if known is not None and _schema_fingerprint(connection) == known:
        _flush_state["kept"][connection.alias] = True
        holding = [t for t in holding if t not in _SCHEMA_ROWS]
    if not holding:
        return []
    return ["SET LOCAL session_replication_role = replica", *(f"DELETE FROM {quote(t)}" for t in holding)]


def _post_migrate_unless_kept(verbosity, interactive, db, **kwargs):
    """After a flush: post_migrate, unless the flush kept its rows; then their fingerprint."""
    from django.core.management import sql
    from django.db import connections

    if _flush_state["kept"].pop(db, False):
        return
    sql.emit_post_migrate_signal(verbosity, interactive, db, **kwargs)
    if connections[db].vendor == "postgresql":
        _flush_state["fingerprint"][db] = _schema_fingerprint(connections[db])


@pytest.fixture(autouse=True, scope="session")
def _fast_flush():
    from django.core.management.commands import flush

    saved = flush.sql_flush, flush.emit_post_migrate_signal
    flush.sql_flush, flush.emit_post_migrate_signal = _flush_only_what_holds_rows, _post_migrate_unless_kept
    yield
    flush.sql_flush, flush.emit_post_migrate_signal = saved


@pytest.fixture(autouse=True)
def _vietnamese_first():
    """Every test starts in the site's language: a page asked for in English activates English in
    this thread, and a later test matching a Vietnamese message must not inherit it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _clear_pool_cache():
    """Sealed pools are kept per process by (round id, sealing time); on SQLite ids start again in
    every test and factories seal at fixed times, so one test's pool must not serve the next."""
    from quiz import pool_cache

    pool_cache.clear()
    yield
    pool_cache.clear()


@pytest.fixture(autouse=True)
def sms_outbox():
    """The text messages sent during a test (contests.sms.LocmemBackend)."""
    from contests import sms

    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def zalo_outbox():
    """The Zalo messages sent during a test (contests.zalo.LocmemBackend)."""
    from contests import zalo

    zalo.outbox.clear()
    yield zalo.outbox
    zalo.outbox.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private_media"


@pytest.fixture
def contest(db):
    return ContestFactory()


@pytest.fixture
def contestant_user(db):
    return contestant()


@pytest.fixture
def organizer(db):
    return staff_user(Role.ORGANIZER)


@pytest.fixture
def secretariat(db):
    return staff_user(Role.SECRETARIAT)


@pytest.fixture
def judge(db):
    return staff_user(Role.JUDGE)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


# --- One seeded demo per class -----------------------------------------------------------------------


@pytest.fixture(scope="class")
def seeded_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """seed_demo once for a whole test class (it takes seconds): seeded inside a transaction that
    is rolled back when the class ends, so each test's own transaction (the `db` fixture) is a
    savepoint inside it and nothing outlives the class. Every test of the class must ask for it
    (through `demo`). Yields the folder holding the demo's media."""
    media = tmp_path_factory.mktemp("demo")
    with (
        override_settings(MEDIA_ROOT=media / "media", PRIVATE_MEDIA_ROOT=media / "private_media"),
        shared_rows(django_db_blocker),
    ):
        call_command("seed_demo", "--force", stdout=io.StringIO())
        yield media


def shares_rows(request) -> bool:
    """Whether a module's tests may share rows built once for the module (`shared_rows`): not in
    a file holding a transactional test, which cannot run inside the module's open transaction."""
    return request.node.nodeid.split("::", 1)[0] not in TRANSACTIONAL_FILES


@contextlib.contextmanager
def shared_rows(django_db_blocker):
    """A transaction open for a class's or a module's tests and rolled back after them, each test
    a savepoint inside it: rows those tests all start from, built once (`seeded_demo`,
    `_known_contest_rows`). The fixture that opens it must be a static argument of the
    function-scoped one its tests ask for, so that it is set up before the test's own transaction,
    and only where `shares_rows`."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _known_contest_rows(request, django_db_setup, django_db_blocker):
    """tests.reports.test_figures.known_contest_build, once for a module (its `known_contest`);
    None where the module's tests cannot share rows."""
    from tests.reports.test_figures import known_contest_build

    if not shares_rows(request):
        yield None
        return
    with shared_rows(django_db_blocker):
        yield known_contest_build()


@pytest.fixture
def demo(seeded_demo, db, settings):
    """The demo contest (seed_demo, shared by the class): a round with attempts, essays, a jury,
    every role, as {login name: user}. The demo's files are copied into this test's media."""
    from accounts.models import User

    for name, root in (("media", settings.MEDIA_ROOT), ("private_media", settings.PRIVATE_MEDIA_ROOT)):
        if (seeded_demo / name).exists():
            shutil.copytree(seeded_demo / name, root, dirs_exist_ok=True)
    return {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@example.com")}

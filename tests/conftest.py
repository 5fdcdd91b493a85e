import os

import pytest
from django.db import connection

from accounts.enums import Role
from tests.factories import ContestFactory, contestant, staff_user

# Browser tests run Django's live server in a thread; Playwright's sync API runs an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    # Race and lock tests need PostgreSQL's row locks; SQLite serializes everything.
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs these")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


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

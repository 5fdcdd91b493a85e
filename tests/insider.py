"""Stand in for someone with the owner's database access (not the application's role): lift the
triggers that keep the seals append-only for a few raw statements, inside the test's transaction,
and put them back."""

import importlib
from contextlib import contextmanager

from django.db import connection

SEAL_MIGRATION = importlib.import_module("quiz.migrations.0002_round_seal")


@contextmanager
def seal_triggers_off():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check of this transaction: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE quiz_roundseal DISABLE TRIGGER USER")
        else:
            cursor.execute(SEAL_MIGRATION.SQLITE_DOWN)
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE quiz_roundseal ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(SEAL_MIGRATION.SQLITE_UP)


ERRATUM_MIGRATION = importlib.import_module("quiz.migrations.0015_round_erratum")


@contextmanager
def erratum_triggers_off():
    """The same for the errata of sealed keys (quiz_rounderratum)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE quiz_rounderratum DISABLE TRIGGER USER")
        else:
            cursor.execute(ERRATUM_MIGRATION.SQLITE_DOWN)
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE quiz_rounderratum ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(ERRATUM_MIGRATION.SQLITE_UP)

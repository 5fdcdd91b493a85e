"""Stand in for someone with the owner's database access (not the application's role): lift the
triggers that keep the seals append-only for a few raw statements, inside the test's transaction,
and put them back."""

import importlib
from contextlib import contextmanager

from django.db import connection

SEAL_MIGRATION = importlib.import_module("quiz.migrations.0002_round_seal")
ERRATUM_MIGRATION = importlib.import_module("quiz.migrations.0015_round_erratum")


@contextmanager
def _triggers_off(table: str, migration):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE waits for no deferred foreign-key check of this transaction: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute(migration.SQLITE_DOWN)
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute(migration.SQLITE_UP)


def seal_triggers_off():
    return _triggers_off("quiz_roundseal", SEAL_MIGRATION)


def erratum_triggers_off():
    """The same for the errata of sealed keys (quiz_rounderratum)."""
    return _triggers_off("quiz_rounderratum", ERRATUM_MIGRATION)

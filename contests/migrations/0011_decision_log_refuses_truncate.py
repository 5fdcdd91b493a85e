"""The decision log's triggers from contests.append_only: UPDATE and DELETE refused on each row,
TRUNCATE refused to any role but the owner. Replaces the row trigger of 0002 (same refusal)."""

import importlib

from django.db import migrations

from contests.append_only import append_only_operations

DECISION_LOG = importlib.import_module("contests.migrations.0002_decision_log")


def _drop_old(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DECISION_LOG.DROP_SQL)


def _restore_old(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DECISION_LOG.APPEND_ONLY_SQL)


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0010_decision_actions"),
    ]

    operations = [
        migrations.RunPython(_drop_old, _restore_old),
        *append_only_operations("contests_decision"),
    ]

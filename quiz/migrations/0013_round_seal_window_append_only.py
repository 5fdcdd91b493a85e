"""The seal keeps the round's window it was written with; the seals table becomes append-only as
the decision log is (contests.append_only: UPDATE, DELETE and TRUNCATE refused); and on PostgreSQL
a sealed round's window and approval only change the one way round_extend_window changes them."""

import importlib

from django.db import migrations, models

from contests.append_only import append_only_operations

ROUND_SEAL = importlib.import_module("quiz.migrations.0002_round_seal")

# Mirrors the Round signal (quiz.signals) for paths that skip it: a QuerySet update, raw SQL from
# the application's role. The owner (migrations, the demo data) is let through: it could drop the
# trigger anyway, and verify_results reconciles the window with the seal and the decision log.
SEALED_WINDOW_SQL = """
CREATE OR REPLACE FUNCTION quiz_round_sealed_window() RETURNS trigger AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NEW;
    END IF;
    IF NEW.approved_at IS DISTINCT FROM OLD.approved_at OR NEW.opens_at <> OLD.opens_at THEN
        RAISE EXCEPTION 'quiz_round: a sealed round keeps its approval and its opening time'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.closes_at <> OLD.closes_at AND NOT (NEW.closes_at > OLD.closes_at AND EXISTS (
        SELECT 1 FROM quiz_roundwindowchange c
        WHERE c.round_id = OLD.id AND c.old_closes_at = OLD.closes_at AND c.new_closes_at = NEW.closes_at
    )) THEN
        RAISE EXCEPTION 'quiz_round: a sealed round closes later only with its recorded window change'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS quiz_round_sealed_window ON quiz_round;
CREATE TRIGGER quiz_round_sealed_window BEFORE UPDATE ON quiz_round
FOR EACH ROW WHEN (OLD.approved_at IS NOT NULL) EXECUTE FUNCTION quiz_round_sealed_window();
"""
SEALED_WINDOW_DROP = """
DROP TRIGGER IF EXISTS quiz_round_sealed_window ON quiz_round;
DROP FUNCTION IF EXISTS quiz_round_sealed_window();
"""


def _postgres(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0011_decision_log_refuses_truncate"),
        ("quiz", "0012_attempt_receipt_round_commitment"),
    ]

    operations = [
        migrations.AddField(
            model_name="roundseal",
            name="opens_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="mở lúc (khi niêm phong)"),
        ),
        migrations.AddField(
            model_name="roundseal",
            name="closes_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="đóng lúc (khi niêm phong)"),
        ),
        # The UPDATE trigger of 0002 gives way to the shared one (PostgreSQL; SQLite keeps it).
        migrations.RunPython(_postgres(ROUND_SEAL.POSTGRES_DOWN), _postgres(ROUND_SEAL.POSTGRES_UP)),
        *append_only_operations("quiz_roundseal"),
        migrations.RunPython(_postgres(SEALED_WINDOW_SQL), _postgres(SEALED_WINDOW_DROP)),
    ]

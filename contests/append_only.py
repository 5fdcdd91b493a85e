"""The append-only tables: written once, read for ever, never changed, deleted or emptied.

One list, read by `grant_app_role` (the application's role may only INSERT and SELECT them), by the
migrations that install the refusing triggers (`append_only_operations`) and by the tests that
prove each refusal as the application's role. A table added here needs its migration to call
`append_only_operations(TABLE)`; `grant_app_role` skips, with a notice, a listed table that no
migration has created yet.

Two layers, because either alone can be walked around (docs/security.md):
- privileges: the web app and the workers connect as a role that owns nothing, so it can neither
  UPDATE, DELETE nor TRUNCATE these tables, nor ALTER, DROP or disable their triggers;
- triggers (PostgreSQL): BEFORE UPDATE OR DELETE on each row and BEFORE TRUNCATE refuse whoever
  writes, so a grant given by mistake does not open them. TRUNCATE is let through for the table's
  owner (and superusers) only: the owner can drop the trigger anyway, and `flush` (the test
  suite, a development reset) empties every table with one TRUNCATE.
SQLite (development) relies on the models' signals and on the seal's UPDATE trigger."""

from django.db import migrations

APPEND_ONLY_TABLES = (
    "contests_decision",  # the decision log
    "quiz_roundseal",  # the seals (key file and fingerprint)
    "quiz_roundcommitment",  # the results commitments (Merkle root of the receipts)
    "quiz_rounderratum",  # the errata of sealed keys (each a new key file chained to the last)
)

FUNCTION = "append_only_refuse"

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION append_only_refuse() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND pg_has_role(
        current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER'
    ) THEN
        RETURN NULL;
    END IF;
    -- No percent-sign placeholders: the migration's driver would read them as parameters.
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ': append-only, ' || TG_OP || ' refused',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def trigger_names(table: str) -> tuple[str, str]:
    """The row trigger (UPDATE, DELETE) and the statement trigger (TRUNCATE) of a table."""
    return f"{table}_append_only_rows", f"{table}_append_only_truncate"


def append_only_sql(table: str) -> str:
    rows, truncate = trigger_names(table)
    return f"""{FUNCTION_SQL}
DROP TRIGGER IF EXISTS {rows} ON {table};
CREATE TRIGGER {rows} BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
DROP TRIGGER IF EXISTS {truncate} ON {table};
CREATE TRIGGER {truncate} BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}();
"""


def append_only_drop_sql(table: str) -> str:
    rows, truncate = trigger_names(table)
    return f"DROP TRIGGER IF EXISTS {rows} ON {table};\nDROP TRIGGER IF EXISTS {truncate} ON {table};\n"


def append_only_operations(table: str) -> list:
    """The migration operations that make `table` append-only on PostgreSQL (nothing elsewhere).
    Idempotent: the shared function is replaced, the triggers dropped and created again."""

    def up(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(append_only_sql(table))

    def down(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(append_only_drop_sql(table))

    return [migrations.RunPython(up, down, elidable=False)]

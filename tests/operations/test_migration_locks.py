"""A new migration takes no long lock on the contest's busy tables (operations.migration_safety).

Every migration of the project's apps that is not in migration_baseline.txt is turned into SQL
(`sqlmigrate`, PostgreSQL) and each statement that changes quiz_attempt, quiz_attemptquestion,
quiz_roundentry, accounts_user or django_session is checked against the expand/contract policy."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader

from operations.migration_safety import POLICY, hot_tables, unsafe_statements

BASELINE = Path(__file__).with_name("migration_baseline.txt")
PROJECT_APPS = {"accounts", "contests", "quiz", "essays", "reports", "audit", "awards", "privacy", "operations"}
HOT = {"quiz_attempt", "quiz_attemptquestion", "quiz_roundentry", "accounts_user", "django_session"}


def _baseline() -> set[str]:
    lines = (line.split("#")[0].strip() for line in BASELINE.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


def _new_migrations() -> list[tuple[str, str]]:
    on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    known = _baseline()
    return sorted((app, name) for app, name in on_disk if app in PROJECT_APPS and f"{app}.{name}" not in known)


def test_the_busy_tables_are_the_ones_named():
    assert hot_tables() == HOT


def test_the_baseline_names_only_migrations_that_exist():
    on_disk = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    assert _baseline() - on_disk == set()


@pytest.mark.postgres
@pytest.mark.django_db
def test_new_migrations_take_no_long_lock_on_the_busy_tables():
    report = []
    for app, name in _new_migrations():
        out = io.StringIO()
        call_command("sqlmigrate", app, name, stdout=out)
        findings = unsafe_statements(out.getvalue(), HOT)
        if findings:
            report.append(f"{app}.{name}:\n  " + "\n  ".join(str(f) for f in findings))
    assert not report, "\n\n".join(report) + "\n\n" + POLICY


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_check_reads_real_sqlmigrate_output():
    """accounts.0004 (in the baseline: it came before the contest had users) added a UNIQUE
    column to the user table; as a new migration it would be stopped."""
    out = io.StringIO()
    call_command("sqlmigrate", "accounts", "0004_user_phone", stdout=out)

    problems = [f.problem.split(" ")[0:3] for f in unsafe_statements(out.getvalue(), HOT)]

    assert problems == [["ADD", "COLUMN", "…"], ["CREATE", "INDEX", "without"]]


@pytest.mark.parametrize(
    "sql",
    [
        'ALTER TABLE "quiz_attempt" ADD COLUMN "receipt" uuid DEFAULT gen_random_uuid() NOT NULL;',
        'ALTER TABLE "quiz_attempt" ADD COLUMN "n" integer NOT NULL;',
        'ALTER TABLE "quiz_attempt" ADD COLUMN "code" varchar(20) NULL UNIQUE;',
        'ALTER TABLE "quiz_attempt" ALTER COLUMN "score" TYPE numeric(8, 2) USING "score"::numeric(8, 2);',
        'ALTER TABLE "accounts_user" ALTER COLUMN "phone" SET NOT NULL;',
        'CREATE INDEX "quiz_attempt_x_idx" ON "quiz_attempt" ("finished_at");',
        'CREATE UNIQUE INDEX "one" ON "quiz_roundentry" ("round_id", "user_id");',
        'ALTER TABLE "quiz_attemptquestion" ADD CONSTRAINT "fk" FOREIGN KEY ("option_id") REFERENCES "quiz_option" ("id") '
        "DEFERRABLE INITIALLY DEFERRED;",
        'ALTER TABLE "quiz_attempt" ADD CONSTRAINT "score_positive" CHECK ("score" >= 0);',
        'ALTER TABLE "django_session" ADD CONSTRAINT "u" UNIQUE ("session_data");',
        'ALTER TABLE "quiz_attempt" DROP COLUMN "pace" CASCADE;',
        'ALTER TABLE "quiz_roundentry" RENAME COLUMN "score" TO "points";',
    ],
)
def test_each_long_locking_statement_is_caught(sql):
    findings = unsafe_statements(f"BEGIN;\n--\n-- a comment\n--\n{sql}\nCOMMIT;", HOT)
    assert len(findings) == 1
    assert findings[0].table in HOT


@pytest.mark.parametrize(
    "sql",
    [
        'ALTER TABLE "quiz_attempt" ADD COLUMN "receipt" varchar(64) DEFAULT \'\' NOT NULL;',  # constant: PG ≥ 11
        'ALTER TABLE "quiz_attempt" ADD COLUMN "receipt" varchar(64) NULL;',
        'ALTER TABLE "quiz_attempt" ALTER COLUMN "receipt" DROP DEFAULT;',
        'CREATE INDEX CONCURRENTLY "quiz_attempt_x_idx" ON "quiz_attempt" ("finished_at");',
        'ALTER TABLE "quiz_attempt" ADD CONSTRAINT "score_positive" CHECK ("score" >= 0) NOT VALID;',
        'ALTER TABLE "quiz_attempt" VALIDATE CONSTRAINT "score_positive";',
        # Another table referring to a busy one (a new model's foreign key to the user) is not flagged.
        'ALTER TABLE "essays_note" ADD CONSTRAINT "fk" FOREIGN KEY ("user_id") REFERENCES "accounts_user" ("id");',
        'CREATE INDEX "quiz_attempt_like" ON "quiz_attemptlog" ("x");',  # a different table, a similar name
    ],
)
def test_statements_that_take_no_long_lock_pass(sql):
    assert unsafe_statements(sql, HOT) == []


def test_a_busy_table_created_in_the_same_migration_is_new_and_empty():
    sql = 'CREATE TABLE "django_session" ("k" varchar(40) NOT NULL PRIMARY KEY);\nCREATE INDEX "i" ON "django_session" ("k");'
    assert unsafe_statements(sql, HOT) == []


def test_the_failure_message_explains_expand_contract():
    assert "NOT VALID" in POLICY and "AddIndexConcurrently" in POLICY and "later release" in POLICY

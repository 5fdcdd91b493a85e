"""Migrations on a live system: which SQL statements would hold a long lock on a busy table.

During a contest, the attempt, its answers, the round entries, the users and the sessions are
written every second. A statement that rewrites or scans one of those tables under ACCESS
EXCLUSIVE (or blocks its writes while an index builds) stops the site for as long as it runs.
The policy is expand/contract (docs/operations.md): a migration only adds in ways that take no
long lock; the code that needs the new shape ships with it; what is removed or tightened goes in
a later release, once no running code uses the old shape.

tests/operations/test_migration_locks.py runs `unsafe_statements` over the SQL (`sqlmigrate`, on
PostgreSQL) of every migration not yet in tests/operations/migration_baseline.txt."""

import re
from dataclasses import dataclass

import sqlparse

# The tables a contest writes all the time: (app_label.Model) resolved to their db_table.
HOT_MODELS = ("quiz.Attempt", "quiz.AttemptQuestion", "quiz.RoundEntry", "accounts.User", "sessions.Session")

# Functions PostgreSQL must call once per row: a column added with one as its default rewrites the table.
VOLATILE = ("random(", "clock_timestamp(", "timeofday(", "gen_random_uuid(", "uuid_generate_", "nextval(")

POLICY = (
    "Expand/contract: during a contest this table is written every second, and the statement above "
    "holds a lock that stops those writes while it rewrites or scans the whole table. Instead: add a "
    "column nullable or with a constant default; build indexes with AddIndexConcurrently (atomic = False); "
    "add a FOREIGN KEY or CHECK as NOT VALID, then VALIDATE CONSTRAINT in a later migration; for NOT NULL, "
    "add CHECK (col IS NOT NULL) NOT VALID, validate it, then SET NOT NULL; change a type by adding a new "
    "column, backfilling it in batches and switching the code; drop or rename only in a later release, when "
    "no running code reads the old name. If a reviewer has judged the migration safe (the table is small "
    "or it runs in a maintenance window), add its name to tests/operations/migration_baseline.txt with a "
    "comment saying why."
)


@dataclass(frozen=True)
class Finding:
    table: str
    problem: str
    statement: str

    def __str__(self):
        return f"{self.table}: {self.problem}\n    {self.statement}"


def _rules(statement: str) -> list[str]:
    s = " ".join(statement.split())
    upper = s.upper()
    problems = []
    for column in re.findall(r"ADD COLUMN (.*?)(?=, ADD COLUMN|$)", s, flags=re.IGNORECASE):
        col = column.upper()
        if any(f.upper() in col for f in VOLATILE) or " SERIAL" in col or "GENERATED" in col:
            problems.append("ADD COLUMN with a volatile default, a serial or a generated column rewrites the table")
        elif re.search(r"\b(UNIQUE|PRIMARY KEY)\b", col):
            problems.append("ADD COLUMN … UNIQUE builds its index under lock (add the column, then the index CONCURRENTLY)")
        elif "NOT NULL" in col and " DEFAULT " not in col:
            problems.append("ADD COLUMN … NOT NULL without a default fails on a table with rows (or needs a rewrite)")
    if re.search(r"ALTER COLUMN \S+ (SET DATA )?TYPE ", upper):
        problems.append("ALTER COLUMN … TYPE rewrites the table (or at least scans it) under ACCESS EXCLUSIVE")
    if re.search(r"ALTER COLUMN \S+ SET NOT NULL", upper):
        problems.append("SET NOT NULL scans the whole table under ACCESS EXCLUSIVE")
    if re.match(r"CREATE (UNIQUE )?INDEX ", upper) and " CONCURRENTLY " not in f" {upper} ":
        problems.append("CREATE INDEX without CONCURRENTLY blocks every write until the index is built")
    for constraint in re.findall(r"ADD CONSTRAINT .*?(?=, ADD CONSTRAINT|$)", upper):
        if ("FOREIGN KEY" in constraint or " CHECK " in constraint) and "NOT VALID" not in constraint:
            problems.append("ADD CONSTRAINT (FOREIGN KEY or CHECK) without NOT VALID scans the table under lock")
        elif (" UNIQUE " in f"{constraint} " or "PRIMARY KEY" in constraint) and " USING INDEX " not in constraint:
            problems.append("ADD CONSTRAINT UNIQUE builds its index under lock (build it CONCURRENTLY, then USING INDEX)")
    if re.search(r"\bDROP COLUMN\b|\bRENAME\b", upper):
        problems.append("DROP COLUMN / RENAME breaks the code still running during the deploy (contract only in a later release)")
    if "ALTER TABLE" in upper and " SET TABLESPACE " in upper or re.match(r"(VACUUM FULL|CLUSTER) ", upper):
        problems.append("rewrites the whole table")
    return problems


_TARGET = re.compile(
    r'^(?:ALTER TABLE (?:ONLY )?(?:IF EXISTS )?"?(?P<altered>\w+)"?'
    r'|CREATE (?:UNIQUE )?INDEX (?:CONCURRENTLY )?(?:IF NOT EXISTS )?"?\w+"? ON (?:ONLY )?"?(?P<indexed>\w+)"?'
    r'|(?:VACUUM FULL|CLUSTER) "?(?P<rewritten>\w+)"?)',
    re.IGNORECASE,
)


def _target(statement: str) -> str | None:
    """The table a statement changes (not one it merely references, as a new table's FOREIGN KEY does)."""
    match = _TARGET.match(" ".join(statement.split()))
    return match and (match["altered"] or match["indexed"] or match["rewritten"])


def unsafe_statements(sql: str, tables: set[str]) -> list[Finding]:
    """The statements of `sql` that touch one of `tables` in a way that takes a long lock. A table
    the same SQL creates is new and empty: whatever follows its CREATE TABLE is quick."""
    findings = []
    created = {m.lower() for m in re.findall(r'CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?', sql, flags=re.IGNORECASE)}
    tables = {t for t in tables if t.lower() not in created}
    for statement in sqlparse.split(sql):
        text = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--")).strip()
        if not text:
            continue
        table = _target(text)
        if table not in tables:
            continue
        findings += [Finding(table, problem, " ".join(text.split())) for problem in _rules(text)]
    return findings


def hot_tables() -> set[str]:
    from django.apps import apps

    return {apps.get_model(label)._meta.db_table for label in HOT_MODELS}

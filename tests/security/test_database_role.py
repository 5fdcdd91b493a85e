"""The application's database role (contests.database_roles, `grant_app_role`): as that role the
append-only tables (contests.append_only) can be inserted and read, never updated, deleted,
truncated, altered, dropped or have their triggers disabled or dropped; a sealed round's window
moves only through round_extend_window and round_close_early; and the application runs as that role.

The tests run as the superuser who owns the tables: each creates a NOLOGIN role inside its own
transaction (gone with the rollback), grants it with the command, and `SET ROLE`s to it."""

import datetime
import io
import re
import uuid
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from audit.verification import verify_results
from contests import append_only, database_roles
from contests.append_only import APPEND_ONLY_TABLES, trigger_names
from contests.decisions import Action
from contests.models import Decision
from quiz.models import Attempt, Round, RoundSeal, RoundWindowChange
from quiz.receipts import round_commit
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.errata import round_erratum
from quiz.services.rounds import round_close_early, round_extend_window
from tests.factories import ContestFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _execute(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


@pytest.fixture
def app_role():
    """A role granted as production's `contest_app` is, created in the test's transaction."""
    name = f"test_app_{uuid.uuid4().hex[:12]}"
    _execute(f"CREATE ROLE {name} NOLOGIN")
    call_command("grant_app_role", name, stdout=io.StringIO())
    return name


@contextmanager
def as_role(name):
    _execute(f"SET ROLE {name}")
    try:
        yield
    finally:
        _execute("RESET ROLE")


def _refused(sql):
    """The statement fails (in a savepoint, so the test's transaction goes on)."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        _execute(sql)
    return str(caught.value).splitlines()[0]


def _count(table):
    return _execute(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608 (a constant list of tables)


@pytest.fixture
def rows():
    """A sealed round and a closed, committed one with an erratum: rows in each append-only table."""
    round = sealed_round(pool_size=4, fields=1, questions_per_attempt=4)
    now = timezone.now()
    closed = sealed_round(
        pool_size=4, fields=1, questions_per_attempt=4,
        opens_at=now - datetime.timedelta(days=2), closes_at=now - datetime.timedelta(days=1),
    )  # fmt: skip
    round_commit(round=closed)
    round_erratum(
        round=closed, question=closed.pool.first().question, action="annul", reason="Câu hỏi có hai đáp án đúng.",
        by=staff_user(Role.ORGANIZER),
    )  # fmt: skip
    # Checked now, so that TRUNCATE is refused for what it is, not for pending foreign-key checks.
    _execute("SET CONSTRAINTS ALL IMMEDIATE")
    return round


def _attacks(table):
    rows_trigger, truncate_trigger = trigger_names(table)
    return [
        f"UPDATE {table} SET id = id",
        f"DELETE FROM {table}",
        f"TRUNCATE {table}",
        f"TRUNCATE {table} CASCADE",
        f"ALTER TABLE {table} DISABLE TRIGGER {rows_trigger}",
        f"ALTER TABLE {table} DISABLE TRIGGER USER",
        f"ALTER TABLE {table} DISABLE TRIGGER ALL",
        f"DROP TRIGGER {rows_trigger} ON {table}",
        f"DROP TRIGGER {truncate_trigger} ON {table}",
        f"DROP TABLE {table} CASCADE",
        f"ALTER TABLE {table} OWNER TO CURRENT_USER",
        f"ALTER TABLE {table} RENAME TO {table}_old",
    ]


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_as_the_app_role_every_change_to_an_append_only_table_is_refused(app_role, rows, table):
    before = _count(table)
    assert before >= 1

    with as_role(app_role):
        messages = {sql: _refused(sql) for sql in _attacks(table)}
        still = _count(table)  # SELECT works

    # Refused for lack of the right, not by accident.
    assert {sql: m for sql, m in messages.items() if not m.startswith(("permission denied", "must be owner"))} == {}
    assert still == before
    assert _count(table) == before


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_a_mistaken_grant_still_meets_the_triggers(app_role, rows, table):
    """Privileges are the first wall, the triggers the second: given UPDATE, DELETE and TRUNCATE by
    mistake, the application's role is still refused by the table's triggers."""
    _execute(f"GRANT UPDATE, DELETE, TRUNCATE ON {table} TO {app_role}")
    before = _count(table)

    with as_role(app_role):
        messages = [_refused(sql) for sql in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}", f"TRUNCATE {table}")]

    assert messages == [f"{table}: append-only, {op} refused" for op in ("UPDATE", "DELETE", "TRUNCATE")], messages
    assert _count(table) == before


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_the_owner_meets_the_row_triggers_too(rows, table):
    before = _count(table)

    assert f"{table}: append-only, UPDATE refused" in _refused(f"UPDATE {table} SET id = id")
    assert f"{table}: append-only, DELETE refused" in _refused(f"DELETE FROM {table}")
    assert _count(table) == before


def test_every_listed_table_has_both_triggers():
    for table in APPEND_ONLY_TABLES:
        names = {
            name
            for (name,) in _execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal AND tgenabled = 'O'", [table]
            )
        }
        assert set(trigger_names(table)) <= names


def test_as_the_app_role_ordinary_tables_are_writable_and_the_migration_history_is_not(app_role, rows):
    user = contestant()

    with as_role(app_role):
        _execute("UPDATE accounts_user SET full_name = 'Lan' WHERE id = %s", [user.pk])
        _execute("DELETE FROM django_session")
        _refused("DELETE FROM django_migrations")
        _refused("CREATE TABLE intruder (id int)")

    user.refresh_from_db()
    assert user.full_name == "Lan"


def test_as_the_app_role_a_sealed_rounds_window_and_approval_do_not_move(app_role, rows):
    round = rows
    earlier = round.closes_at - datetime.timedelta(days=1)

    with as_role(app_role):
        for change in (
            {"closes_at": earlier},
            {"closes_at": round.closes_at + datetime.timedelta(days=1)},  # later, but no recorded change
            {"opens_at": round.opens_at - datetime.timedelta(hours=1)},
            {"approved_at": None},
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                Round.objects.filter(pk=round.pk).update(**change)
        Round.objects.filter(pk=round.pk).update(full_score_actual=3)  # what sealing leaves free

    after = Round.objects.get(pk=round.pk)
    assert (after.opens_at, after.closes_at, after.approved_at) == (round.opens_at, round.closes_at, round.approved_at)
    assert after.full_score_actual == 3


def test_as_the_app_role_an_early_close_goes_through_with_its_record_never_into_the_past(app_role, rows):
    round = rows
    organizer = staff_user(Role.ORGANIZER)
    past = timezone.now() - datetime.timedelta(hours=2)

    with as_role(app_role):
        RoundWindowChange.objects.create(
            round=round, old_closes_at=round.closes_at, new_closes_at=past, reason="x", changed_by=organizer
        )
        with pytest.raises(DatabaseError), transaction.atomic():
            Round.objects.filter(pk=round.pk).update(closes_at=past)  # recorded, but back in time
        change = round_close_early(round=round, by=organizer, reason="Đáp án bị lộ")

    assert Round.objects.get(pk=round.pk).closes_at == change.new_closes_at < round.closes_at
    assert Decision.objects.filter(object_id=round.pk, action=Action.WINDOW_CLOSE_EARLY).count() == 1


def test_the_application_runs_as_its_role(app_role):
    """A round sealed, an attempt started and submitted, the window extended, the results verified:
    every write the application makes is within its grant."""
    organizer = staff_user(Role.ORGANIZER)
    player = contestant()
    contest = ContestFactory()
    new_close = timezone.now() + datetime.timedelta(days=8)

    with as_role(app_role):
        round = sealed_round(contest=contest, pool_size=4, fields=1, questions_per_attempt=4, organizer=organizer)
        attempt = attempt_start(round=round, user=player)
        attempt = attempt_submit(attempt=attempt, user=player, answers=answer_all(attempt, right=3))
        round_extend_window(round=round, closes_at=new_close, by=organizer, reason="Mất điện diện rộng")
        report = verify_results(contest_slug=contest.slug)

    assert attempt.score == 3
    assert RoundSeal.objects.filter(round=round).count() == 1
    assert RoundWindowChange.objects.filter(round=round).count() == 1
    assert Round.objects.get(pk=round.pk).closes_at == new_close
    extension = Decision.objects.get(object_id=round.pk, action=Action.WINDOW_EXTEND)
    assert extension.data["new_closes_at_utc"] == new_close.astimezone(datetime.UTC).isoformat()
    assert report.messages() == []


def _privileges(role):
    return sorted(
        _execute("SELECT table_name, privilege_type FROM information_schema.role_table_grants WHERE grantee = %s", [role])
    )


def test_grant_app_role_is_idempotent_and_exact(app_role):
    first = _privileges(app_role)
    call_command("grant_app_role", app_role, stdout=io.StringIO())

    assert _privileges(app_role) == first
    granted = {}
    for table, privilege in first:
        granted.setdefault(table, set()).add(privilege)
    for table in APPEND_ONLY_TABLES:
        assert granted[table] == {"SELECT", "INSERT"}
    assert granted["quiz_round"] == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert granted["django_migrations"] == {"SELECT"}
    assert not any({"TRUNCATE", "TRIGGER", "REFERENCES"} & privileges for privileges in granted.values())


def test_grant_app_role_takes_back_what_was_granted_by_hand(app_role):
    _execute(f"GRANT ALL ON contests_decision TO {app_role}")

    call_command("grant_app_role", app_role, stdout=io.StringIO())

    assert {p for t, p in _privileges(app_role) if t == "contests_decision"} == {"SELECT", "INSERT"}


def test_grant_app_role_notes_a_listed_table_not_created_yet(app_role, monkeypatch):
    listed = (*APPEND_ONLY_TABLES, "quiz_not_migrated_yet")
    monkeypatch.setattr(append_only, "APPEND_ONLY_TABLES", listed)
    monkeypatch.setattr(database_roles, "APPEND_ONLY_TABLES", listed)
    out = io.StringIO()

    call_command("grant_app_role", app_role, stdout=out)

    assert "quiz_not_migrated_yet chưa có" in out.getvalue()


def test_grant_app_role_refuses_a_role_that_could_walk_around_it(app_role):
    owner = f"test_owner_{uuid.uuid4().hex[:12]}"
    _execute(f"CREATE ROLE {owner} NOLOGIN")
    _execute(f"CREATE TABLE {owner}_table (id int)")
    _execute(f"ALTER TABLE {owner}_table OWNER TO {owner}")

    with pytest.raises(CommandError, match="superuser"):
        call_command("grant_app_role", "postgres", stdout=io.StringIO())
    with pytest.raises(CommandError, match="không tồn tại"):
        call_command("grant_app_role", "no_such_role_here", stdout=io.StringIO())
    with pytest.raises(CommandError, match="đang sở hữu"):
        call_command("grant_app_role", owner, stdout=io.StringIO())
    _execute(f"GRANT {owner} TO {app_role}")  # a member of an owner has the owner's rights
    with pytest.raises(CommandError, match=f"đang sở hữu {owner}_table"):
        call_command("grant_app_role", app_role, stdout=io.StringIO())


def test_the_pages_work_as_the_app_role(client, app_role):
    """Through the views: sign-in session, the round page, start, the attempt page, submit, the
    result and the leaderboard, all as the application's role."""
    round = sealed_round(pool_size=4, fields=1, questions_per_attempt=4)
    client.force_login(contestant())

    with as_role(app_role):
        page = client.get(reverse("quiz:round", args=[round.pk]))
        started = client.post(reverse("quiz:start", args=[round.pk]))
        attempt = Attempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", started["Location"]).group(1)))
        shown = client.get(started["Location"])
        answers = answer_all(attempt, right=2)
        submitted = client.post(reverse("quiz:attempt", args=[attempt.pk]), {f"q{p}": i for p, i in answers.items()})
        result = client.get(submitted["Location"])
        board = client.get(reverse("quiz:leaderboard", args=[round.pk]))

    assert (page.status_code, started.status_code, shown.status_code, submitted.status_code) == (200, 302, 200, 302)
    assert result.status_code == 200 and "2/4" in result.content.decode()
    assert board.status_code == 200

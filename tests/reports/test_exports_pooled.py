"""The streamed attempts export through PgBouncer in transaction mode (the pooled deployment):
between two statements the pooler may hand the client another server connection, so a server-side
cursor of QuerySet.iterator() is lost ("cursor … does not exist"). The export reads by key in
batches instead and writes the same workbook as with a direct connection."""

import io
import os
import subprocess
import sys
from contextlib import contextmanager

import pytest
from django.db import connections
from openpyxl import load_workbook

from quiz.models import Attempt
from reports import exports
from tests import pgbouncer
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bouncer():
    process, port, folder = pgbouncer.start(connections["default"].settings_dict)
    yield port
    connections["default"].close()
    pgbouncer.stop(process, folder)


@contextmanager
def through(port):
    """The default connection goes through the pooler on `port` while inside."""
    connection = connections["default"]
    saved = connection.settings_dict.copy()
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(port))
    try:
        connection.ensure_connection()
        assert connection.connection.info.port == port
        yield connection
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@contextmanager
def _neighbours(port):
    """Two other clients of the pool (two server connections): swap() makes one take the server
    connection most recently released (the export's) and lets the other go, so the export's next
    statement runs on another server connection."""
    settings_dict = connections["default"].settings_dict
    clients = [
        connections["default"].Database.connect(
            host="127.0.0.1", port=port, user=settings_dict["USER"], dbname=settings_dict["NAME"]
        )
        for _ in range(2)
    ]
    clients[0].cursor().execute("select 1")  # holds one server connection

    def swap():
        holding, waiting = clients
        waiting.cursor().execute("select 1")  # takes the one just released
        holding.rollback()
        clients.reverse()

    try:
        yield swap
    finally:
        for client in clients:
            client.close()


def _sheets(data: bytes) -> dict:
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def _export(contest) -> tuple[int, dict]:
    target = io.BytesIO()
    count = exports.attempts_workbook(target, contest=contest)
    return count, _sheets(target.getvalue())


def test_the_export_through_pgbouncer_in_transaction_mode_is_the_direct_one(bouncer, known_contest, monkeypatch):  # noqa: F811
    contest = known_contest[0]
    # Rows without a time (the second pass), and two with one.
    Attempt.objects.filter(round__contest=contest).exclude(status="open").update(finished_at=None)
    Attempt.objects.filter(pk__in=Attempt.objects.filter(round__contest=contest, round__number=1).values("pk")[:2]).update(
        finished_at=contest.created_at
    )
    monkeypatch.setattr(exports, "EXPORT_BATCH", 1)  # every row its own batch: many statements, many hand-overs
    direct = _export(contest)
    with through(bouncer) as connection, _neighbours(bouncer) as swap:
        served_by = []
        by_round = exports._by_round

        def busy(rows, batch=None):
            """Between two batches other clients take the server connection the export just had."""
            for row in by_round(rows, batch):
                yield row
                swap()
                with connection.cursor() as cursor:
                    cursor.execute("select pg_backend_pid()")
                    served_by.append(cursor.fetchone()[0])

        monkeypatch.setattr(exports, "_by_round", busy)
        pooled = _export(contest)

    assert len(set(served_by)) == 2 and served_by[0] != served_by[1]  # the batches hopped between servers
    assert pooled == direct
    count, sheets = direct
    assert count == 6 and len(sheets[exports.WEEKLY_SHEET]) == 7
    expected = list(
        exports.contest_attempts(contest=contest).order_by("round__number", "finished_at", "pk").values_list("pk", flat=True)
    )
    assert [row[0] for row in sheets[exports.WEEKLY_SHEET][1:]] == expected  # the order of before: round, time, id


def test_the_export_order_is_round_time_id_across_batches(known_contest, monkeypatch):  # noqa: F811
    contest = known_contest[0]
    monkeypatch.setattr(exports, "EXPORT_BATCH", 2)
    _count, sheets = _export(contest)
    expected = list(
        exports.contest_attempts(contest=contest).order_by("round__number", "finished_at", "pk").values_list("pk", flat=True)
    )
    assert [row[0] for row in sheets[exports.WEEKLY_SHEET][1:]] == expected and len(expected) == 6


def test_a_server_side_cursor_is_lost_in_transaction_mode(bouncer, known_contest):  # noqa: F811
    """Why the export does not use one: the pooler hands the next FETCH to another server
    connection while the one that declared the cursor is busy with another client."""
    with through(bouncer):
        rows = Attempt.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=1)
        assert next(rows)
        settings_dict = connections["default"].settings_dict
        other = connections["default"].Database.connect(
            host="127.0.0.1", port=bouncer, user=settings_dict["USER"], dbname=settings_dict["NAME"]
        )
        try:
            other.cursor().execute("select 1")  # opens a transaction: holds the server connection just released
            with pytest.raises(Exception, match="does not exist"):
                next(rows)
        finally:
            other.close()


def test_server_side_cursors_can_be_switched_off_from_the_environment():
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS'))"
    env = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "DJANGO_SETTINGS_MODULE": "contest_site.settings"}

    for value, expected in (("1", "True"), ("0", "False"), (None, "False")):
        run_env = {**os.environ, **env}
        run_env.pop("DJANGO_DISABLE_SERVER_SIDE_CURSORS", None)
        if value is not None:
            run_env["DJANGO_DISABLE_SERVER_SIDE_CURSORS"] = value
        out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], env=run_env,
                             capture_output=True, text=True, check=True)  # fmt: skip
        assert out.stdout.strip() == expected, value

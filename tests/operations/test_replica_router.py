"""The database router (contest_site/db_router.py) with a `replica` alias that mirrors the test
database: which alias each query goes to, in and out of `reading_from_replica()`, and that the
reports, the export job, /stats/, the item analysis and verify_results read through the scope
while everything they write stays on `default`. The same decisions against a real streaming
replica: tests/operations/test_replica.py."""

import json
import logging
import os
import subprocess
import sys
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections, transaction

from accounts.enums import Role
from contest_site import db_router
from contest_site.db_router import reading_from_replica
from contests.models import Contest
from quiz import analysis
from quiz.models import Round
from reports import services as report_services
from reports.models import ExportJob
from tests import replica, servers
from tests.factories import ContestFactory, contestant, staff_user
from tests.quiz.factories import played as take
from tests.quiz.factories import sealed_round
from tests.replica import queries_by_alias, writes
from tests.reports.test_figures import known_contest  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(scope="module", autouse=True)
def replica_mirror(django_db_setup, django_db_blocker):
    with replica.alias(dict(connections["default"].settings_dict)):
        yield


@pytest.fixture(autouse=True)
def fresh_status():
    db_router.forget_replica_status()
    yield
    db_router.forget_replica_status()


def _tables(sqls):
    return " ".join(sqls)


def test_reads_go_to_default_outside_a_scope():
    ContestFactory()
    with queries_by_alias() as seen:
        assert Contest.objects.count() == 1
    assert seen["default"] and not seen["replica"]
    assert db_router.current_read_alias() == "default"


def test_in_a_scope_reads_go_to_the_replica_and_writes_to_default():
    contest = ContestFactory()
    with queries_by_alias() as seen, reading_from_replica() as alias:
        assert alias == "replica" and db_router.current_read_alias() == "replica"
        assert Contest.objects.count() == 1
        read_back = Contest.objects.get(pk=contest.pk)
        assert read_back._state.db == "replica"
        read_back.theme = "Đổi chủ đề"
        read_back.save()  # an object read from the replica is saved on default
        Contest.objects.filter(pk=contest.pk).update(name="Đổi tên")
        ContestFactory()
    assert "contests_contest" in _tables(seen["replica"]) and writes(seen["replica"]) == []
    assert len(writes(seen["default"])) == 3
    assert not any(s.lstrip().upper().startswith("SELECT") for s in seen["default"])
    assert Contest.objects.get(pk=contest.pk).theme == "Đổi chủ đề"


def test_reads_made_for_a_write_stay_on_default():
    contest = ContestFactory()
    with reading_from_replica():
        assert Contest.objects.all().db == "replica"
        assert Contest.objects.select_for_update().db == "default"
        with queries_by_alias() as seen:
            Contest.objects.get_or_create(slug=contest.slug, defaults={"name": "x"})
            Contest.objects.update_or_create(slug=contest.slug, defaults={"theme": "Chủ đề mới"})
            with transaction.atomic():
                list(Contest.objects.select_for_update().filter(pk=contest.pk))
    assert seen["replica"] == []
    assert any("FOR UPDATE" in s for s in seen["default"])


def test_inside_a_transaction_on_default_reads_see_its_own_writes():
    with reading_from_replica(), queries_by_alias() as seen, transaction.atomic():
        contest = ContestFactory()
        assert Contest.objects.filter(pk=contest.pk).exists()
    assert seen["replica"] == []


def test_sessions_users_and_export_jobs_are_read_from_default():
    user = staff_user(Role.SECRETARIAT)
    with reading_from_replica(), queries_by_alias() as seen:
        assert get_user_model().objects.filter(pk=user.pk).exists()
        assert not ExportJob.objects.exists()
        from django.contrib.sessions.models import Session

        assert not Session.objects.exists()
    assert seen["replica"] == [] and len(seen["default"]) == 3


def test_one_decision_per_scope_nested_scopes_keep_it(settings):
    with reading_from_replica() as outer:
        settings.DATABASE_REPLICA_MAX_LAG = -1.0  # every lag is too much from now on
        db_router.forget_replica_status()
        with reading_from_replica() as inner:
            assert outer == inner == "replica"
    with reading_from_replica() as later:
        assert later == "default"


def test_the_scope_is_a_decorator_too():
    @reading_from_replica()
    def where():
        return db_router.current_read_alias(), Contest.objects.all().db

    assert where() == ("replica", "replica")
    assert db_router.current_read_alias() == "default"


def test_the_replica_is_checked_once_per_interval():
    lag_checks = []

    def count(execute, sql, params, many, context):
        lag_checks.append(sql == db_router.LAG_SQL)
        return execute(sql, params, many, context)

    with connections["replica"].execute_wrapper(count):
        for _ in range(5):
            with reading_from_replica() as alias:
                assert alias == "replica"
        if connections["replica"].vendor == "postgresql":
            assert sum(lag_checks) == 1
        db_router.replica_status(refresh=True)
    assert db_router.replica_status().usable


@pytest.mark.postgres
def test_a_lagging_replica_is_left_for_default_with_one_warning(monkeypatch, caplog):
    monkeypatch.setattr(db_router, "LAG_SQL", "select 12.5")
    caplog.set_level(logging.WARNING, logger="contest_site.db_router")
    ContestFactory()
    with queries_by_alias() as seen:
        for _ in range(3):
            db_router.replica_status(refresh=True)
            with reading_from_replica() as alias:
                assert alias == "default"
                assert Contest.objects.count() == 1
    status = db_router.replica_status()
    assert (status.usable, status.reason, status.lag) == (False, "lagging", 12.5)
    assert seen["replica"] == []
    warnings = [r.getMessage() for r in caplog.records if r.name == "contest_site.db_router"]
    assert warnings == ["Read replica 12.5 s behind (limit 5.0 s), reading from the primary"]


@pytest.mark.postgres
def test_an_unreachable_replica_is_left_for_default_at_once(caplog):
    caplog.set_level(logging.WARNING, logger="contest_site.db_router")
    connection = connections["replica"]
    connection.close()
    saved = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = str(servers.free_port())  # nothing listens there
    try:
        ContestFactory()
        started = time.monotonic()
        with reading_from_replica() as alias:
            assert alias == "default"
            assert Contest.objects.count() == 1
        elapsed = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved
    assert elapsed < 1.0
    assert db_router.replica_status().reason == "unreachable"
    assert any("Read replica unreachable" in r.getMessage() for r in caplog.records)
    db_router.forget_replica_status()
    with reading_from_replica() as alias:  # back: used again
        assert alias == "replica"


def test_without_a_replica_the_scope_changes_nothing():
    settings_dict = connections.settings.pop("replica")
    try:
        with reading_from_replica() as alias:
            assert alias == "default" and Contest.objects.all().db == "default"
        assert db_router.replica_status().reason == "unconfigured"
    finally:
        connections.settings["replica"] = settings_dict


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        (
            {"DATABASE_URL": "postgres://app@db:5432/contest", "DATABASE_REPLICA_URL": "postgres://app@db-replica:5432/contest",
             "DJANGO_CONN_MAX_AGE": "600", "DJANGO_DISABLE_SERVER_SIDE_CURSORS": "1"},
            {"HOST": "db-replica", "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True, "DISABLE_SERVER_SIDE_CURSORS": True,
             "MIRROR": "default", "OPTIONS": {"connect_timeout": 3}},
        ),
    ],
)  # fmt: skip
def test_settings_give_the_replica_the_primarys_connection_treatment(env, expected, tmp_path):
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "r = settings.DATABASES.get('replica');"
        "print(json.dumps(r and {k: r[k] for k in ('HOST', 'CONN_MAX_AGE', 'CONN_HEALTH_CHECKS',"
        " 'DISABLE_SERVER_SIDE_CURSORS', 'OPTIONS')} | {'MIRROR': r['TEST']['MIRROR']}))"
    )
    ours = ("DATABASE_", "DJANGO_CONN", "DJANGO_DISABLE")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "contest_site.settings", **env},
        cwd=replica.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == expected


# -- The paths that read through the scope -------------------------------------------------------


def test_the_attempts_export_reads_from_the_replica_and_keeps_its_job_on_default(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    job = report_services.export_request(kind="attempts", contest=contest, user=staff_user(Role.SECRETARIAT))
    with queries_by_alias() as seen:
        report_services.export_run(job=job)
    assert "quiz_attempt" in _tables(seen["replica"]) and writes(seen["replica"]) == []
    assert "quiz_attempt" not in _tables(seen["default"])
    assert {s.split()[1] for s in writes(seen["default"])} == {'"reports_exportjob"'}
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_done) == (ExportJob.Status.DONE, 6, 6)


def test_verify_results_reads_from_the_replica(capsys):
    week = sealed_round(contest=ContestFactory(), number=1)
    for right in (20, 17):
        take(week, contestant(), right)
    with queries_by_alias() as seen:
        call_command("verify_results")  # raises on a difference
    assert "2 bài thi" in capsys.readouterr().out
    assert len(seen["replica"]) > 10 and writes(seen["replica"]) == []
    assert "quiz_attempt" not in _tables(seen["default"])


def test_the_item_analysis_reads_the_answers_from_the_replica_and_stores_on_default(known_contest):  # noqa: F811
    contest, _tax, _power = known_contest
    week1 = Round.objects.get(contest=contest, number=1)
    with queries_by_alias() as seen:
        stat = analysis.round_analyse(round=week1)
    assert stat.attempts == 4
    assert "quiz_attemptquestion" in _tables(seen["replica"]) and writes(seen["replica"]) == []
    assert "quiz_attemptquestion" not in _tables(seen["default"])
    assert "quiz_roundstat" in _tables(writes(seen["default"]))


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/stats/", None),
        ("/reports/", Role.SECRETARIAT),
        ("/reports/summary.docx", Role.ORGANIZER),
        ("/reports/download/organizations.xlsx", Role.SECRETARIAT),
        ("/reports/units/", Role.SECRETARIAT),
    ],
)
def test_report_pages_read_their_figures_from_the_replica(client, known_contest, url, who):  # noqa: F811
    if who:
        client.force_login(staff_user(who))
    with queries_by_alias() as seen:
        response = client.get(url)
    assert response.status_code == 200
    assert "quiz_attempt" in _tables(seen["replica"]) and writes(seen["replica"]) == []
    assert "django_session" not in _tables(seen["replica"]) and "accounts_user" not in _tables(seen["replica"])


@pytest.mark.parametrize("path", ["winners", "export"])
def test_pages_that_show_a_persons_own_writes_read_from_default(client, known_contest, path, django_capture_on_commit_callbacks):  # noqa: F811
    contest, _tax, _power = known_contest
    client.force_login(staff_user(Role.SECRETARIAT))
    if path == "winners":
        url = f"/reports/rounds/{Round.objects.get(contest=contest, number=1).pk}/winners/"
    else:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/reports/exports/")
        url = response["Location"]
    with queries_by_alias() as seen:
        assert client.get(url).status_code == 200
        if path == "export":
            assert client.get(f"{url}file/").status_code == 200
    assert seen["replica"] == []

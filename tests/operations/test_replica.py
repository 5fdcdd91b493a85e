"""A real PostgreSQL primary and streaming read replica (scripts/pg-replica.sh, on loopback ports
5450 and 5451), with `default` pointed at the primary and `replica` at the replica: a write is
replayed on the replica; reports and verify_results inside `reading_from_replica()` read from it;
a replica whose replay is paused past DATABASE_REPLICA_MAX_LAG, or that is stopped, is left for
the primary with no error; outside the scope every read goes to the primary. Skipped only where
no PostgreSQL server binaries exist; in CI their absence fails (tests/replica.py)."""

import logging
import time

import pytest
from django.core.management import call_command
from django.db import connections

from contest_site import db_router
from contest_site.db_router import reading_from_replica
from contests.models import Contest
from reports import selectors
from tests import replica
from tests.factories import ContestFactory, contestant
from tests.quiz.factories import played as take
from tests.quiz.factories import sealed_round
from tests.replica import queries_by_alias, writes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases=["default", "replica"])]

DB = "contest"


@pytest.fixture(scope="module")
def cluster(django_db_setup, django_db_blocker):
    pair = replica.Cluster()
    try:
        started = time.monotonic()
        pair.start()
        print(f"\n[replica] primary and streaming replica up in {time.monotonic() - started:.1f} s")
        pair.copy_database(dict(connections["default"].settings_dict), DB)
        pair.wait_replayed(DB)
        with replica.alias(pair.settings_for(pair.replica_port, DB)):
            yield pair
    finally:
        pair.destroy()


@pytest.fixture
def on_cluster(cluster):
    """`default` on the cluster's primary for the test; the router's view of the replica fresh."""
    db_router.forget_replica_status()
    with replica.default_on(cluster.settings_for(cluster.primary_port, DB)):
        yield cluster
    db_router.forget_replica_status()
    if _replica_up(cluster):  # a failed test leaves replay running
        cluster.sql(cluster.replica_port, "select pg_wal_replay_resume()")


def _replica_up(cluster) -> bool:
    try:
        cluster.sql(cluster.replica_port, "select 1")
    except Exception:
        return False
    return True


def _ports_in_use() -> dict[str, int]:
    return {alias: connections[alias].connection.info.port for alias in ("default", "replica") if connections[alias].connection}


def test_a_write_on_the_primary_is_replayed_on_the_replica(on_cluster):
    assert on_cluster.sql(on_cluster.replica_port, "select pg_is_in_recovery()") == [(True,)]
    assert on_cluster.sql(on_cluster.primary_port, "select state from pg_stat_replication") == [("streaming",)]
    contest = ContestFactory()
    started = time.monotonic()
    while not Contest.objects.using("replica").filter(pk=contest.pk).exists():
        assert time.monotonic() - started < 10, "not replayed within 10 s"
        time.sleep(0.002)
    seconds = time.monotonic() - started
    print(f"\n[replica] a committed row visible on the replica after {seconds * 1000:.0f} ms")
    assert _ports_in_use() == {"default": on_cluster.primary_port, "replica": on_cluster.replica_port}


def test_reports_and_verify_results_in_the_scope_read_from_the_replica(on_cluster, capsys):
    contest = ContestFactory()
    week = sealed_round(contest=contest, number=1)
    for right in (20, 18, 15):
        take(week, contestant(), right)
    on_cluster.wait_replayed(DB)
    expected = selectors.weekly_table(contest=contest)[1].attempts

    with queries_by_alias() as seen:
        call_command("verify_results", "--contest", contest.slug)  # raises on a difference
        with reading_from_replica() as alias:
            attempts = selectors.weekly_table(contest=contest)[1].attempts

    assert "3 bài thi" in capsys.readouterr().out
    assert alias == "replica" and attempts == expected == 3
    assert len(seen["replica"]) > 10 and writes(seen["replica"]) == []
    assert "quiz_attempt" not in " ".join(seen["default"])
    assert connections["replica"].connection.info.port == on_cluster.replica_port


def test_a_lagging_replica_is_left_for_the_primary(on_cluster, settings, caplog):
    caplog.set_level(logging.WARNING, logger="contest_site.db_router")
    on_cluster.sql(on_cluster.replica_port, "select pg_wal_replay_pause()")
    started = time.monotonic()
    while on_cluster.sql(on_cluster.replica_port, "select pg_get_wal_replay_pause_state()") != [("paused",)]:
        assert time.monotonic() - started < 10
        time.sleep(0.01)
    contest = ContestFactory()  # committed on the primary, not replayed on the replica

    # A lag within the limit: the scope reads the replica, which does not have the row yet.
    settings.DATABASE_REPLICA_MAX_LAG = 3600
    with reading_from_replica() as alias:
        assert alias == "replica"
        assert not Contest.objects.filter(pk=contest.pk).exists()

    # Past the limit: the primary, which has it.
    settings.DATABASE_REPLICA_MAX_LAG = 1
    while (status := db_router.replica_status(refresh=True)).usable:
        assert time.monotonic() - started < 15, status
        time.sleep(0.1)
    assert (status.reason, status.lag > 1) == ("lagging", True)
    with queries_by_alias() as seen, reading_from_replica() as alias:
        assert alias == "default"
        assert Contest.objects.filter(pk=contest.pk).exists()
    assert seen["replica"] == []
    print(f"\n[replica] replay paused: lag {status.lag:.1f} s > 1 s, the scope read from the primary")
    assert any("behind (limit 1.0 s), reading from the primary" in r.getMessage() for r in caplog.records)

    # Replay resumed: caught up at once, used again.
    on_cluster.sql(on_cluster.replica_port, "select pg_wal_replay_resume()")
    caught_up = on_cluster.wait_replayed(DB)
    status = db_router.replica_status(refresh=True)
    assert (status.usable, status.lag) == (True, 0.0)
    with reading_from_replica() as alias:
        assert alias == "replica" and Contest.objects.filter(pk=contest.pk).exists()
    print(f"[replica] replay resumed: caught up in {caught_up * 1000:.0f} ms, lag back to 0")


def test_a_stopped_replica_is_left_for_the_primary_without_an_error(on_cluster, caplog):
    caplog.set_level(logging.WARNING, logger="contest_site.db_router")
    contest = ContestFactory()
    on_cluster.wait_replayed(DB)
    with reading_from_replica() as alias:  # the replica in use, a connection open to it
        assert alias == "replica" and Contest.objects.filter(pk=contest.pk).exists()
    on_cluster.script("stop-replica")
    try:
        # Within the check interval the process still takes the replica for fit, but the scope's
        # entry finds its connection dead: this very scope reads from the primary, with no error.
        assert db_router.replica_status().usable
        started = time.monotonic()
        with reading_from_replica() as alias:
            assert alias == "default"
            assert Contest.objects.filter(pk=contest.pk).exists()
            selectors.weekly_table(contest=contest)
        fallback = time.monotonic() - started
        call_command("verify_results", "--contest", contest.slug)
        assert db_router.replica_status().reason == "unreachable"
        assert fallback < 1.0
        assert sum("Read replica unreachable" in r.getMessage() for r in caplog.records) == 1
        print(f"\n[replica] replica stopped: the same scope read from the primary, {fallback * 1000:.0f} ms to decide")
    finally:
        on_cluster.script("start-replica")
    started = time.monotonic()
    on_cluster.wait_replayed(DB)
    db_router.forget_replica_status()
    with reading_from_replica() as alias:
        assert alias == "replica" and Contest.objects.filter(pk=contest.pk).exists()
    print(f"[replica] replica started again: in use after {time.monotonic() - started:.2f} s")


def test_outside_the_scope_every_read_goes_to_the_primary(on_cluster):
    contest = ContestFactory()
    on_cluster.wait_replayed(DB)
    with queries_by_alias() as seen:
        assert Contest.objects.filter(pk=contest.pk).exists()
        selectors.weekly_table(contest=contest)
    assert seen["replica"] == [] and seen["default"]
    assert connections["default"].connection.info.port == on_cluster.primary_port

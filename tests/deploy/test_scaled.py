"""docker-compose.scaled.yml, checked without a Docker engine (deploy/smoke-scaled.sh runs it):
what it adds to docker-compose.yml, and that its app services stay in step with the base file's."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SCALED = yaml.safe_load((ROOT / "docker-compose.scaled.yml").read_text())
WEB = ("web", "web2", "web3")
# Short jobs that must run on time share a worker (the SMS and closing timed-out attempts, every
# minute); the nightly jobs, which may take an hour, have theirs.
WORKERS = {"worker-notifications": "notifications,celery", "worker-exports": "exports,analysis",
           "worker-housekeeping": "housekeeping"}  # fmt: skip


def merged(name):
    """The service as compose sees it with both files (mappings merged, the rest replaced)."""
    base, override = BASE["services"].get(name, {}), SCALED["services"][name]
    service = {**base, **override}
    for key in ("environment", "depends_on"):
        service[key] = {**base.get(key, {}), **override.get(key, {})}
    return service


def test_three_web_nodes_behind_the_proxy_and_a_worker_per_group_of_queues():
    assert SCALED["services"]["proxy"]["environment"]["PROXY_UPSTREAMS"].split() == [f"{w}:8000" for w in WEB]
    for name in WEB:
        assert "gunicorn" in merged(name)["command"] and merged(name)["healthcheck"]["test"][-1] == "contest_site/healthcheck.py"
    for name, queues in WORKERS.items():
        assert merged(name)["command"].endswith(f"-Q {queues}")
    assert SCALED["services"]["worker"]["profiles"] == ["single"]  # the all-queues worker stays off
    assert "beat" in SCALED["services"] and not [s for s in SCALED["services"] if s.startswith("beat") and s != "beat"]


def test_the_app_goes_through_pgbouncer_and_reads_from_the_replica():
    for name in (*WEB, *WORKERS, "beat"):
        env = merged(name)["environment"]
        assert "@pgbouncer:5432/contest" in env["DATABASE_URL"], name
        assert "@db-replica:5432/contest" in env["DATABASE_REPLICA_URL"], name
        assert env["DJANGO_DISABLE_SERVER_SIDE_CURSORS"] == "1", name
        assert merged(name)["depends_on"]["pgbouncer"] == {"condition": "service_healthy"}, name
        for condition in merged(name)["depends_on"].values():
            assert "required" not in condition  # Debian's docker-compose 1.29
    assert "pgbouncer" in BASE["services"] and BASE["services"]["pgbouncer"]["profiles"] == ["pooled"]
    # The release step keeps its own session on the primary.
    assert "migrate" not in SCALED["services"]


def test_the_added_app_services_carry_everything_the_base_app_services_do():
    """web2, web3 and the workers are written out (1.29 cannot extend a service with depends_on):
    every variable, volume and dependency of the base file's web must be there too."""
    web = BASE["services"]["web"]
    for name in ("web2", "web3", *WORKERS):
        service = merged(name)
        assert set(web["environment"]) - {"PROMETHEUS_MULTIPROC_DIR"} <= set(service["environment"]), name
        assert service["volumes"] == web["volumes"] and service["env_file"] == web["env_file"], name
        assert set(web["depends_on"]) <= set(service["depends_on"]), name
        assert service["image"] == web["image"] and service["restart"] == web["restart"], name


def test_the_replica_is_a_base_backup_of_the_primary_through_a_slot():
    replica = SCALED["services"]["db-replica"]
    assert replica["entrypoint"] == ["postgres-replica-entrypoint"]
    assert replica["volumes"] == ["pgreplica:/var/lib/postgresql/data"]
    script = (ROOT / "deploy/postgres/replica-entrypoint.sh").read_text()
    assert "pg_basebackup" in script and " -R " in script and "--create-slot --if-not-exists" in script
    init = (ROOT / "deploy/postgres/init/20-replication.sh").read_text()
    assert "with replication login" in init and "host replication" in init
    assert "max_slot_wal_keep_size" in " ".join(SCALED["services"]["db"]["command"])


def test_postgresql_stops_fast_not_killed():
    """SIGTERM is PostgreSQL's smart shutdown: it waits for every client, so `docker stop` would
    kill it 10 s later and the next start would begin with a crash recovery."""
    assert BASE["services"]["db"]["stop_signal"] == "SIGINT"
    assert SCALED["services"]["db-replica"]["stop_signal"] == "SIGINT"

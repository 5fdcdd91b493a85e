"""deploy/prometheus: the scrape config and the alert rules parse, and every metric the rules name
is one the application exports (or the backup age, which the backup job reports)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

yaml = pytest.importorskip("yaml")

OPS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
# Reported by the backup job, not by operations.metrics.
EXTERNAL = {"contest_last_backup_age_seconds"}


def test_the_scrape_config_parses_and_scrapes_the_web_nodes():
    config = yaml.safe_load((OPS / "prometheus.yml").read_text(encoding="utf-8"))

    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert jobs["contest-web"]["metrics_path"] == "/metrics"
    assert jobs["contest-web"]["authorization"]["type"] == "Bearer"
    assert config["rule_files"] == ["alerts.yml"]


def test_every_alert_has_an_expression_and_a_summary():
    rules = yaml.safe_load((OPS / "alerts.yml").read_text(encoding="utf-8"))

    alerts = {rule["alert"]: rule for group in rules["groups"] for rule in group["rules"]}
    assert {
        "ContestTargetDown",
        "ContestServerErrors",
        "ContestAttemptViewsSlow",
        "ContestOutboxBacklogGrowing",
        "ContestSmsFailures",
        "ContestCeleryQueueLong",
        "ContestBackupTooOld",
    } <= set(alerts)
    for rule in alerts.values():
        assert rule["expr"].strip()
        assert rule["annotations"]["summary"]
        assert rule["labels"]["severity"] in {"warning", "critical"}


@pytest.mark.django_db
def test_the_rules_name_only_metrics_the_application_exports(client):
    exported = set()
    for name, kind in re.findall(r"^# TYPE (contest_\w+) (\w+)$", client.get("/metrics").content.decode(), flags=re.M):
        exported |= {name, f"{name}_total"}
        if kind == "histogram":
            exported |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
    rules = (OPS / "alerts.yml").read_text(encoding="utf-8")

    named = set(re.findall(r"\b(contest_[a-z_]+)\b", rules)) - {"contest_web", "contest_worker"}
    if not settings.REDIS_URL:  # the queue lengths are read from the Redis broker
        named.discard("contest_celery_queue_length")

    assert named - EXTERNAL <= exported
    assert "contest_last_backup_age_seconds" in named


def test_promtool_accepts_the_rules_when_it_is_installed():
    import shutil
    import subprocess

    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus)")
    result = subprocess.run([promtool, "check", "rules", str(OPS / "alerts.yml")], capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr

"""Project-wide guarantees: migrations match the models, production settings pass check --deploy."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:
        pytest.fail(f"models and migrations differ (run makemigrations):\n{out.getvalue()}")
        raise exc


def _manage(*args, env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | env_overrides
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_under_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_overrides={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-for-the-check-0123456789",
            "DJANGO_ALLOWED_HOSTS": "cuocthi.example.vn",
            "DJANGO_HTTPS": "1",
            "SITE_URL": "https://cuocthi.example.vn",
            "SMS_BACKEND": "contests.sms.GatewayBackend",
            "SMS_GATEWAY_URL": "https://sms.example.vn/api/send",
            "SMS_GATEWAY_TOKEN": "gateway-token-41a7",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "WINNER_DETAILS_KEYS": "1a8V9c5Yl3o4xk0Uu6tHcm8b7qCz2xQ1yq8nFJ8S0mE=",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_with_the_development_backends():
    result = _manage(
        "check",
        "--deploy",
        env_overrides={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-for-the-check-0123456789",
            "DJANGO_ALLOWED_HOSTS": "cuocthi.example.vn",
        },
    )
    assert result.returncode != 0
    for error in ("contest.E001", "contest.E003", "contest.E004", "contest.E006"):
        assert error in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env_overrides={"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "x"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_a_misspelt_boolean_is_an_error():
    result = _manage("check", env_overrides={"DJANGO_DEBUG": "ture"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be a boolean" in result.stderr


def test_seed_demo_refuses_with_debug_off():
    result = _manage(
        "seed_demo",
        env_overrides={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "s" * 50,
            "DJANGO_ALLOWED_HOSTS": "x",
            "DATABASE_URL": "sqlite://:memory:",
        },
    )
    assert result.returncode != 0
    assert "--force" in result.stderr


def test_no_file_holds_a_merge_conflict_marker():
    """A merge resolved in haste once left its markers in the docs."""
    markers = ("<" * 7 + " ", "=" * 7, ">" * 7 + " ")
    skip = {".venv", "node_modules", "staticfiles", ".git"}
    found = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if (
            skip & parts
            or not path.is_file()
            or path.suffix not in {".md", ".py", ".html", ".css", ".js", ".po", ".txt", ".toml", ".yml", ".sh"}
        ):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            if line.startswith(markers[0]) or line.startswith(markers[2]) or line == markers[1]:
                found.append(f"{path.relative_to(ROOT)}:{number}")
    assert found == []


# --- The suite on two workers (pytest-xdist, `make test`) ---------------------------------------

WHERE = """
import json, os, pathlib
import pytest
from django.conf import settings

@pytest.mark.parametrize("n", range(8))
def test_where(n):
    folder = pathlib.Path(os.environ["WHERE_OUT"])
    urls = [settings.REDIS_URL, settings.CACHES["default"]["LOCATION"], settings.CELERY_BROKER_URL]
    (folder / (os.environ["PYTEST_XDIST_WORKER"] + ".json")).write_text(json.dumps(urls))
"""


def test_two_workers_read_the_settings_on_redis_databases_of_their_own(tmp_path):
    """`pytest -n 2` as `make test` runs it: each worker's Django settings (read by pytest-django
    before any conftest) already hold its own Redis database, so one worker's cache reset never
    flushes the other's keys (contest_site.redis_config.for_test_worker)."""
    (tmp_path / "test_where.py").write_text(WHERE)
    out = tmp_path / "out"
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "CACHE_REDIS", "CELERY_"))}
    env.update(REDIS_URL="redis://127.0.0.1:6379/4", WHERE_OUT=str(out), DJANGO_SETTINGS_MODULE="contest_site.settings")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "load",
         "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT), str(tmp_path / "test_where.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    seen = {path.stem: json.loads(path.read_text()) for path in out.glob("*.json")}
    assert seen == {"gw0": ["redis://127.0.0.1:6379/5"] * 3, "gw1": ["redis://127.0.0.1:6379/6"] * 3}


def test_this_worker_flushes_only_its_own_redis_database(settings):
    """The running suite itself: under pytest-xdist with REDIS_URL, the cache this worker clears
    before every test is not the database REDIS_URL names (a serial run's) nor another worker's."""
    from contest_site.redis_config import for_test_worker

    worker, url = os.environ.get("PYTEST_XDIST_WORKER", ""), os.environ.get("REDIS_URL", "")
    if not worker or not url.startswith("redis://"):
        pytest.skip("not a pytest-xdist worker with a Redis cache")
    assert settings.CACHES["default"]["LOCATION"] == for_test_worker(url, worker) != url
    assert settings.CACHES["default"]["LOCATION"] != for_test_worker(url, "gw1" if worker == "gw0" else "gw0")

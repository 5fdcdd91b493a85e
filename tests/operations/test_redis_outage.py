"""Redis degrades, never fails the contestant (issue "Survive the faults"): with the cache pointed
at a Redis that does not answer, every page a contestant needs answers, the errors are counted,
the SMS ceiling refuses to send, /healthz/ (liveness) and /readyz/ (readiness) tell the two
apart; with the database down, /readyz/ answers 503 and /healthz/ 200."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from prometheus_client import REGISTRY
from redis.exceptions import ConnectionError as RedisConnectionError

from contest_site import redis_config
from contests import redis_cache, sms
from quiz.models import Attempt
from tests import servers
from tests.factories import ContestFactory, UserFactory, contestant
from tests.quiz.factories import sealed_round

ROOT = Path(__file__).resolve().parents[2]


def cache_errors() -> float:
    return sum(REGISTRY.get_sample_value("contest_cache_errors_total", {"kind": kind}) or 0 for kind in ("error", "skipped"))


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": redis_config.cache_settings(
            url=f"redis://127.0.0.1:{servers.free_port()}/0", sentinels="", master="", key_prefix="outage"
        )
    }
    redis_cache._states.clear()
    yield
    redis_cache._states.clear()


@pytest.mark.django_db
def test_the_whole_attempt_and_the_login_work_with_redis_down(redis_down):
    assert isinstance(cache._connections[cache._alias], redis_cache.FailOpenRedisCache)
    before = cache_errors()
    ContestFactory()
    round = sealed_round()
    UserFactory(email="an@example.com")

    anonymous = Client()
    assert anonymous.get("/").status_code == 200
    assert anonymous.get(reverse("account_login")).status_code == 200
    response = anonymous.post(reverse("account_login"), {"login": "an@example.com", "password": "DemoPass123!"})
    assert response.status_code == 302
    assert "_auth_user_id" in anonymous.session  # the session, written to and read from the database
    assert anonymous.get("/").status_code == 200

    client = Client()
    client.force_login(contestant())
    assert client.get(reverse("quiz:round", args=[round.pk])).status_code == 200
    started = client.post(reverse("quiz:start", args=[round.pk]))
    assert started.status_code == 302, started.content
    attempt = Attempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", started["Location"]).group(1)))
    page = client.get(reverse("quiz:attempt", args=[attempt.pk]))
    assert page.status_code == 200
    token = re.search(r'data-autosave-token="([^"]+)"', page.content.decode()).group(1)
    saved = client.post(reverse("quiz:autosave", args=[attempt.pk]), {"token": token, "q1": 0})
    assert saved.json() == {"saved": [1]}
    submitted = client.post(reverse("quiz:attempt", args=[attempt.pk]), {"q1": 0, "q2": 1})
    assert submitted.status_code == 302
    assert client.get(submitted["Location"]).status_code == 200
    attempt.refresh_from_db()
    assert attempt.finished_at is not None

    assert client.get("/healthz/").status_code == 200
    ready = client.get("/readyz/")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": True, "cache": False}
    assert cache_errors() > before


@pytest.mark.django_db
def test_the_sms_ceiling_fails_closed_with_redis_down(redis_down, sms_outbox):
    UserFactory(phone="0987000005", phone_verified=True)

    with pytest.raises(sms.SmsError):
        sms.send_sms(to="0987000005", body="x")
    with pytest.raises(sms.SmsError):
        sms.sms_ceiling_check()
    response = Client().post(reverse("account_request_login_code"), {"phone": "0987000005"}, follow=True)

    assert sms_outbox == []
    assert response.status_code == 200
    assert "Chưa gửi được tin nhắn" in response.content.decode()


def test_after_a_failure_redis_is_not_tried_again_for_a_few_seconds(redis_down):
    skipped = lambda: REGISTRY.get_sample_value("contest_cache_errors_total", {"kind": "skipped"}) or 0  # noqa: E731
    errors = lambda: REGISTRY.get_sample_value("contest_cache_errors_total", {"kind": "error"}) or 0  # noqa: E731
    e0, s0 = errors(), skipped()
    assert cache.get("k", "miss") == "miss"
    assert cache.add("k", 1) is None  # "not added": a single-run slot is not taken
    assert cache.incr("k") is None
    assert (errors() - e0, skipped() - s0) == (1, 2)
    with pytest.raises(RedisConnectionError):  # strict(): the error, even with the breaker open
        redis_cache.strict_cache().get("k")

    for state in redis_cache._states.values():  # the breaker's seconds are over: tried (and failed) again
        state["until"] = 0.0
    cache.set("k", 1)
    assert errors() - e0 == 2


def test_the_live_cache_goes_through_the_fail_open_backend(settings):
    if not settings.REDIS_URL:
        pytest.skip("no REDIS_URL: the tests run on the local-memory cache")
    assert isinstance(cache._connections[cache._alias], redis_cache.FailOpenRedisCache)
    cache.set("outage-live", "ok", 5)
    assert redis_cache.strict_cache().get("outage-live") == "ok"


@pytest.mark.django_db
def test_the_probes_answer_in_plain_http_where_pages_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz/").status_code == 200
    assert client.get("/readyz/").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_failed_login_limits_fail_open_with_redis_down(redis_down):
    """The written choice (contests.redis_cache): no sign-in is refused because Redis is down,
    even after the failures that would have stopped a guesser."""
    UserFactory(email="binh@example.com")
    client = Client()
    for _ in range(6):
        refused = client.post(reverse("account_login"), {"login": "binh@example.com", "password": "sai-mat-khau"})
        assert refused.status_code == 200
    response = client.post(reverse("account_login"), {"login": "binh@example.com", "password": "DemoPass123!"})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def _run(env_changes: dict, code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "contest_site.settings", **env_changes}
    env.pop("PYTEST_CURRENT_TEST", None)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_with_the_database_down_readyz_is_503_and_healthz_200():
    code = (
        "import django, json; django.setup()\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "h, r = c.get('/healthz/'), c.get('/readyz/')\n"
        "print(json.dumps([h.status_code, r.status_code, r.json()]))\n"
    )
    result = _run({"DATABASE_URL": f"postgres://postgres@127.0.0.1:{servers.free_port()}/none"}, code)
    assert result.returncode == 0, result.stderr[-3000:]
    healthz, readyz, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert (healthz, readyz) == (200, 503)
    assert body["database"] is False and body["status"] == "unavailable"


# --- Settings: separate Redis for the cache and the broker, Sentinel -----------------------------


def test_sentinels_are_parsed():
    assert redis_config.parse_sentinels(" 10.0.0.1:26379, sentinel-b:26380,[::1]:26381 ,") == [
        ("10.0.0.1", 26379),
        ("sentinel-b", 26380),
        ("::1", 26381),
    ]
    for bad in ("10.0.0.1", "host:port", ":26379", "h:70000"):
        with pytest.raises(Exception, match="host:port"):
            redis_config.parse_sentinels(bad)


def test_the_cache_through_sentinel_keeps_the_db_and_password():
    entry = redis_config.cache_settings(
        url="redis://:s3cret@ignored:6379/3", sentinels="s1:26379,s2:26379", master="cache-master", key_prefix="p"
    )
    assert entry["BACKEND"] == "contests.redis_cache.FailOpenRedisCache"
    assert entry["LOCATION"] == "redis://:s3cret@cache-master/3"
    assert entry["OPTIONS"]["CLIENT_CLASS"] == "django_redis.client.SentinelClient"
    assert entry["OPTIONS"]["CONNECTION_FACTORY"] == "django_redis.pool.SentinelConnectionFactory"
    assert entry["OPTIONS"]["SENTINELS"] == [("s1", 26379), ("s2", 26379)]
    plain = redis_config.cache_settings(url="redis://r:6379/1", sentinels="", master="", key_prefix="p")
    assert plain["LOCATION"] == "redis://r:6379/1"
    assert plain["OPTIONS"]["CLIENT_CLASS"] == "django_redis.client.DefaultClient"


def test_the_broker_through_sentinel_names_its_master():
    assert (
        redis_config.broker_transport_options(broker_url="sentinel://s1:26379;sentinel://s2:26379", master="mq")["master_name"]
        == "mq"
    )
    assert redis_config.broker_transport_options(broker_url="redis://r:6379/2", master="mq") == {}


def test_settings_read_the_split_and_keep_redis_url_as_the_default():
    code = (
        "import json; from django.conf import settings\n"
        "c = settings.CACHES['default']\n"
        "print(json.dumps([c['LOCATION'], c['OPTIONS'].get('SENTINELS'), settings.CELERY_BROKER_URL, "
        "settings.CELERY_BROKER_TRANSPORT_OPTIONS]))\n"
    )
    only = _run({"REDIS_URL": "redis://one:6379/4", "CACHE_REDIS_URL": "", "CELERY_BROKER_URL": ""}, code)
    assert only.returncode == 0, only.stderr[-2000:]
    assert json.loads(only.stdout.strip().splitlines()[-1]) == ["redis://one:6379/4", None, "redis://one:6379/4", {}]
    split = _run(
        {
            "REDIS_URL": "redis://one:6379/4",
            "CACHE_REDIS_URL": "redis://:pw@x/5",
            "CACHE_REDIS_SENTINELS": "s1:26379,s2:26379",
            "CACHE_REDIS_SENTINEL_MASTER": "cachemaster",
            "CELERY_BROKER_URL": "sentinel://s1:26379;sentinel://s2:26379",
            "CELERY_BROKER_SENTINEL_MASTER": "brokermaster",
        },
        code,
    )
    assert split.returncode == 0, split.stderr[-2000:]
    location, sentinels, broker, options = json.loads(split.stdout.strip().splitlines()[-1])
    assert location == "redis://:pw@cachemaster/5"
    assert sentinels == [["s1", 26379], ["s2", 26379]]
    assert broker == "sentinel://s1:26379;sentinel://s2:26379"
    assert options["master_name"] == "brokermaster"


def test_each_test_worker_moves_to_redis_databases_of_its_own():
    """Under pytest-xdist the suite's cache reset (tests/conftest.py) flushes its worker's database
    only: worker gwN takes the URL's database + N + 1; nothing moves outside the tests."""
    moved = redis_config.for_test_worker
    assert moved("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/1"
    assert moved("redis://:pw@r:6379/4", "gw1") == "redis://:pw@r:6379/6"
    assert moved("redis://r:6379", "gw0") == "redis://r:6379/1"
    assert moved("rediss://r:6380/2?ssl_cert_reqs=none", "gw3") == "rediss://r:6380/6?ssl_cert_reqs=none"
    for url in ("", "memory://", "sentinel://s1:26379;sentinel://s2:26379"):
        assert moved(url, "gw1") == url
    assert moved("redis://r:6379/4", "") == "redis://r:6379/4"
    with pytest.raises(ImproperlyConfigured, match="past Redis' 16"):
        moved("redis://r:6379/14", "gw1")
    with pytest.raises(ImproperlyConfigured, match="gwN"):
        moved("redis://r:6379/4", "master")

    code = (
        "import json; from django.conf import settings\n"
        "print(json.dumps([settings.REDIS_URL, settings.CACHES['default']['LOCATION'], settings.CELERY_BROKER_URL]))\n"
    )
    urls = {"REDIS_URL": "redis://one:6379/4", "CACHE_REDIS_URL": "", "CELERY_BROKER_URL": "", "PYTEST_XDIST_WORKER": "gw1"}
    for testing, expected in (("1", "redis://one:6379/6"), ("0", "redis://one:6379/4")):
        result = _run({**urls, "DJANGO_TESTING": testing}, code)
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(result.stdout.strip().splitlines()[-1]) == [expected] * 3, testing


# --- A real Sentinel (the redis-server binary in sentinel mode), on loopback ports of its own -----


@pytest.fixture
def sentinel(tmp_path):
    binary = servers.redis_binary()
    master_port, sentinel_port = servers.free_port(), servers.free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {sentinel_port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor testmaster 127.0.0.1 {master_port} 1\n"
        "sentinel down-after-milliseconds testmaster 5000\n"
    )
    master = subprocess.Popen(  # noqa: S603 - a fixed binary, our own arguments
        [binary, "--port", str(master_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    watcher = subprocess.Popen([binary, str(conf), "--sentinel"], stdout=subprocess.DEVNULL)  # noqa: S603
    try:
        servers.wait_for_redis(master_port)
        servers.wait_for_redis(sentinel_port)
        yield master_port, sentinel_port
    finally:
        for process in (watcher, master):
            process.terminate()
            process.wait(timeout=10)


@pytest.mark.django_db
def test_the_cache_and_the_broker_work_through_a_real_sentinel(sentinel, settings):
    import redis
    from kombu import Connection

    master_port, sentinel_port = sentinel
    settings.CACHES = {
        "default": redis_config.cache_settings(
            url="redis://ignored/2", sentinels=f"127.0.0.1:{sentinel_port}", master="testmaster", key_prefix="sent"
        )
    }
    redis_cache._states.clear()

    cache.set("through-sentinel", "ok", 30)
    assert cache.get("through-sentinel") == "ok"
    assert redis_cache.strict_cache().get("through-sentinel") == "ok"
    direct = redis.Redis(host="127.0.0.1", port=master_port, db=2)
    assert any(b"through-sentinel" in key for key in direct.keys("*"))  # it is in the master, db 2
    ready = Client().get("/readyz/").json()
    assert ready["cache"] is True

    broker = f"sentinel://127.0.0.1:{sentinel_port}"
    options = redis_config.broker_transport_options(broker_url=broker, master="testmaster")
    direct = redis.Redis(host="127.0.0.1", port=master_port)
    with Connection(broker, transport_options=options) as connection:
        queue = connection.SimpleQueue("outage-test")
        queue.put({"n": 1})
        assert direct.llen("outage-test") == 1  # the message is in the master the sentinel named
        message = queue.get(timeout=5)
        message.ack()
        assert message.payload == {"n": 1}
        queue.close()


def test_the_cache_follows_a_sentinel_failover(tmp_path, settings):
    import time

    import redis

    binary = servers.redis_binary()
    first, second, watcher_port = servers.free_port(), servers.free_port(), servers.free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {watcher_port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor failmaster 127.0.0.1 {first} 1\n"
        "sentinel down-after-milliseconds failmaster 1000\nsentinel failover-timeout failmaster 2000\n"
        f"sentinel known-replica failmaster 127.0.0.1 {second}\n"  # not the 10 s discovery
    )
    common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    processes = [
        subprocess.Popen([binary, "--port", str(first), *common], stdout=subprocess.DEVNULL),  # noqa: S603
        subprocess.Popen(  # noqa: S603
            [binary, "--port", str(second), "--replicaof", "127.0.0.1", str(first), *common], stdout=subprocess.DEVNULL
        ),
        subprocess.Popen([binary, str(conf), "--sentinel"], stdout=subprocess.DEVNULL),  # noqa: S603
    ]
    try:
        for port in (first, second, watcher_port):
            servers.wait_for_redis(port)
        settings.CACHES = {
            "default": redis_config.cache_settings(
                url="redis://ignored/0", sentinels=f"127.0.0.1:{watcher_port}", master="failmaster", key_prefix="fo"
            )
        }
        redis_cache._states.clear()
        cache.set("before", "1", 60)
        watcher = redis.Redis(host="127.0.0.1", port=watcher_port, decode_responses=True)
        deadline = time.monotonic() + 60
        replica = redis.Redis(host="127.0.0.1", port=second, decode_responses=True)
        while time.monotonic() < deadline:  # the sentinel has seen the replica, and it has the key
            known = watcher.execute_command("SENTINEL", "REPLICAS", "failmaster")
            if known and replica.info("replication").get("master_link_status") == "up":
                break
            time.sleep(0.2)
        watcher.execute_command("SENTINEL", "FAILOVER", "failmaster")

        def master_port():
            return int(watcher.execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "failmaster")[1])

        while time.monotonic() < deadline and master_port() != second:
            time.sleep(0.2)
        assert master_port() == second

        # The old master goes away, as a failed node does (waiting for the sentinel to demote it
        # takes one of its INFO rounds, up to ~10 s): a call or two may fail open while the cache
        # finds the new master, then the write lands there and reads back.
        processes[0].terminate()
        processes[0].wait(timeout=10)
        new_master = redis.Redis(host="127.0.0.1", port=second)
        deadline = time.monotonic() + 60  # on a loaded machine the failover alone can take most of the first minute

        def read(key):
            """A read, again while it fails open (a pooled connection to the old master fails
            once; the cache then gives None for a moment, as it is meant to)."""
            while True:
                for state in redis_cache._states.values():
                    state["until"] = 0.0
                value = cache.get(key)
                if value is not None or time.monotonic() > deadline:
                    return value
                time.sleep(0.2)

        while time.monotonic() < deadline:
            for state in redis_cache._states.values():
                state["until"] = 0.0
            cache.set("after", "2", 60)
            if new_master.exists(cache.make_key("after")) and read("after") == "2":
                break
            time.sleep(0.2)
        assert new_master.exists(cache.make_key("after"))  # the write landed on the new master
        assert read("after") == "2"
        assert read("before") == "1"  # replicated before the failover
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=10)

"""Redis settings from the environment: the cache (and the sessions' cached copy, the rate
limits) and the Celery broker can be separate Redis servers, each plain or behind Redis
Sentinel. Pure functions of their arguments, read by contest_site/settings.py.

    REDIS_URL                    the default for both (as before)
    CACHE_REDIS_URL              the cache's Redis (default REDIS_URL)
    CACHE_REDIS_SENTINELS        host:port,host:port — the cache's master is found through them
    CACHE_REDIS_SENTINEL_MASTER  the master's name at the sentinels (default mymaster)
    CELERY_BROKER_URL            the broker (default REDIS_URL); sentinel://host:port;sentinel://…
    CELERY_BROKER_SENTINEL_MASTER  the master's name for a sentinel:// broker (default mymaster)

With sentinels, CACHE_REDIS_URL gives the database number and the password (its host is
replaced by the master's name): redis://:password@ignored:6379/3.

Under pytest-xdist (`make test` runs the suite on two workers, gw0 and gw1) each worker moves
these URLs to Redis databases of its own (`for_test_worker`): the suite's cache reset flushes
its database before every test, and two workers on one database would wipe each other's keys.
"""

from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured


def parse_sentinels(raw: str) -> list[tuple[str, int]]:
    """'host:port,host:port' (IPv6 as [addr]:port) → [(host, port), …]."""
    sentinels = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ImproperlyConfigured(f"CACHE_REDIS_SENTINELS: {item!r} is not host:port.")
        sentinels.append((host.strip("[]"), int(port)))
    return sentinels


def cache_settings(*, url: str, sentinels: str, master: str, key_prefix: str) -> dict:
    """The CACHES["default"] entry: a fail-open django-redis cache (contests.redis_cache),
    through Redis Sentinel when sentinels are given."""
    options = {
        "CLIENT_CLASS": "django_redis.client.DefaultClient",
        # A Redis that does not answer fails a call within a second (and contests.redis_cache
        # then stops trying it for a few seconds) instead of holding a worker thread.
        "SOCKET_CONNECT_TIMEOUT": 1,
        "SOCKET_TIMEOUT": 2,
    }
    location = url
    hosts = parse_sentinels(sentinels)
    if hosts:
        if not master:
            raise ImproperlyConfigured("CACHE_REDIS_SENTINEL_MASTER is empty.")
        parts = urlsplit(url or "redis://localhost/0")
        auth = parts.netloc.rpartition("@")[0]
        location = urlunsplit(("redis", f"{auth}@{master}" if auth else master, parts.path or "/0", "", ""))
        options.update(
            {
                "CLIENT_CLASS": "django_redis.client.SentinelClient",
                "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
                "SENTINELS": hosts,
                "SENTINEL_KWARGS": {"socket_connect_timeout": 1, "socket_timeout": 2},
            }
        )
    elif not url:
        raise ImproperlyConfigured("CACHE_REDIS_URL (or REDIS_URL) is empty.")
    return {
        "BACKEND": "contests.redis_cache.FailOpenRedisCache",
        "LOCATION": location,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": options,
    }


def broker_transport_options(*, broker_url: str, master: str) -> dict:
    """Celery's broker_transport_options: the master's name for a sentinel:// broker."""
    if broker_url.startswith("sentinel://"):
        if not master:
            raise ImproperlyConfigured("CELERY_BROKER_SENTINEL_MASTER is empty.")
        return {"master_name": master, "sentinel_kwargs": {"socket_timeout": 1}}
    return {}


REDIS_DATABASES = 16  # Redis' default `databases`


def for_test_worker(url: str, worker: str) -> str:
    """The Redis URL a pytest-xdist worker uses instead of `url`: worker gwN takes the database
    N + 1 above the URL's (REDIS_URL=redis://host:6379/0 → gw0 on /1, gw1 on /2), so the
    workers never share a database with each other nor with a serial run on the URL's own.
    Unchanged outside a worker (`worker` empty), for an empty URL and for other schemes
    (sentinel://, memory://). Set only REDIS_URL for the tests: CACHE_REDIS_URL or
    CELERY_BROKER_URL on other databases of the same server would be moved onto each other's."""
    if not worker or not url.startswith(("redis://", "rediss://")):
        return url
    if not worker.startswith("gw") or not worker[2:].isdigit():
        raise ImproperlyConfigured(f"PYTEST_XDIST_WORKER: {worker!r} is not gwN.")
    parts = urlsplit(url)
    base = parts.path.strip("/") or "0"
    if not base.isdigit():
        raise ImproperlyConfigured(f"{url!r}: the database must be a number to give each test worker its own.")
    database = int(base) + 1 + int(worker[2:])
    if database >= REDIS_DATABASES:
        raise ImproperlyConfigured(
            f"test worker {worker} would use Redis database {database} (the URL's {base} + {1 + int(worker[2:])}), "
            f"past Redis' {REDIS_DATABASES}: run fewer workers or give a lower database in REDIS_URL."
        )
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))

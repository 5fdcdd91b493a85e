"""
WSGI config for contest_site project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contest_site.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    """Import now what the first requests would import on their way: the URLs and every view
    behind them, the cache's client, the contestant's templates. Under gunicorn with
    `preload_app` this happens once, in the master, before the workers fork; otherwise the
    first requests of each worker paid for it (at 8:00, the rush's). Nothing here opens a
    connection."""
    from django.core.cache import caches
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every urls module and its views)
    caches["default"]  # noqa: B018 (imports the cache's client)
    for name in ("quiz/round_detail.html", "quiz/attempt.html", "quiz/result.html", "account/login.html"):
        get_template(name)


_warm_up()

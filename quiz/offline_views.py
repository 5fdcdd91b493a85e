"""The attempt page without a network: its service worker and the offline page (docs/decisions.md,
«The attempt page offline»).

The worker's script is served from /quiz/attempts/sw.js, so its scope (the script's folder, the
browser's default) is the attempt pages and nothing else: no staff page, no other room of the
site, ever passes through it. What it keeps, and when it forgets it, is written in the script
(quiz/templates/quiz/sw.js). Its version is a digest of the script and of the files it keeps,
so a deploy that changes any of them installs a new worker with a new cache.

Neither view reads the session, the user or the database: the offline page is the same for
everyone (the worker fetches it without cookies) and holds nothing personal.
"""

import hashlib

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

# The files an attempt page needs besides its HTML: kept at install, so a copy of the page shows
# styled and working without a network.
SHELL_ASSETS = ("css/site.css", "css/quiz.css", "js/site.js", "js/quiz.js", "img/favicon.svg")
VERSION_PLACEHOLDER = "__SHELL_VERSION__"


def _asset_digest(path: str) -> bytes:
    found = finders.find(path)
    if not found:
        return b""
    with open(found, "rb") as handle:
        return hashlib.sha256(handle.read()).digest()


@require_GET
def service_worker(request):
    asset_urls = [static(path) for path in SHELL_ASSETS]
    script = render_to_string(
        "quiz/sw.js",
        {
            "version": VERSION_PLACEHOLDER,
            "offline_url": reverse("quiz:offline"),
            "precache": [reverse("quiz:offline"), *asset_urls],
            "static_prefix": settings.STATIC_URL,  # not static(""): the manifest storage has no entry for it
        },
    )
    digest = hashlib.sha256(script.encode())
    for path in SHELL_ASSETS:
        digest.update(_asset_digest(path))
    response = HttpResponse(
        script.replace(VERSION_PLACEHOLDER, digest.hexdigest()[:16]), content_type="text/javascript; charset=utf-8"
    )
    # Always asked again: a new deploy must reach every phone at its next attempt page.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@require_GET
def offline_page(request):
    """What an attempt's address shows when neither the server nor a copy of the page can answer."""
    # Without the request: no context processor, so nothing about who asks can reach the page.
    response = HttpResponse(render_to_string("quiz/offline.html"))
    patch_cache_control(response, public=True, max_age=0)
    return response

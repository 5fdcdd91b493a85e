import logging

from django.apps import apps
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from .enums import ContestStatus
from .models import ReferenceDocument
from .selectors import contest_with_pages, contests_overview, current_contest, past_contests

logger = logging.getLogger(__name__)


def home(request):
    """What is open now. Each part of a contest (the quiz, the essays) says what it shows here
    through its AppConfig's `home_context(contest, user)`, so this app imports neither."""
    contest = current_contest()
    context = {"contest": contest, "past_contests": past_contests(exclude=contest)[:5], "rounds": [], "phases": []}
    if contest is not None:
        for config in apps.get_app_configs():
            if hasattr(config, "home_context"):
                context.update(config.home_context(contest=contest, user=request.user))
    return render(request, "contests/home.html", context)


def contest_list(request):
    """Every public contest: open now, upcoming, archived (with their results). One query."""
    return render(request, "contests/list.html", {"overview": contests_overview()})


def _contest_or_404(slug):
    contest = contest_with_pages(slug=slug)
    if contest is None:
        raise Http404
    return contest


def _current_slug_redirect(name):
    contest = current_contest()
    if contest is None:
        raise Http404
    return redirect(name, slug=contest.slug)


def current_rules(request):
    return _current_slug_redirect("contests:rules")


def current_documents(request):
    return _current_slug_redirect("contests:documents")


def current_faq(request):
    return _current_slug_redirect("contests:faq")


def contest_detail(request, slug):
    return render(request, "contests/detail.html", {"contest": _contest_or_404(slug)})


def rules(request, slug):
    return render(request, "contests/rules.html", {"contest": _contest_or_404(slug)})


def documents(request, slug):
    return render(request, "contests/documents.html", {"contest": _contest_or_404(slug)})


def faq(request, slug):
    return render(request, "contests/faq.html", {"contest": _contest_or_404(slug)})


def document_download(request, pk):
    document = get_object_or_404(ReferenceDocument.objects.exclude(contest__status=ContestStatus.DRAFT), pk=pk)
    if not document.file or not document.file.storage.exists(document.file.name):
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


def healthz(request):
    """Liveness, for the container health check and load balancers: the process answers. It
    looks at no dependency, so a Redis or database outage does not mark every web node down at
    once (readiness, with the dependencies: `readyz`)."""
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: 200 when the database answers, 503 when it does not. Redis is reported but not
    fatal: the site runs without it (the cache fails open, contests.redis_cache)."""
    from django.db import connection
    from django.http import JsonResponse

    from .redis_cache import strict_cache

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = True
    except Exception:  # noqa: BLE001 - whatever the driver raises, the node is not ready
        logger.warning("readyz: the database does not answer.", exc_info=True)
        database = False
    try:
        cache = strict_cache()
        cache.set("readyz", "ok", 5)
        redis = cache.get("readyz") == "ok"
    except Exception:  # noqa: BLE001 - reported, not fatal
        redis = False
    body = {"status": "ok" if database else "unavailable", "database": database, "cache": redis}
    return JsonResponse(body, status=200 if database else 503)


def unsubscribe(request, token):
    """The link in every message: works without logging in. GET shows what will stop and asks to
    confirm (mail scanners follow links; only the POST changes anything); POST applies it."""
    from django.contrib.auth import get_user_model

    from . import notifications

    found = notifications.read_unsubscribe_token(token)
    user = get_user_model().objects.filter(pk=found[0]).first() if found else None
    if user is None:
        return render(request, "contests/unsubscribe.html", {"invalid": True}, status=404)
    user_id, kind = found
    kind_label = notifications.Kind(kind).label
    if request.method == "POST":
        scope = notifications.ALL if request.POST.get("scope") == notifications.ALL else kind
        notifications.unsubscribe(user_id=user_id, kind=scope)
        return render(
            request, "contests/unsubscribe.html", {"done": True, "all": scope == notifications.ALL, "kind_label": kind_label}
        )
    return render(request, "contests/unsubscribe.html", {"kind_label": kind_label, "ALL": notifications.ALL})


def too_many_requests(request, message: str = ""):
    """The 429 page of every limit: allauth's own (handler429 in contest_site.urls, which allauth
    looks up) and the exceptions contests.middleware.RateLimitedMiddleware turns into it."""
    return render(request, "429.html", {"message": message}, status=429)

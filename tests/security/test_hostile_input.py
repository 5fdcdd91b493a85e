"""Every URL, every role, hostile values in the path, the query string and the body: never a 500."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from essays.models import Assignment, Essay, EssayPrize, JudgingRound
from quiz.models import Attempt, Prize, Round

pytestmark = pytest.mark.django_db

HOSTILE_TEXT = ["\x00", "x" * 5000, "-1", "1.5", "\u202e\u200b\u0007", "../../etc/passwd", "1' OR '1'='1", "🙂" * 50]
HOSTILE_INT = ["0", "99999999999999999999999", "2147483648"]
PARAMS = [
    "page", "q", "sort", "order", "dir", "round", "status", "next", "kind", "field", "unit", "organization",
    "contest", "phase", "essay", "id", "ids", "pk", "action", "verdict", "decision", "threshold", "top", "count",
    "per_essay", "reason", "reasons", "note", "comment", "eligible", "tier", "answer", "position", "option",
    "points", "score", "email", "password", "login", "language", "to", "key",
]  # fmt: skip


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue  # the admin is Django's, guarded by its own tests; our URLs are the ones under test
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.pattern.converters


def _fill(route: str, converters: dict, value_for) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value_for(converters.get(m.group(1))), route)


def _paths(route: str, converters: dict, known_id: str) -> list[str]:
    # known_id first, with the first real action: the walk reaches inside the views.
    """The route with each hostile value in every one of its parameters (as far as the converter lets it through)."""
    if not converters:
        return ["/" + route]

    def int_values(conv):
        return [known_id, *HOSTILE_INT]

    def text_values(conv):
        # A slug names an action in the management views: the real ones get the hostile bodies.
        return HOSTILE_TEXT[:4] if conv.regex == "[^/]+" else ["advance", "a-" * 200, "-", "publish"]

    count = 4
    return [
        _fill(route, converters, lambda conv, i=i: (int_values if isinstance(conv, IntConverter) else text_values)(conv)[i])
        for i in range(count)
    ]


ROLES = ["anonymous", "contestant", "judge1", "secretariat", "organizer", "admin"]


def test_no_url_answers_500_to_hostile_input(demo, settings):
    """One walk per role over one seeded demo (seeding is the slow part)."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    known_ids = {
        str(pk)
        for model in (Attempt, Round, JudgingRound, Essay, Assignment, Prize, EssayPrize)
        for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:1]
    }
    routes = list(_patterns())
    failures = []
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(demo[role])
        for route, converters in routes:
            if route.startswith(("accounts/", "i18n/")) and role != "anonymous":
                continue  # allauth's views would sign the user out or change a password mid-walk
            paths = [(n, path) for known in sorted(known_ids) for n, path in enumerate(_paths(route, converters, known))]
            for n, path in dict.fromkeys(paths):
                value = (HOSTILE_TEXT + HOSTILE_INT)[(n * 3 + len(path)) % (len(HOSTILE_TEXT) + len(HOSTILE_INT))]
                query = dict.fromkeys(PARAMS, value)
                body = query | {"ids": [value, "1"], "essay": [value, "1"]}
                for method, data in (("get", query), ("post", body)) if n == 0 else [(("get", query), ("post", body))[n % 2]]:
                    response = getattr(client, method)(path, data)
                    if response.status_code >= 500:
                        failures.append(f"{role}: {method.upper()} {path[:60]!r} {value[:12]!r} → {response.status_code}")
    assert failures == []

"""Tests that need the whole demo (seed_demo): one class, one seeding (`seeded_demo` in
tests/conftest.py), each test in its own savepoint inside it. Seeding takes seconds; before it
was shared, five tests seeded it again each."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from audit.verification import verify_results
from contests.models import Contest
from essays.models import Assignment, Essay, EssayPrize, JudgingRound
from quiz.enums import AttemptStatus
from quiz.models import Attempt, Prize, ResultShare, Round, RoundErratum, RoundQuestion, RoundSeal
from quiz.seal import seal_verify

# --- The walk of every URL with hostile values --------------------------------------------------------

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


def _pages(demo):
    contestant = demo["contestant"]
    open_attempt = Attempt.objects.filter(status=AttemptStatus.OPEN).select_related("user").first()
    finished = Attempt.objects.exclude(status=AttemptStatus.OPEN).select_related("user").first()
    published = Round.objects.filter(results_published_at__isnull=False).first()
    sheet = Assignment.objects.filter(judge=demo["judge1"]).first()
    share = ResultShare.objects.first()
    return [
        (None, f"/share/{share.token}/"),
        (None, "/"),
        (None, "/accounts/login/"),
        (None, f"/quiz/rounds/{published.pk}/"),
        (None, f"/quiz/rounds/{published.pk}/leaderboard/"),
        (None, "/essays/"),
        (None, "/stats/"),
        (open_attempt.user if open_attempt else contestant, f"/quiz/attempts/{open_attempt.pk}/" if open_attempt else "/quiz/"),
        (finished.user, f"/quiz/attempts/{finished.pk}/result/"),
        (demo["judge1"], f"/judging/sheets/{sheet.pk}/"),
        (demo["secretariat"], "/reports/"),
        (demo["admin"], "/admin/"),
        (demo["admin"], f"/admin/quiz/round/{published.pk}/change/"),
        (demo["admin"], "/admin/accounts/organization/"),
    ]


class TestOnTheDemo:
    # --- security: headers and hostile input ----------------------------------------------------------

    def test_every_page_type_sends_a_strict_csp_and_a_permissions_policy(self, demo):
        for user, path in _pages(demo):
            client = Client()
            if user:
                client.force_login(user)
            response = client.get(path)
            assert response.status_code == 200, path
            csp = response["Content-Security-Policy"]
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
            assert "camera=()" in response["Permissions-Policy"], path
            html = response.content.decode()
            # Nothing inline that the policy would block (the admin's one <style> is hashed: test_headers.py).
            assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), path
            assert not re.search(r"\sstyle=\"", html), path
            assert not re.search(r"\son[a-z]+=\"", html), path

    def test_no_url_answers_500_to_hostile_input(self, demo, settings):
        """Every URL, every role, hostile values in the path, the query string and the body: never a 500."""
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

    # --- manage.py lighthouse_pages -------------------------------------------------------------------

    @pytest.fixture
    def pages(self, demo):
        out = io.StringIO()
        call_command("lighthouse_pages", "--force", stdout=out)
        return json.loads(out.getvalue())

    def test_lighthouse_pages_each_page_opens_with_its_cookie(self, pages):
        """The pages scripts/lighthouse.sh audits, each opened with the session cookie it prints,
        are the real page of that role (200, no redirect to a login)."""
        assert [p["name"] for p in pages] == [
            "home", "round", "attempt", "result", "leaderboard", "my-results", "essay-form", "judge-sheet", "reports", "stats",
            "login", "rules", "judge-queue",
        ]  # fmt: skip
        for page in pages:
            client = Client()
            if page["cookie"]:
                name, value = page["cookie"].split("=", 1)
                client.cookies[name] = value
            response = client.get(page["path"])
            assert response.status_code == 200, page
            assert response.wsgi_request.user.is_authenticated == bool(page["role"]), page

    def test_lighthouse_pages_starts_an_open_attempt_for_the_contestant(self, pages):
        attempt_id = int(next(p for p in pages if p["name"] == "attempt")["path"].rstrip("/").rsplit("/", 1)[1])
        attempt = Attempt.objects.get(pk=attempt_id)
        assert attempt.user.email == "contestant@example.com"
        assert attempt.status == AttemptStatus.OPEN

    # --- the demo itself --------------------------------------------------------------------------------

    def test_verify_results_passes_on_the_demo(self, demo):
        """The demo plays its weeks now and moves them back in time: every answer must move with
        its attempt, or rescoring against the sealed key finds answers saved after the deadline."""
        report = verify_results()
        assert report.ok, "\n".join(report.lines()[:20])

    def test_the_published_week_shows_an_erratum_beside_its_seal(self, demo, client):
        erratum = RoundErratum.objects.select_related("round").filter(round__results_published_at__isnull=False).first()
        assert erratum is not None and erratum.action == "rekey" and len(erratum.answer) == 2
        page = client.get(f"/quiz/rounds/{erratum.round_id}/").content.decode()
        assert f'data-erratum-fingerprint="{erratum.sha256}"' in page
        assert client.get(f"/quiz/rounds/{erratum.round_id}/errata/1.json").content == bytes(erratum.key_file)

    def test_the_readers_vote_is_open_with_votes_on_published_essays(self, demo, client):
        from essays.models import EssayPhase, EssayVote
        from essays.votes import vote_open

        phase = EssayPhase.objects.filter(vote_enabled=True).exclude(contest__status="archived").first()
        assert phase is not None and vote_open(phase) and phase.vote_prize
        assert EssayVote.objects.filter(essay__phase=phase, essay__published_at__isnull=False).count() >= 20
        page = client.get(f"/essays/votes/?contest={phase.contest.slug}").content.decode()
        assert "Bình chọn của bạn đọc" in page and "lượt" in page

    def test_the_demo_contestant_shared_her_published_result(self, demo, client):
        share = ResultShare.objects.get(user=demo["contestant"])
        client.force_login(demo["contestant"])
        mine = client.get("/quiz/my-results/").content.decode()
        client.logout()
        page = client.get(f"/share/{share.token}/").content.decode()
        assert f"/share/{share.token}/" in mine
        assert 'property="og:title"' in page and "Chia sẻ lên Zalo" in page

    def test_seed_demo_seals_every_round_holds_the_archive_and_the_draft_and_runs_again_unchanged(self, demo):
        sealed = list(Round.objects.filter(approved_at__isnull=False))
        assert len(sealed) >= 3
        assert RoundSeal.objects.filter(round__in=sealed, backfilled=False).count() == len(sealed)
        assert all(seal_verify(round) == [] for round in sealed)
        fingerprints = dict(RoundSeal.objects.values_list("round_id", "sha256"))
        errata = RoundErratum.objects.count()
        contests = dict(Contest.objects.values_list("slug", "status"))

        call_command("seed_demo", "--force", stdout=io.StringIO())  # idempotent: the seals stay as they were

        assert dict(RoundSeal.objects.values_list("round_id", "sha256")) == fingerprints
        assert RoundErratum.objects.count() == errata  # the demo's erratum is not made twice
        assert dict(Contest.objects.values_list("slug", "status")) == contests
        archived = Contest.objects.filter(status="archived", rounds__results_published_at__isnull=False).distinct()
        assert archived.count() == 1
        assert archived.get().rounds.filter(prizes__isnull=False).exists()
        drafts = Contest.objects.filter(status="draft")
        assert drafts.count() == 1
        assert drafts.get().rounds.count() == Contest.objects.get(slug="dang-vien-tot-chi-bo-kieu-mau").rounds.count()
        assert not RoundQuestion.objects.filter(round__contest=drafts.get()).exists()
        call_command("verify_results")  # raises CommandError on any mismatch
        call_command("verify_results", "--contest", archived.get().slug)

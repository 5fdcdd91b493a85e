"""`make bench`: time, queries and peak memory of each dashboard page and export over a
full-scale simulated contest on PostgreSQL. A benchmark, not a test: it prints figures."""

import io
import statistics
import time
import tracemalloc

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from accounts.models import Organization, User
from awards import exports as award_exports
from contests.selectors import current_contest
from quiz import ranking
from quiz.models import Attempt, Round, RoundEntry
from quiz.services.prizes import round_prizes_draft
from reports import exports


class Command(BaseCommand):
    help = "Measure the secretariat's pages and exports over a full-scale simulated contest (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument(
            "--scale", type=float, default=1.0, help="the scale simulated when the database has no contest yet (up to 100)"
        )
        parser.add_argument("--pages", action="store_true", help="the pages only, not the exports and the prize draft")
        parser.add_argument(
            "--weeks", type=lambda text: {int(n) for n in text.split(",")}, default=None,
            help="when simulating: only these weeks get attempts (3: the biggest)",
        )  # fmt: skip

    def handle(self, *args, runs, scale, weeks, pages, **options):
        if connection.vendor != "postgresql":
            raise CommandError("make bench chạy trên PostgreSQL: đặt DATABASE_URL=postgres://…")
        contest = current_contest()
        if contest is None or not Attempt.objects.filter(round__contest=contest).exists():
            from reports.simulation import simulate_contest

            report = simulate_contest(scale=scale, seed=2022, weeks=weeks, out=self.stdout.write)
            self.stdout.write(f"simulate_contest --scale {scale:g}: {report.attempts} attempts in {report.seconds:.1f} s")
            contest = current_contest()
        attempts = Attempt.objects.filter(round__contest=contest).count()
        self.stdout.write(f"Contest «{contest.name}»: {attempts} attempts")
        secretary, _ = User.objects.get_or_create(
            email="bench-secretariat@example.com", defaults={"full_name": "Bench", "is_staff": True}
        )
        secretary.groups.add(Group.objects.get_or_create(name=Role.SECRETARIAT)[0])
        client = Client()
        client.force_login(secretary)
        admin, _ = User.objects.get_or_create(
            email="bench-admin@example.com", defaults={"full_name": "Bench admin", "is_staff": True, "is_superuser": True}
        )
        admin_client = Client()
        admin_client.force_login(admin)
        # The biggest round: the week with the most attempts (week 3 of the seed's).
        week = Round.objects.filter(contest=contest, kind="weekly").annotate(n=Count("attempts")).order_by("-n", "number").first()
        unit = Organization.objects.filter(attempts__round__contest=contest).annotate(n=Count("attempts")).order_by("-n").first()
        urls = [("/reports/", "dashboard"), ("/reports/?sort=rate", "dashboard, by rate"),
                 (f"/reports/rounds/{week.pk}/winners/", "winners (verification)"), ("/stats/", "public figures (uncached)"),
                 (f"/quiz/manage/rounds/{week.pk}/", "round figures"),
                 (f"/quiz/rounds/{week.pk}/leaderboard/", "leaderboard (live, 500)"),
                 ("/reports/units/", "units"), (f"/reports/units/{unit.pk}/", "the biggest unit's page"),
                 ("/reports/decisions/", "decision log"), ("/reports/integrity/", "integrity review")]  # fmt: skip
        self.stdout.write(f"{'what':34} {'median ms':>10} {'max ms':>8} {'queries':>8} {'peak MB':>8}")
        for url, label in urls:
            self._measure(label, runs, lambda url=url: self._get(client, url))
        analysis = reverse("admin:quiz_round_analysis", args=[week.pk])
        self._measure("item analysis page (admin)", runs, lambda: self._get(admin_client, analysis))
        # A contestant in the middle of the ranking: their own place under the table.
        middle = ranking.ranked_entries(round=week).values_list("user_id", flat=True)[
            RoundEntry.objects.filter(round=week).count() // 2
        ]
        contestant = Client()
        contestant.force_login(User.objects.get(pk=middle))
        self._measure("my results (mid-ranked contestant)", runs, lambda: self._get(contestant, "/quiz/my-results/"))
        if pages:
            return
        builders = {"attempts": exports.attempts_workbook, "organizations": exports.organizations_workbook,
                    "winners": award_exports.winners_workbook}  # fmt: skip
        for kind, builder in builders.items():
            self._measure(f"export {kind}", max(1, runs // 2), lambda b=builder: b(io.BytesIO(), contest=contest))
        self._draft(week)

    def _draft(self, week):
        """Drafting the biggest round's prizes again (finalize, commit, freeze the count of full
        scores, re-pick every entry's best attempt, the list), rolled back."""
        attempts = Attempt.objects.filter(round=week).count()
        times = []
        for _ in range(2):
            with transaction.atomic():
                start = time.perf_counter()
                round_prizes_draft(round=week)
                times.append(time.perf_counter() - start)
                transaction.set_rollback(True)
        self.stdout.write(f"drafting the prizes of a round of {attempts} attempts: {min(times):.1f} s (best of 2)")

    def _get(self, client, url):
        cache.clear()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def _measure(self, label, runs, fn):
        times, count = [], [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        for _ in range(runs):
            count[0] = 0
            # execute_wrapper, not CaptureQueriesContext: a request resets Django's query log.
            with connection.execute_wrapper(counter):
                start = time.perf_counter()
                fn()
                times.append((time.perf_counter() - start) * 1000)
        # Peak memory in a run of its own: tracing allocations slows the code it measures.
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        self.stdout.write(f"{label:34} {statistics.median(times):10.0f} {max(times):8.0f} {count[0]:8d} {peak:8.1f}")

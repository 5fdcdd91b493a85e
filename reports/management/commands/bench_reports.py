"""`make bench`: time, queries and peak memory of each dashboard page and export over a
full-scale simulated contest on PostgreSQL. A benchmark, not a test: it prints figures."""

import io
import statistics
import time
import tracemalloc

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from accounts.enums import Role
from accounts.models import User
from contests.selectors import current_contest
from quiz.models import Attempt, Round
from reports import exports


class Command(BaseCommand):
    help = "Measure the secretariat's pages and exports over a full-scale simulated contest (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, runs, **options):
        if connection.vendor != "postgresql":
            raise CommandError("make bench chạy trên PostgreSQL: đặt DATABASE_URL=postgres://…")
        contest = current_contest()
        if contest is None or not Attempt.objects.filter(round__contest=contest).exists():
            from reports.simulation import simulate_contest

            report = simulate_contest(scale=1.0, seed=2022)
            self.stdout.write(f"simulate_contest --scale 1.0: {report.attempts} attempts in {report.seconds:.1f} s")
            contest = current_contest()
        attempts = Attempt.objects.filter(round__contest=contest).count()
        self.stdout.write(f"Contest «{contest.name}»: {attempts} attempts")
        secretary, _ = User.objects.get_or_create(
            email="bench-secretariat@example.com", defaults={"full_name": "Bench", "is_staff": True}
        )
        secretary.groups.add(Group.objects.get_or_create(name=Role.SECRETARIAT)[0])
        client = Client()
        client.force_login(secretary)
        week = Round.objects.filter(contest=contest, kind="weekly").order_by("number").first()
        pages = [("/reports/", "dashboard"), ("/reports/?sort=rate", "dashboard, by rate"),
                 (f"/reports/rounds/{week.pk}/winners/", "winners (verification)"), ("/stats/", "public figures (uncached)"),
                 (f"/quiz/manage/rounds/{week.pk}/", "round figures")]  # fmt: skip
        self.stdout.write(f"{'what':34} {'median ms':>10} {'max ms':>8} {'queries':>8} {'peak MB':>8}")
        for url, label in pages:
            self._measure(label, runs, lambda url=url: self._get(client, url))
        for kind in ("attempts", "organizations", "winners"):
            builder = getattr(exports, f"{kind}_workbook")
            self._measure(f"export {kind}", max(1, runs // 2), lambda b=builder: b(io.BytesIO(), contest=contest))

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

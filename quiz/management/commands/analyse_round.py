"""The item analysis of closed rounds: `python manage.py analyse_round [ROUND_ID …] [--contest SLUG]`.
Without arguments, every closed round not analysed yet (what the periodic task does)."""

import time

from django.core.management.base import BaseCommand, CommandError

from quiz.analysis import round_analyse, rounds_to_analyse
from quiz.errors import QuizError
from quiz.models import Round


class Command(BaseCommand):
    help = "Phân tích câu hỏi (độ dễ, độ phân biệt, tỉ lệ chọn phương án, Cronbach alpha) của các tuần thi đã đóng."

    def add_arguments(self, parser):
        parser.add_argument("rounds", nargs="*", type=int, help="ID tuần thi (bỏ trống: các tuần đã đóng chưa phân tích)")
        parser.add_argument("--contest", help="mọi tuần thi đã đóng của cuộc thi có slug này")

    def handle(self, *args, rounds=(), contest=None, **options):
        if rounds:
            todo = Round.objects.filter(pk__in=rounds)
        elif contest:
            todo = Round.objects.filter(contest__slug=contest, approved_at__isnull=False)
        else:
            todo = rounds_to_analyse()
        started, failed = time.perf_counter(), 0
        for round in todo.select_related("contest").order_by("contest_id", "kind", "number"):
            try:
                stat = round_analyse(round=round)
            except QuizError as exc:
                failed += 1
                self.stderr.write(f"#{round.pk} {round.name}: {exc.message}")
                continue
            alpha = "–" if stat.alpha is None else f"{stat.alpha:.3f}"
            self.stdout.write(f"#{round.pk} {round.name}: {stat.attempts} bài thi, α = {alpha}, tính trong {stat.seconds:.2f} s")
        self.stdout.write(f"Tổng thời gian: {time.perf_counter() - started:.2f} s")
        if failed:
            raise CommandError(f"{failed} tuần thi không phân tích được.")

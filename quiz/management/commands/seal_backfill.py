"""Seal the rounds approved before key files existed: `python manage.py seal_backfill [--dry-run]`."""

from django.core.management.base import BaseCommand, CommandError

from quiz.errors import QuizError
from quiz.seal import rounds_without_seal, seal_backfill


class Command(BaseCommand):
    help = "Lập tệp đáp án niêm phong (đánh dấu «lập bổ sung») cho các tuần thi đã duyệt nhưng chưa có tệp."

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, action="append", dest="rounds", help="chỉ tuần thi có ID này (lặp lại được)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ liệt kê, không ghi gì")

    def handle(self, *args, rounds=None, dry_run=False, **options):
        todo = rounds_without_seal()
        if rounds:
            todo = todo.filter(pk__in=rounds)
        todo = list(todo)
        if not todo:
            self.stdout.write("Không có tuần thi nào cần lập bổ sung tệp niêm phong.")
            return
        failed = 0
        for round in todo:
            label = f"#{round.pk} {round.contest.slug} – {round.name}"
            if dry_run:
                self.stdout.write(f"{label}: cần lập bổ sung")
                continue
            try:
                seal = seal_backfill(round=round)
            except QuizError as exc:
                failed += 1
                self.stderr.write(f"{label}: {exc.message}")
            else:
                self.stdout.write(f"{label}: mã niêm phong {seal.sha256} (lập bổ sung)")
        if failed:
            raise CommandError(f"{failed} tuần thi không lập được tệp niêm phong.")

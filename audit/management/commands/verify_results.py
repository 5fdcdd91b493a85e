from django.core.management.base import BaseCommand, CommandError

from audit.verification import verify_results
from contest_site.db_router import reading_from_replica
from contests.models import Contest


class Command(BaseCommand):
    help = (
        "Recompute every score, best attempt, ranking, prize list, weekly and per-unit figure and essay result from the "
        "stored attempts, answers, sealed key files and score sheets; exit 1 with the differences on any mismatch."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contest", metavar="SLUG", help="only this contest (its slug)")

    def handle(self, *args, contest=None, **options):
        try:
            # Read-only: from the read replica when it is fit (contest_site.db_router).
            with reading_from_replica():
                report = verify_results(contest_slug=contest)
        except Contest.DoesNotExist:
            raise CommandError(f"Không có cuộc thi nào có mã «{contest}».") from None
        for line in report.lines():
            self.stdout.write(line)
        for line in report.note_lines():
            self.stdout.write(f"Lưu ý: {line}")
        if not report.ok:
            raise CommandError(report.summary(), returncode=1)
        self.stdout.write(self.style.SUCCESS(report.summary()))

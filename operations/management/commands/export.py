from django.core.management.base import BaseCommand, CommandError

from contest_site.db_router import reading_from_replica
from contests.selectors import current_contest


def _essays(path, *, contest, round_id):
    from essays.exports import essays_workbook

    return essays_workbook(path, contest=contest)


def _winners(path, *, contest, round_id):
    from awards.exports import winners_workbook

    return winners_workbook(path, contest=contest, round_id=round_id)


def _reports(name):
    def run(path, *, contest, round_id):
        from reports import exports

        return getattr(exports, f"{name}_workbook")(path, contest=contest, round_id=round_id)

    return run


# The workbooks the secretariat downloads, by kind.
EXPORTS = {
    "essays": _essays,
    "winners": _winners,
    "attempts": _reports("attempts"),
    "organizations": _reports("organizations"),
}
KINDS = ["winners", "organizations", "attempts", "essays"]


class Command(BaseCommand):
    help = "Write one of the secretariat's workbooks: winners, organizations, attempts or essays."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file")
        parser.add_argument("--round", type=int, dest="round_id")

    def handle(self, *args, kind, file, round_id=None, **options):
        if kind not in EXPORTS:
            raise CommandError(f"Bảng «{kind}» chưa được hỗ trợ trong phiên bản này.")
        contest = current_contest()
        if contest is None:
            raise CommandError("Chưa có cuộc thi nào đang công bố.")
        with reading_from_replica():  # a workbook reads only (contest_site.db_router)
            count = EXPORTS[kind](file, contest=contest, round_id=round_id)
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {count} dòng ra {file}."))

from django.core.management.base import BaseCommand, CommandError

from quiz.excel import write_workbook
from quiz.models import Round
from quiz.package import write_package


class Command(BaseCommand):
    help = (
        "Export the question bank (or one round's pool, with its answer key) in the import format (.xlsx, or .zip with images)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--round", type=int, help="only the pool of this round (its id)")
        parser.add_argument("file")

    def handle(self, *args, file, round=None, **options):
        round_obj = None
        if round is not None:
            round_obj = Round.objects.filter(pk=round).first()
            if round_obj is None:
                raise CommandError(f"Không có tuần thi mã {round}.")
        if file.lower().endswith(".zip"):
            with open(file, "wb") as handle:
                count = write_package(handle, round=round_obj)
        else:
            count = write_workbook(file, round=round_obj)
        self.stdout.write(self.style.SUCCESS(f"Đã xuất {count} câu hỏi ra {file}."))

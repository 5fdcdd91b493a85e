import io

from django.core.management.base import BaseCommand, CommandError

from quiz.excel import import_questions
from quiz.package import MAX_UPLOAD_BYTES, read_upload


class Command(BaseCommand):
    help = (
        "Import or update (by code) questions from the Excel format, or a .zip of the workbook and its images; "
        "nothing is imported if any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as handle:
                # Never more than the cap into memory, whatever the file's size.
                package = read_upload(handle.read(MAX_UPLOAD_BYTES + 1))
        except OSError as exc:
            raise CommandError(f"Không mở được tệp {file}: {exc.strerror}.") from exc
        if package.error:
            raise CommandError(package.error)
        report = import_questions(io.BytesIO(package.workbook), images=package.images)
        if not report.ok:
            for line in report.errors:
                self.stderr.write(line)
            raise CommandError(f"Không nhập câu hỏi nào: {len(report.errors)} lỗi.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nhập: {report.created} câu mới, {report.updated} câu thay đổi, {report.unchanged} câu không đổi."
            )
        )

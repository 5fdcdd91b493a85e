from django.core.management.base import BaseCommand, CommandError

from accounts.importers import read_organization_rows
from accounts.services import organizations_import


class Command(BaseCommand):
    help = "Build or update the organization tree from an Excel file; nothing is imported if any row is bad."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, "rb") as handle:
                rows, error = read_organization_rows(handle)
        except OSError as exc:
            raise CommandError(f"Không mở được tệp {file}: {exc.strerror}.") from exc
        if error:
            raise CommandError(error)
        result = organizations_import(rows=rows)
        if not result.ok:
            for line in result.errors:
                self.stderr.write(line)
            raise CommandError(f"Không nhập dòng nào: {len(result.errors)} lỗi.")
        self.stdout.write(self.style.SUCCESS(f"Đã nhập: {result.created} đơn vị mới, {result.updated} đơn vị cập nhật."))

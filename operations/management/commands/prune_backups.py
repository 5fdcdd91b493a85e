from django.conf import settings
from django.core.management.base import BaseCommand

from operations.backup import backups_prune


class Command(BaseCommand):
    help = "Xoá các bản sao lưu cũ theo BACKUP_KEEP_DAILY và BACKUP_KEEP_WEEKLY."

    def add_arguments(self, parser):
        parser.add_argument("--dir", dest="directory", help="thư mục chứa các bản sao lưu (mặc định BACKUP_DIR)")

    def handle(self, *args, directory=None, **options):
        removed = backups_prune(directory=directory or settings.BACKUP_DIR)
        self.stdout.write(self.style.SUCCESS(f"Đã xoá {len(removed)} bản sao lưu cũ."))

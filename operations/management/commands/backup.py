import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from operations.backup import BackupError, backup_create, backups_prune, last_backup_age_seconds


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và các tệp riêng tư vào một thư mục mới trong --dir (mặc định BACKUP_DIR). "
        "Với --loop: sao lưu mỗi BACKUP_INTERVAL_HOURS giờ và xoá bản cũ theo chính sách giữ lại."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", dest="directory", help="thư mục chứa các bản sao lưu (mặc định BACKUP_DIR)")
        parser.add_argument("--prune", action="store_true", help="sau khi sao lưu, xoá bản cũ theo chính sách giữ lại")
        parser.add_argument("--loop", action="store_true", help="chạy mãi: sao lưu theo lịch (dịch vụ backup)")

    def handle(self, *args, directory=None, prune=False, loop=False, **options):
        directory = directory or settings.BACKUP_DIR
        if not loop:
            self._once(directory, prune)
            return
        interval = settings.BACKUP_INTERVAL_HOURS * 3600
        while True:
            close_old_connections()  # a connection from hours ago may be gone (a database restart)
            # The newest backup on disk is the schedule's state: a restart neither repeats nor skips one.
            age = last_backup_age_seconds(directory)
            if age is not None and age < interval:
                time.sleep(min(interval - age, 600))
                continue
            try:
                self._once(directory, True)
            except CommandError as exc:
                self.stderr.write(str(exc))
                time.sleep(300)  # retried in five minutes; the age gauge shows the gap meanwhile

    def _once(self, directory, prune):
        try:
            backup = backup_create(directory=directory)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        m = backup.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sao lưu vào {backup.path}: cơ sở dữ liệu {m['database']['bytes']:,} byte, "
                f"{m['files']['count']} tệp ({m['files']['bytes']:,} byte), {m['seconds']} giây."
            )
        )
        if prune:
            for path in backups_prune(directory=directory):
                self.stdout.write(f"Đã xoá bản sao lưu cũ {path.name}.")

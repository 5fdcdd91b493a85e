from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Khôi phục một bản sao lưu (thư mục có manifest.json, hoặc bản mới nhất trong --dir) vào cơ sở dữ liệu "
        "và thư mục tệp riêng tư của cấu hình. Kiểm tra mã SHA-256 trước; từ chối nơi đã có dữ liệu nếu thiếu --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", dest="directory", help="bản sao lưu, hoặc thư mục chứa chúng (mặc định BACKUP_DIR)")
        parser.add_argument("--force", action="store_true", help="xoá dữ liệu và tệp đang có rồi khôi phục")

    def handle(self, *args, directory=None, force=False, **options):
        try:
            report = backup_restore(path=directory or settings.BACKUP_DIR, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã khôi phục {report.backup.path.name} ({report.files} tệp) trong {report.seconds} giây. "
                "Tiếp theo: migrate (nếu bản sao lưu cũ hơn mã), grant_app_role (nếu dùng vai trò riêng) và verify_results."
            )
        )

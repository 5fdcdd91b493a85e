from django.core.management.base import BaseCommand

from operations import housekeeping


class Command(BaseCommand):
    help = "Dọn dẹp: phiên đăng nhập hết hạn, tệp xuất cũ, thông báo đã gửi cũ (như các việc chạy hằng đêm)."

    def handle(self, *args, **options):
        housekeeping.sessions_clear()
        exports = housekeeping.exports_prune()
        notifications = housekeeping.notifications_prune()
        self.stdout.write(self.style.SUCCESS(f"Đã xoá phiên hết hạn, {exports} tệp xuất cũ và {notifications} thông báo cũ."))

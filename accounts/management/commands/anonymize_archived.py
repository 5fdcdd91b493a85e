from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.privacy import retention_batch, retention_candidates, retention_contests


class Command(BaseCommand):
    help = (
        "Anonymize the contestants of contests archived and ended more than PERSONAL_DATA_RETENTION_DAYS ago, "
        "except those who took part in a newer contest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count who would be anonymized.")

    def handle(self, *args, dry_run=False, **options):
        days = settings.PERSONAL_DATA_RETENTION_DAYS
        contests = retention_contests()
        people = retention_candidates()
        self.stdout.write(
            f"Thời hạn lưu trữ: {days} ngày; {len(contests)} cuộc thi đã hết hạn; {len(people)} thí sinh cần ẩn danh hoá."
        )
        if dry_run:
            self.stdout.write("Chạy thử (--dry-run): không thay đổi gì.")
            return
        done, after = retention_batch()
        while after is not None:  # a batch at a time, as the daily task does
            more, after = retention_batch(after=after)
            done += more
        self.stdout.write(self.style.SUCCESS(f"Đã ẩn danh hoá {done} thí sinh."))

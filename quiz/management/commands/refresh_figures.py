"""The kept figures the pages read (quiz.figures): `python manage.py refresh_figures [--contest SLUG]`.
Without arguments, what the beat does every minute (the contests whose rounds can still move);
with --contest, that contest recounted whole from its attempts, questions included (after the
beat or the analysis worker was down, or by hand before a meeting)."""

from django.core.management.base import BaseCommand, CommandError

from contests.models import Contest
from quiz.figures import figures_recompute, figures_refresh


class Command(BaseCommand):
    help = "Đếm lại số liệu thống kê (theo tuần, đơn vị) mà các trang đọc, từ các bài thi đã lưu."

    def add_arguments(self, parser):
        parser.add_argument("--contest", help="slug của cuộc thi cần đếm lại toàn bộ (bỏ trống: như tác vụ định kỳ)")

    def handle(self, *args, contest=None, **options):
        if contest is None:
            self.stdout.write(f"Đã đếm lại số liệu của {figures_refresh()} cuộc thi.")
            return
        found = Contest.objects.filter(slug=contest).first()
        if found is None:
            raise CommandError(f"Không có cuộc thi nào có slug «{contest}».")
        rows = figures_recompute(contest=found)
        self.stdout.write(f"Đã đếm lại số liệu của «{found.name}»: {rows} dòng.")

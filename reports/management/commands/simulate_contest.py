from django.core.management.base import BaseCommand, CommandError

from reports.simulation import simulate_contest


class Command(BaseCommand):
    help = (
        "Fill the database with a whole contest: 4 rounds, ~9,000 people and ~33,000 attempts at scale 1 (the seed's), "
        "up to 100 times that (streamed, COPY on PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="0.01 … 100 times the seed's size")
        parser.add_argument("--seed", type=int, default=2022, help="for repeatable data")
        parser.add_argument(
            "--weeks", type=lambda text: {int(n) for n in text.split(",")}, default=None,
            help="only these weeks get attempts, e.g. 3 (the biggest); all by default",
        )  # fmt: skip

    def handle(self, *args, scale, seed, weeks, **options):
        if not 0.01 <= scale <= 100:
            raise CommandError("--scale phải nằm trong khoảng 0,01 đến 100.")
        report = simulate_contest(scale=scale, seed=seed, weeks=weeks, out=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo {report.contestants} thí sinh ở {report.units} đơn vị, {report.attempts} bài thi, "
                f"{report.entries} lượt người, {report.prizes} giải, {report.essays} bài viết trong {report.seconds:.1f} giây."
            )
        )

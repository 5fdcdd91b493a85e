from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_organizations, seed_users
from audit.demo import seed_appeals
from awards.certificates import certificates_issue
from awards.demo import seed_award
from awards.winner_details import request_open, winner_details_request, winner_prizes_for_user
from contests.demo import seed_contest
from essays.demo import seed_essays
from quiz.demo import seed_quiz
from quiz.figures import figures_recompute
from reports.demo import seed_archive, seed_next_year, seed_reminders


class Command(BaseCommand):
    help = "Create (or refresh) the demo: units, demo users for every role, a contest, quiz and essays. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on a real contest).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo tạo tài khoản mẫu với mật khẩu công khai; với DEBUG tắt, cần thêm --force.")
        with transaction.atomic():
            units = seed_organizations()
            users = seed_users(units)
            contest = seed_contest()
            seed_quiz(contest=contest, users=users, units=units)
            seed_essays(contest=contest, users=users, units=units)
            # Certificates of the published week (participation, prizes): idempotent like the rest.
            certificates_issue(contest=contest)
            # The demo contestant's prize form is open (the secretariat's request), so the winner's
            # side of the award can be tried at once with the demo login.
            for winner in winner_prizes_for_user(user=users["contestant"], contest=contest):
                if winner.prize.details_at is None and not request_open(winner):
                    winner_details_request(winner=winner, by=users["secretariat"])
            seed_reminders(contest=contest, users=users, units=units)
            # The prize plan's amounts and most winners' details: the award decision and the
            # payment list (/reports/awards/decision/) have something to show.
            seed_award(contest=contest, users=users)
            # Appeals on the published week: one waiting (the demo contestant's), one decided.
            seed_appeals(contest=contest, users=users)
            archive = seed_archive(current=contest, users=users, units=units)
            draft = seed_next_year(current=contest)
            # The figures the pages read, counted once everything is played (quiz.figures; the
            # beat keeps them afterwards).
            for each in (contest, archive, draft):
                figures_recompute(contest=each)
        self.stdout.write(self.style.SUCCESS(f"Demo ready: {len(units)} units, contest «{contest.name}»."))
        self.stdout.write(f"Last year (archived): «{archive.name}»; next year (draft): «{draft.name}».")
        self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
        for email in [u.email for u in users.values()]:
            self.stdout.write(f"  {email}")

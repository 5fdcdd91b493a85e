"""The pages that scripts/lighthouse.sh audits, each with a session cookie for the role that
uses it (Lighthouse cannot log in through a form). Works on the demo only (seed_demo first): it
opens a session for a demo user and starts an attempt for the demo contestant."""

import json

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from accounts.models import User
from essays.enums import SheetStatus
from essays.models import Assignment
from quiz.enums import RoundKind
from quiz.models import Attempt, Round
from quiz.services.attempts import attempt_start


def _session_cookie(user: User) -> str:
    """A signed-in session for a demo user, as the login view would leave it."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The first backend that signs people in (the policy backend before it only answers
    # permissions), as Django's test client chooses it.
    store[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(b), "get_user"))
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


class Command(BaseCommand):
    help = "Print (JSON) the pages Lighthouse audits, with a demo user's session cookie for each."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (a throwaway demo only).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("lighthouse_pages mở phiên đăng nhập cho tài khoản mẫu; với DEBUG tắt, cần thêm --force.")
        try:
            contestant = User.objects.get(email="contestant@example.com")
            judge = User.objects.get(email="judge2@example.com")
            secretariat = User.objects.get(email="secretariat@example.com")
        except User.DoesNotExist as error:
            raise CommandError("Chưa có dữ liệu mẫu: chạy seed_demo trước.") from error
        weekly = list(Round.objects.filter(kind=RoundKind.WEEKLY, approved_at__isnull=False).order_by("opens_at"))
        closed = next((r for r in weekly if r.results_published_at), None)
        open_round = next((r for r in weekly if r.is_open), None)
        if closed is None or open_round is None:
            raise CommandError("Dữ liệu mẫu thiếu tuần thi đã công bố hoặc tuần thi đang mở: chạy lại seed_demo.")
        attempt = attempt_start(round=open_round, user=contestant)
        result = Attempt.objects.finished().filter(user=contestant, round=closed).order_by("pk").first()
        sheet = Assignment.objects.filter(judge=judge, status=SheetStatus.PENDING).order_by("round__order", "pk").first()
        if result is None or sheet is None:
            raise CommandError("Dữ liệu mẫu thiếu bài thi đã nộp hoặc phiếu chấm chưa chấm: chạy lại seed_demo.")
        cookies = {"contestant": _session_cookie(contestant), "judge": _session_cookie(judge)}
        cookies["secretariat"] = _session_cookie(secretariat)
        pages = [
            ("home", None, reverse("home")),
            ("round", "contestant", reverse("quiz:round", args=[open_round.pk])),
            ("attempt", "contestant", reverse("quiz:attempt", args=[attempt.pk])),
            ("result", "contestant", reverse("quiz:result", args=[result.pk])),
            ("leaderboard", "contestant", reverse("quiz:leaderboard", args=[closed.pk])),
            ("my-results", "contestant", reverse("quiz:my_results")),
            ("essay-form", "contestant", reverse("essays:new")),
            ("judge-sheet", "judge", reverse("judging:sheet", args=[sheet.pk])),
            ("reports", "secretariat", reverse("reports:dashboard")),
            ("stats", None, reverse("stats:public")),
            # Beyond the ten: the door every role comes through, the rules, the judge's queue.
            ("login", None, reverse("account_login")),
            ("rules", None, reverse("contests:rules", args=[open_round.contest.slug])),
            ("judge-queue", "judge", reverse("judging:queue")),
        ]
        self.stdout.write(
            json.dumps(
                [{"name": n, "role": r or "", "path": p, "cookie": cookies[r] if r else ""} for n, r, p in pages],
                indent=1,
            )
        )

"""Set up a load test: an open, sealed round with a 40-question pool and N contestants who can
log in with the demo password. Idempotent; prints the round id for the locustfile."""

import datetime

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import privacy
from accounts.demo import DEMO_PASSWORD, seed_organizations
from accounts.models import Profile, User
from contests.demo import seed_contest
from quiz.enums import RoundKind
from quiz.models import Field, Round
from quiz.services.bank import question_upsert
from quiz.services.pool import round_pool_add
from quiz.services.rounds import round_approve


class Command(BaseCommand):
    help = "Prepare an open round and N contestants (load1@example.com …) for make loadtest."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=200)

    @transaction.atomic
    def handle(self, *args, users, **options):
        units = seed_organizations()
        contest = seed_contest()
        now = timezone.now()
        round, created = Round.objects.get_or_create(
            contest=contest, kind=RoundKind.WEEKLY, number=99,
            # No pace: each virtual contestant takes attempt after attempt to load the server.
            defaults={"name": "Tuần thi tải thử", "opens_at": now - datetime.timedelta(hours=1),
                      "closes_at": now + datetime.timedelta(days=2), "attempts_per_day": None,
                      "min_start_interval_minutes": None},
        )  # fmt: skip
        if created:
            fields = [Field.objects.get_or_create(name=f"Lĩnh vực tải thử {n}")[0] for n in range(4)]
            ids = []
            for n in range(40):
                question, _ = question_upsert(
                    code=f"TAI-{n:03d}", field=fields[n % 4], text=f"Câu hỏi tải thử số {n}?",
                    options=["Phương án A", "Phương án B", "Phương án C", "Phương án D"], correct_index=n % 4,
                )  # fmt: skip
                ids.append(question.pk)
            round_pool_add(round=round, question_ids=ids)
            round_approve(round=round, by=User.objects.filter(is_superuser=True).first())
        password = make_password(DEMO_PASSWORD)
        unit = units["CTHUE-1"]
        existing = set(User.objects.filter(email__startswith="load").values_list("email", flat=True))
        new = [User(email=f"load{n}@example.com", full_name=f"Thí sinh tải thử {n}", password=password)
               for n in range(1, users + 1) if f"load{n}@example.com" not in existing]  # fmt: skip
        User.objects.bulk_create(new)
        Profile.objects.bulk_create(
            [
                Profile(user=u, phone="0912345678", organization=unit, position="Chuyên viên")
                for u in User.objects.filter(email__in=[u.email for u in new])
            ]
        )
        # The load's contestants have accepted the data notice in force, as every contestant
        # must before taking part (accounts.privacy): the run measures the contest, not the form.
        text = privacy.consent_text_current()
        if text is not None:
            for user in User.objects.filter(email__startswith="load").exclude(consents__text=text):
                privacy.consent_record(user=user, text=text, ip=None)
        self.stdout.write(str(round.pk))

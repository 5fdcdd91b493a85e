"""One of everything the admin shows, and a logged-in client per role."""

import pytest
from allauth.account.models import EmailAddress

from accounts.enums import Role
from accounts.models import DeletionRequest, Member
from accounts.services import unit_officer_assign
from awards.certificates import certificates_issue
from awards.models import AwardDownload, AwardPart, PrizeAmount
from contests.models import Notification
from essays.enums import Eligibility, EssayStatus
from essays.models import Assignment, EssayPrize, JudgingRound
from quiz.enums import PrizeTier
from quiz.models import Prize
from quiz.services.attempts import attempt_start, attempt_submit
from quiz.services.deadlines import time_extension_grant
from tests.essays.factories import EssayFactory
from tests.factories import UserFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

ROLES = ["superuser", "organizer", "secretariat", "judge", "contestant"]


def make_user(role: str):
    if role == "superuser":
        return UserFactory(is_staff=True, is_superuser=True)
    if role == "contestant":
        return contestant()
    return staff_user(role)


@pytest.fixture
def world(db):
    """A sealed, open round with a ranked contestant and a draft prize; an essay (submitted,
    eligible) with a draft prize and a judge's sheet; an e-mail address."""
    player = contestant()
    round = sealed_round(pool_size=20, fields=2)
    attempt = attempt_start(round=round, user=player)
    attempt_submit(attempt=attempt, user=player, answers=answer_all(attempt, right=15))
    entry = round.entries.get()
    time_extension_grant(round=round, user=player, minutes=10, reason="Mất kết nối", by=staff_user(Role.ORGANIZER))
    Prize.objects.create(round=round, user=player, entry=entry, tier=PrizeTier.FIRST, rank=1)
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    EssayPrize.objects.create(essay=essay, tier=PrizeTier.FIRST, rank=1)
    judging = JudgingRound.objects.create(phase=essay.phase, name="Vòng sơ khảo", order=1)
    Assignment.objects.create(round=judging, essay=essay, judge=staff_user(Role.JUDGE))
    EmailAddress.objects.create(user=player, email=player.email, verified=False, primary=True)
    certificates_issue(contest=round.contest)
    PrizeAmount.objects.create(contest=round.contest, part=AwardPart.QUIZ, tier=PrizeTier.FIRST, amount=2_000_000)
    AwardDownload.objects.create(
        contest=round.contest, kind=AwardDownload.Kind.DECISION, scope="Cả hai phần thi", prizes=1, total=2_000_000,
        by=staff_user(Role.SECRETARIAT),
    )  # fmt: skip
    Notification.objects.create(
        recipient=player, channel="email", kind="results", key="results:x", address=player.email,
        subject="Kết quả", body="<b>Kết quả</b>", status="failed", attempts=5, last_error="SMTP 451",
    )  # fmt: skip
    DeletionRequest.objects.create(user=player, reason="Tôi không còn tham gia.")
    unit = player.profile.organization
    unit_officer_assign(user=UserFactory(full_name="Cán bộ đơn vị"), organization=unit)
    Member.objects.create(organization=unit, full_name="Lê Văn Mời", phone="0987654321", token="walk-token")
    return {"round": round, "player": player, "essay": essay}


@pytest.fixture
def as_role(client):
    def login(role: str):
        user = make_user(role)
        client.force_login(user)
        client.user = user
        return client

    return login

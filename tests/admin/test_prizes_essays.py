"""Prizes are only shown in the admin; essays are published through essay_publish, which takes
only submitted, eligible essays; screening fields cannot be written from the admin."""

import itertools

import pytest
from django.utils import timezone

from accounts.enums import Role
from essays.enums import Eligibility, EssayStatus, PrizeStatus, SheetStatus
from essays.models import Assignment, Essay, EssayPrize, JudgingRound
from essays.services import EssayError, essay_publish, essay_unpublish
from quiz.enums import PrizeTier
from quiz.models import Prize
from quiz.services.attempts import attempt_start, attempt_submit
from tests.essays.factories import EssayFactory
from tests.factories import UserFactory, contestant, staff_user
from tests.quiz.factories import answer_all, sealed_round

pytestmark = pytest.mark.django_db


def _quiz_prize():
    round = sealed_round(pool_size=20, fields=2)
    player = contestant()
    attempt = attempt_start(round=round, user=player)
    attempt_submit(attempt=attempt, user=player, answers=answer_all(attempt, right=20))
    return Prize.objects.create(round=round, user=player, entry=round.entries.get(), tier=PrizeTier.FIRST, rank=1)


@pytest.mark.parametrize("role", ["superuser", Role.ORGANIZER])
def test_prize_verification_cannot_be_posted_through_the_admin(client, role):
    user = UserFactory(is_staff=True, is_superuser=True) if role == "superuser" else staff_user(role)
    client.force_login(user)
    prize = _quiz_prize()
    essay_prize = EssayPrize.objects.create(essay=EssayFactory(), tier=PrizeTier.FIRST, rank=1)
    forged = {"status": PrizeStatus.VERIFIED, "note": "ok", "tier": PrizeTier.SECOND, "rank": 9, "verified_by": user.pk}

    quiz = client.post(f"/admin/quiz/prize/{prize.pk}/change/", forged)
    essay = client.post(f"/admin/essays/essayprize/{essay_prize.pk}/change/", forged)
    gone = client.post(f"/admin/quiz/prize/{prize.pk}/delete/", {"post": "yes"})

    assert (quiz.status_code, essay.status_code, gone.status_code) == (403, 403, 403)
    prize.refresh_from_db()
    essay_prize.refresh_from_db()
    assert (prize.status, prize.tier, prize.rank, prize.verified_by) == (PrizeStatus.DRAFT, PrizeTier.FIRST, 1, None)
    assert (essay_prize.status, essay_prize.rank, essay_prize.verified_by) == (PrizeStatus.DRAFT, 1, None)
    page = client.get(f"/admin/quiz/prize/{prize.pk}/change/")
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()


@pytest.mark.parametrize(
    ("status", "eligibility", "prize"),
    list(itertools.product(EssayStatus.values, Eligibility.values, [None, *PrizeStatus.values])),
)
def test_essay_publish_takes_only_submitted_eligible_essays_outside_the_prize_list(status, eligibility, prize):
    organizer = staff_user(Role.ORGANIZER)
    essay = EssayFactory(status=status, eligibility=eligibility)
    if prize:
        EssayPrize.objects.create(essay=essay, tier=PrizeTier.FIRST, rank=1, status=prize)
    publishable = status == EssayStatus.SUBMITTED and eligibility == Eligibility.ELIGIBLE and prize in (None, "invalid")

    if publishable:
        essay_publish(essay=essay, by=organizer)
    else:
        with pytest.raises(EssayError) as refused:
            essay_publish(essay=essay, by=organizer)
        assert essay.code in refused.value.message

    essay.refresh_from_db()
    assert (essay.published_at is not None) == publishable


def test_essay_publish_is_idempotent_and_organizers_only():
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    with pytest.raises(EssayError):
        essay_publish(essay=essay, by=staff_user(Role.SECRETARIAT))
    first = essay_publish(essay=essay, by=staff_user(Role.ORGANIZER)).published_at
    again = essay_publish(essay=essay, by=staff_user(Role.ORGANIZER)).published_at
    assert first is not None and again == first


def test_essay_unpublish_keeps_a_published_prize_essay():
    organizer = staff_user(Role.ORGANIZER)
    plain = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    essay_publish(essay=plain, by=organizer)
    winner = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    EssayPrize.objects.create(essay=winner, tier=PrizeTier.FIRST, rank=1, status=PrizeStatus.VERIFIED)
    Essay.objects.filter(pk=winner.pk).update(published_at=timezone.now())

    essay_unpublish(essay=plain, by=organizer)
    with pytest.raises(EssayError) as refused:
        essay_unpublish(essay=winner, by=organizer)

    assert "đạt giải đã công bố" in refused.value.message
    assert Essay.objects.get(pk=plain.pk).published_at is None
    assert Essay.objects.get(pk=winner.pk).published_at is not None


def test_admin_publish_action_publishes_the_eligible_and_says_why_not_the_others(client):
    client.force_login(staff_user(Role.ORGANIZER))
    ok = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    pending = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.PENDING)
    ineligible = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.INELIGIBLE)
    draft = EssayFactory(status=EssayStatus.DRAFT)

    response = client.post(
        "/admin/essays/essay/",
        {"action": "publish", "_selected_action": [ok.pk, pending.pk, ineligible.pk, draft.pk]},
        follow=True,
    )

    html = response.content.decode()
    assert f"Bài {pending.code} đang chờ sơ loại" in html
    assert f"Bài {ineligible.code} không đủ điều kiện dự thi" in html
    assert f"Bài {draft.code} chưa được nộp" in html
    assert "Đã đăng 1 bài viết." in html
    assert list(Essay.objects.filter(published_at__isnull=False)) == [ok]


def test_admin_essay_form_cannot_write_screening_or_publication(client):
    client.force_login(staff_user(Role.ORGANIZER))
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.PENDING)
    page = client.get(f"/admin/essays/essay/{essay.pk}/change/").content.decode()
    for name in ("eligibility", "screening_note", "published_at", "status"):
        assert f'name="{name}' not in page
    assert 'name="title"' in page  # before screening; after it, see tests/admin/test_freeze.py


def test_secretariat_runs_no_organizer_action(client, secretariat):
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.INELIGIBLE)
    judging = JudgingRound.objects.create(phase=essay.phase, name="Vòng sơ khảo", order=1)
    sheet = Assignment.objects.create(round=judging, essay=essay, judge=staff_user(Role.JUDGE), status=SheetStatus.SUBMITTED)
    client.force_login(secretariat)

    client.post("/admin/essays/essay/", {"action": "publish", "_selected_action": [essay.pk]})
    client.post("/admin/essays/assignment/", {"action": "reopen", "_selected_action": [sheet.pk]})

    assert Essay.objects.get(pk=essay.pk).published_at is None
    assert Assignment.objects.get(pk=sheet.pk).status == SheetStatus.SUBMITTED


def test_nobody_deletes_a_score_sheet_in_the_admin_not_even_a_superuser(client):
    """Deleting a declared conflict's sheet and assigning again would hand the essay back to that
    judge with nothing in the decision log: the admin offers no delete, by page or by action."""
    essay = EssayFactory(status=EssayStatus.SUBMITTED, eligibility=Eligibility.ELIGIBLE)
    judging = JudgingRound.objects.create(phase=essay.phase, name="Vòng sơ khảo", order=1)
    sheet = Assignment.objects.create(round=judging, essay=essay, judge=staff_user(Role.JUDGE), conflict_reason="Cùng đơn vị")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert client.get(f"/admin/essays/assignment/{sheet.pk}/delete/").status_code == 403
    client.post(f"/admin/essays/assignment/{sheet.pk}/delete/", {"post": "yes"})
    client.post("/admin/essays/assignment/", {"action": "delete_selected", "_selected_action": [sheet.pk], "post": "yes"})

    assert Assignment.objects.filter(pk=sheet.pk).exists()
    assert "delete_selected" not in client.get("/admin/essays/assignment/").content.decode()

"""Reads for the writing contest."""

from django.db.models import Case, Count, F, Q, When
from django.http import Http404
from django.utils import timezone

from contests.enums import PrizeStatus

from .enums import Eligibility, EssayStatus
from .models import Essay, EssayPhase

VALID_PRIZE = (PrizeStatus.DRAFT, PrizeStatus.VERIFIED)  # as EssayPrize.objects.valid(), across the join


def phases_for_home(*, contest) -> list[EssayPhase]:
    """The contest's essay phases open now."""
    now = timezone.now()
    return list(EssayPhase.objects.filter(contest=contest, opens_at__lte=now, closes_at__gt=now))


def open_phase(*, contest) -> EssayPhase | None:
    phases = phases_for_home(contest=contest)
    return phases[0] if phases else None


def get_essay_for_author(user, pk: int) -> Essay:
    """The one access helper for a contestant's essays: another contestant's is not found."""
    essay = Essay.objects.select_related("phase", "subject_organization").filter(pk=pk, submitter=user).first()
    if essay is None:
        raise Http404
    return essay


def essays_for_user(*, user):
    return Essay.objects.filter(submitter=user).select_related("phase").order_by("-created_at")


def essays_for_screening(*, contest, eligibility: str | None = None):
    qs = (
        Essay.objects.filter(phase__contest=contest, status=EssayStatus.SUBMITTED)
        .select_related("phase", "subject_organization", "submitter")
        .order_by("submitted_at")
    )
    return qs.filter(eligibility=eligibility) if eligibility else qs


def screening_counts(*, contest) -> dict[str, int]:
    return Essay.objects.filter(phase__contest=contest, status=EssayStatus.SUBMITTED).aggregate(
        submitted=Count("id"),
        pending=Count("id", filter=Q(eligibility=Eligibility.PENDING)),
        eligible=Count("id", filter=Q(eligibility=Eligibility.ELIGIBLE)),
        ineligible=Count("id", filter=Q(eligibility=Eligibility.INELIGIBLE)),
    )


def published_essays(*, contest):
    """Essays on the public site, prize winners first (a prize found not valid counts as none).
    One query."""
    winner_rank = Case(When(prize__status__in=VALID_PRIZE, then=F("prize__rank")))
    return (
        Essay.objects.filter(phase__contest=contest, published_at__isnull=False)
        .select_related("subject_organization", "prize")
        .order_by(winner_rank.asc(nulls_last=True), "-published_at")
    )


def get_published_essay(*, code: str) -> Essay:
    essay = Essay.objects.select_related("subject_organization", "prize").filter(code=code, published_at__isnull=False).first()
    if essay is None:
        raise Http404
    return essay

from django.db.models import Prefetch, QuerySet

from .enums import ContestStatus
from .models import FAQ, Contest, ReferenceDocument


def current_contest() -> Contest | None:
    """The contest the public site is about: the newest published one."""
    return Contest.objects.filter(status=ContestStatus.PUBLISHED).order_by("-starts_on", "-id").first()


def past_contests(*, exclude: Contest | None = None) -> QuerySet[Contest]:
    qs = Contest.objects.filter(status__in=[ContestStatus.ARCHIVED, ContestStatus.PUBLISHED]).order_by("-starts_on")
    return qs.exclude(pk=exclude.pk) if exclude else qs


def contest_with_pages(*, slug: str) -> Contest | None:
    return (
        Contest.objects.exclude(status=ContestStatus.DRAFT)
        .prefetch_related(
            Prefetch("documents", queryset=ReferenceDocument.objects.order_by("sort_order", "id")),
            Prefetch("faqs", queryset=FAQ.objects.order_by("sort_order", "id")),
        )
        .filter(slug=slug)
        .first()
    )

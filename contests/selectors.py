from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from .enums import ContestStatus
from .models import FAQ, Contest, ReferenceDocument

PUBLIC_STATUSES = (ContestStatus.PUBLISHED, ContestStatus.ARCHIVED)
CONTEST_PARAM = "contest"  # ?contest=<slug> on /quiz/, /essays/, /reports/, /stats/ (docs/decisions.md)


def page_blocks(hook: str, **kwargs) -> list[dict]:
    """The blocks the layers above add to a page of a lower app (awards' certificates and audit's
    appeals on «Kết quả của tôi», audit's appeal counts on the public results): each app that
    declares `hook` on its AppConfig returns a list of {"template": …, …}; the page includes
    them. A lower app never imports a higher one."""
    return [block for config in apps.get_app_configs() if hasattr(config, hook) for block in getattr(config, hook)(**kwargs)]


def current_contest() -> Contest | None:
    """The contest the public site is about: the newest published one."""
    return Contest.objects.filter(status=ContestStatus.PUBLISHED).order_by("-starts_on", "-id").first()


def contest_for_request(request, *, drafts: bool = False) -> Contest:
    """The contest a page is about: `?contest=<slug>` when given (any published or archived
    contest; drafts too when `drafts`, for the organizers' pages), else the current one. One
    query. The contest carries `is_current` so links add the parameter only when it matters
    (`contests.templatetags.contest_text.contest_url`). 404 when there is none."""
    slug = request.GET.get(CONTEST_PARAM, "")
    if slug:
        statuses = list(ContestStatus.values) if drafts else list(PUBLIC_STATUSES)
        contest = Contest.objects.filter(slug=slug[:50], status__in=statuses).first()
        if contest is not None:
            contest.is_current = False  # set for every chosen contest: links keep the parameter
    else:
        contest = current_contest()
        if contest is not None:
            contest.is_current = True
    if contest is None:
        raise Http404
    return contest


def contest_choices(*, drafts: bool = False) -> list[Contest]:
    """The contests the chooser lists, newest first."""
    statuses = list(ContestStatus.values) if drafts else list(PUBLIC_STATUSES)
    qs = Contest.objects.filter(status__in=statuses).only("name", "slug", "status", "starts_on")
    return list(qs.order_by("-starts_on", "-id"))


@dataclass
class ContestsOverview:
    open: list[Contest] = field(default_factory=list)
    upcoming: list[Contest] = field(default_factory=list)
    archived: list[Contest] = field(default_factory=list)


def contests_overview(*, today=None) -> ContestsOverview:
    """Every public contest, once: open (published, begun), upcoming (published, not begun) and
    archived. One query."""
    today = today or timezone.localdate()
    overview = ContestsOverview()
    for contest in Contest.objects.filter(status__in=PUBLIC_STATUSES).order_by("-starts_on", "-id"):
        if contest.status == ContestStatus.ARCHIVED:
            overview.archived.append(contest)
        elif contest.starts_on > today:
            overview.upcoming.append(contest)
        else:
            overview.open.append(contest)
    return overview


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

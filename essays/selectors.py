"""Reads for the writing contest."""

import builtins
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Q, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Organization
from contests.prizes import VALID_STATUSES
from contests.text import render_markdown

from . import rules
from .enums import Eligibility, EssayStatus, JudgingStatus, SheetStatus
from .files import blind_name
from .models import Assignment, Criterion, Essay, EssayFile, EssayPhase, JudgingRound, Score


def phases_for_home(*, contest) -> list[EssayPhase]:
    """The contest's essay phases open now."""
    now = timezone.now()
    return list(EssayPhase.objects.filter(contest=contest, opens_at__lte=now, closes_at__gt=now))


def open_phase(*, contest) -> EssayPhase | None:
    phases = phases_for_home(contest=contest)
    return phases[0] if phases else None


def get_essay_for_author(user, pk: int) -> Essay:
    """The one access helper for a contestant's essays: another contestant's is not found."""
    essay = Essay.objects.select_related("phase", "subject_organization").filter(pk=pk).first()
    if essay is None or not rules.is_author(user, essay):
        raise Http404
    return essay


def get_essay_for_staff(user, pk: int) -> Essay:
    """The secretariat's and organizers' access to any essay, with its submitter."""
    essay = Essay.objects.select_related("phase", "subject_organization", "submitter").filter(pk=pk).first()
    if essay is None or not rules.can_screen(user):
        raise Http404
    return essay


def get_essay_file(user, pk: int) -> tuple[EssayFile, rules.FileAccess]:
    """An attachment and how `user` may have it (whole, or as a blind copy); 404 for anyone else."""
    essay_file = EssayFile.objects.select_related("essay").filter(pk=pk).first()
    access = rules.file_access(user, essay_file) if essay_file is not None else None
    if access is None:
        raise Http404
    return essay_file, access


def essay_files(*, essay: Essay) -> list[EssayFile]:
    return list(EssayFile.objects.filter(essay=essay).order_by("uploaded_at", "pk"))


def file_number(essay_file: EssayFile) -> int:
    """The file's place among its essay's attachments (1, 2, …), as blind names number them."""
    earlier = EssayFile.objects.filter(essay_id=essay_file.essay_id).filter(
        Q(uploaded_at__lt=essay_file.uploaded_at) | Q(uploaded_at=essay_file.uploaded_at, pk__lt=essay_file.pk)
    )
    return earlier.count() + 1


@dataclass(frozen=True)
class AuthorView:
    """What a page may show of an author: the phone only to whoever may see contacts."""

    name: str
    organization: Organization
    phone: str  # "" unless rules.can_see_contacts


def authors_for(user, essay: Essay) -> list[AuthorView]:
    """The essay's authors with their units, or [] for whoever may not see them; their phones only
    for the authors themselves and the staff (a template is never handed what it must not show)."""
    if not rules.can_see_authors(user, essay):
        return []
    contacts = rules.can_see_contacts(user, essay)
    return [
        AuthorView(author.name, author.organization, author.phone if contacts else "")
        for author in essay.authors.select_related("organization")
    ]


# --- Blind projection for judges -------------------------------------------------------------------


@dataclass(frozen=True)
class BlindAttachment:
    name: str  # neutral: the essay's code and the file's number
    kind: str
    size: int
    url: str


@dataclass(frozen=True)
class BlindEssay:
    """What a judge may see of an essay: no authors, no submitter, no units, no original file names."""

    code: str
    title: str
    body_html: SafeString
    word_count: int
    attachments: tuple[BlindAttachment, ...]


@dataclass(frozen=True)
class BlindSheet:
    """A judge's sheet as its template gets it."""

    pk: int
    status: str
    status_label: str
    comment: str
    round_name: str
    essay: BlindEssay


def blind_essay_for_judge(assignment: Assignment) -> BlindEssay:
    """The essay of a judge's sheet, projected. Reads the sheet's essay (select_related) and one
    query for its files."""
    essay = assignment.essay
    files = EssayFile.objects.filter(essay_id=essay.pk).order_by("uploaded_at", "pk").values_list("kind", "size")
    attachments = tuple(
        BlindAttachment(
            name=blind_name(code=essay.code, number=n, kind=kind),
            kind=kind,
            size=size,
            url=reverse("judging:file", args=[assignment.pk, n]),
        )
        for n, (kind, size) in enumerate(files, start=1)
    )
    return BlindEssay(
        code=essay.code,
        title=essay.title,
        body_html=mark_safe(render_markdown(essay.body)),  # noqa: S308 - sanitized by nh3
        word_count=essay.word_count,
        attachments=attachments,
    )


def blind_sheet(assignment: Assignment) -> BlindSheet:
    return BlindSheet(
        pk=assignment.pk,
        status=assignment.status,
        status_label=str(SheetStatus(assignment.status).label),
        comment=assignment.comment,
        round_name=assignment.round.name,
        essay=blind_essay_for_judge(assignment),
    )


def essay_file_for_sheet(assignment: Assignment, number: int) -> EssayFile:
    """The n-th attachment of a judge's sheet (the judge's access is checked by the caller)."""
    files = essay_files(essay=assignment.essay)
    if not 1 <= number <= len(files):
        raise Http404
    return files[number - 1]


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
        published=Count("id", filter=Q(published_at__isnull=False)),
    )


def published_essays(*, contest):
    """Essays on the public site, prize winners first (a prize found not valid counts as none).
    One query."""
    winner_rank = Case(When(prize__status__in=VALID_STATUSES, then=F("prize__rank")))
    return (
        Essay.objects.filter(phase__contest=contest, published_at__isnull=False)
        .select_related("subject_organization", "prize")
        .order_by(winner_rank.asc(nulls_last=True), "-published_at")
    )


def get_published_essay(*, code: str) -> Essay:
    essay = (
        Essay.objects.select_related("subject_organization", "prize", "phase__contest")
        .filter(code=code, published_at__isnull=False)
        .first()
    )
    if essay is None:
        raise Http404
    return essay


# --- Judging ----------------------------------------------------------------------------------------


def get_assignment_for_judge(user, pk: int) -> Assignment:
    """The one access helper for judges: only their own sheets, never of a conflicted essay."""
    assignment = Assignment.objects.select_related("round", "essay").filter(pk=pk).first()
    if assignment is None or not rules.can_score(user, assignment):
        raise Http404
    return assignment


@dataclass(frozen=True)
class QueueRow:
    """A line of a judge's queue: the sheet and the essay's code and title, nothing else."""

    pk: int
    code: str
    title: str
    round_name: str
    status: str

    def get_status_display(self) -> str:
        return SheetStatus(self.status).label


def judge_queue(*, judge, round: JudgingRound | None = None) -> list[QueueRow]:
    """The judge's open sheets, blind: rows of plain values, never the essays; the sheets still
    to score first (drafts and untouched alike), then the submitted ones. One query."""
    qs = Assignment.objects.filter(judge=judge, round__status=JudgingStatus.OPEN).exclude(status=SheetStatus.CONFLICT)
    if round is not None:
        qs = qs.filter(round=round)
    submitted_last = Case(When(status=SheetStatus.SUBMITTED, then=1), default=0)
    rows = qs.order_by(submitted_last, "round__order", "essay__code").values_list(
        "pk", "essay__code", "essay__title", "round__name", "status"
    )
    return [QueueRow(*row) for row in rows]


def judge_progress(*, judge) -> dict:
    return (
        Assignment.objects.filter(judge=judge, round__status=JudgingStatus.OPEN)
        .exclude(status=SheetStatus.CONFLICT)
        .aggregate(total=Count("id"), done=Count("id", filter=Q(status=SheetStatus.SUBMITTED)))
    )


@dataclass
class EssayResult:
    essay: Essay
    totals: dict[int, float] = field(default_factory=dict)  # judge id -> weighted total
    mean: float | None = None
    median: float | None = None  # of the judges' totals: shown beside the mean, never ranked by
    spread: float | None = None
    normalized: float | None = None
    rank: int | None = None
    tied: bool = False


def criterion_weights(criteria) -> dict[int, float]:
    """criterion id -> its weight, as `sheet_total` reads it."""
    return {c.pk: float(c.weight) for c in criteria}


def sheet_total(points: dict[int, int | None], weights: dict[int, float]) -> float | None:
    """A score sheet's weighted total, the rule's one home: the sum, over the criteria given
    points, of the points times the criterion's weight (1 for a criterion without one). None
    while no criterion has points. The judge's sheet and its confirmation show it
    (`essays.judging_views`); `round_results` ranks by it."""
    given = [value * weights.get(criterion_id, 1.0) for criterion_id, value in points.items() if value is not None]
    return sum(given) if given else None


def result_order(*, normalized: float | None, mean: float | None, spread: float | None, submitted_at, essay_id: int) -> tuple:
    """The order of a judging round's results, and so of its prize places: the tie-break's one
    home. Best normalized score (mean z-score per judge) first, then best mean; essays without
    a submitted sheet last. Essays equal on both share a rank (and are flagged as tied), but
    prize places are given one by one, so among them:

    1. the smaller spread between the judges' totals first (the jury agreed more on it),
    2. then the earlier submission (`Essay.submitted_at`),
    3. then the essay's id (the order the essays were created: never the code, a label).

    `verify_results` recomputes the order with this same key."""
    at = submitted_at.timestamp() if submitted_at is not None else float("inf")
    return (
        normalized is None,
        -(normalized or 0),
        -(mean or 0),
        spread if spread is not None else float("inf"),
        at,
        essay_id,
    )


def round_results(*, round: JudgingRound) -> list[EssayResult]:
    """Per essay: the mean of the judges' weighted totals (`sheet_total`), the spread between
    judges, and a z-score normalized per judge (offsets lenient and strict judges). Ordered by
    `result_order` (normalized score, then mean, then the tie-break); equal (normalized, mean)
    share a rank and are flagged as ties. Three queries."""
    weights = criterion_weights(Criterion.objects.filter(round=round))
    results: dict[int, EssayResult] = {}
    for essay in Essay.objects.filter(round_entries__round=round).select_related("subject_organization"):
        results[essay.pk] = EssayResult(essay=essay)
    sheets = Score.objects.filter(assignment__round=round, assignment__status=SheetStatus.SUBMITTED).values_list(
        "assignment__essay_id", "assignment__judge_id", "criterion_id", "points"
    )
    points: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for essay_id, judge_id, cid, value in sheets:
        if essay_id in results:
            points[essay_id, judge_id][cid] = value
    for (essay_id, judge_id), given in points.items():
        results[essay_id].totals[judge_id] = sheet_total(given, weights)
    per_judge = defaultdict(list)
    for result in results.values():
        for judge_id, total in result.totals.items():
            per_judge[judge_id].append(total)
    judge_stats = {j: (statistics.fmean(v), statistics.pstdev(v)) for j, v in per_judge.items()}
    for result in results.values():
        if not result.totals:
            continue
        values = list(result.totals.values())
        result.mean = builtins.round(statistics.fmean(values), 2)
        result.median = builtins.round(statistics.median(values), 2)
        result.spread = builtins.round(max(values) - min(values), 2)
        zs = [(t - judge_stats[j][0]) / judge_stats[j][1] if judge_stats[j][1] else 0.0 for j, t in result.totals.items()]
        result.normalized = builtins.round(statistics.fmean(zs), 3)
    ordered = sorted(
        results.values(),
        key=lambda r: result_order(
            normalized=r.normalized, mean=r.mean, spread=r.spread, submitted_at=r.essay.submitted_at, essay_id=r.essay.pk
        ),
    )
    previous, rank = None, 0
    for position, result in enumerate(ordered, start=1):
        key = (result.normalized, result.mean)
        if key != previous:
            rank = position
        else:
            result.tied = True
            ordered[position - 2].tied = True
        result.rank, previous = rank, key
    return ordered


def advance_preview(*, round: JudgingRound, top_k: int | None = None, threshold: float | None = None) -> list[EssayResult]:
    results = [r for r in round_results(round=round) if r.mean is not None]
    if threshold is not None:
        return [r for r in results if r.mean >= threshold]
    if top_k is not None:
        if top_k <= 0 or not results:
            return []
        cutoff = results[min(top_k, len(results)) - 1].rank
        return [r for r in results if r.rank <= cutoff]  # ties at the cut all go on
    return []


@dataclass(frozen=True)
class JudgeSummary:
    """One judge of a round as the organizers follow them: how far through their sheets, and
    how they score compared with the panel (a slow judge, a harsh or a lenient one)."""

    judge_id: int
    name: str
    sheets: int  # sheets to score (conflicts not counted)
    submitted: int
    drafts: int
    conflicts: int
    median: float | None  # of this judge's submitted totals (`sheet_total`)
    offset: float | None  # median − the panel's median: below 0 harsher, above 0 more lenient

    @property
    def percent(self) -> int:
        return builtins.round(100 * self.submitted / self.sheets) if self.sheets else 100


@dataclass(frozen=True)
class PanelSummary:
    judges: list[JudgeSummary]
    median: float | None  # of every submitted sheet's total in the round
    sheets: int
    submitted: int


def judge_summaries(*, round: JudgingRound, results: list[EssayResult]) -> PanelSummary:
    """Each judge's progress through their sheets and the median of their totals, from
    `round_results`' totals (the same weighted totals, no second reading of the scores) and one
    query for the sheets' counts."""
    counts = (
        Assignment.objects.filter(round=round)
        .values("judge_id", "judge__full_name", "judge__email")
        .annotate(
            sheets=Count("id", filter=~Q(status=SheetStatus.CONFLICT)),
            submitted=Count("id", filter=Q(status=SheetStatus.SUBMITTED)),
            drafts=Count("id", filter=Q(status=SheetStatus.DRAFT)),
            conflicts=Count("id", filter=Q(status=SheetStatus.CONFLICT)),
        )
        .order_by("judge__full_name", "judge_id")
    )
    totals: dict[int, list[float]] = defaultdict(list)
    for result in results:
        for judge_id, total in result.totals.items():
            totals[judge_id].append(total)
    every = [t for values in totals.values() for t in values]
    panel = statistics.median(every) if every else None
    judges = []
    for row in counts:
        mine = totals.get(row["judge_id"])
        median = statistics.median(mine) if mine else None
        judges.append(
            JudgeSummary(
                judge_id=row["judge_id"],
                name=row["judge__full_name"] or row["judge__email"],
                sheets=row["sheets"],
                submitted=row["submitted"],
                drafts=row["drafts"],
                conflicts=row["conflicts"],
                median=None if median is None else builtins.round(median, 2),
                offset=None if median is None or panel is None else builtins.round(median - panel, 2),
            )
        )
    return PanelSummary(
        judges=judges,
        median=None if panel is None else builtins.round(panel, 2),
        sheets=sum(j.sheets for j in judges),
        submitted=sum(j.submitted for j in judges),
    )


@dataclass(frozen=True)
class ConflictRow:
    """A declared conflict of interest, as the organizers review it."""

    pk: int
    code: str
    title: str
    judge: str
    reason: str
    at: object


def round_conflicts(*, round: JudgingRound) -> list[ConflictRow]:
    """The round's sheets returned as conflicts of interest, newest first. One query."""
    rows = (
        Assignment.objects.filter(round=round, status=SheetStatus.CONFLICT)
        .order_by("-updated_at", "-pk")
        .values_list("pk", "essay__code", "essay__title", "judge__full_name", "judge__email", "conflict_reason", "updated_at")
    )
    return [ConflictRow(pk, code, title, name or email, reason, at) for pk, code, title, name, email, reason, at in rows]

from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Case, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.roles import has_role, role_required
from accounts.selectors import organization_labels
from contest_site.db_router import reading_from_replica
from contests import prizes as contest_prizes
from contests.downloads import download as file_download
from contests.selectors import CONTEST_PARAM, contest_for_request
from contests.storage import private_file_response
from essays import judging as essay_judging
from essays.models import EssayPrize
from essays.services import EssayError
from quiz.enums import PrizeStatus, PrizeTier
from quiz.errors import QuizError
from quiz.models import Prize, Round
from quiz.services import prizes as quiz_prizes

from . import exports, integrity, selectors
from . import rules as report_rules
from . import services as report_services
from .models import ExportJob, IntegrityDecision
from .summary import summary_docx

# The unit table's sortable columns: (key, label, the direction a first click sorts in). Rates
# sort lowest first (the laggards are what the secretariat looks for), counts highest first.
SORT_COLUMNS = [
    ("name", gettext_lazy("Đơn vị"), ""),
    ("participants", gettext_lazy("Người"), "-"),
    ("attempts", gettext_lazy("Bài thi"), "-"),
    ("full", gettext_lazy("Bài điểm tuyệt đối"), "-"),
    ("rate", gettext_lazy("Tỷ lệ tham gia"), ""),
    ("prizes", gettext_lazy("Tổng số giải"), "-"),
]
SORTS = {f"{d}{key}" for key, _label, _first in SORT_COLUMNS for d in ("", "-")}


def sort_columns(sort: str, *, keep: str = "") -> list[dict]:
    """Each sortable column's header: its link (a second click reverses the order) and, for the
    column the table is sorted by, the direction (aria-sort and the arrow)."""
    columns = []
    for key, label, first in SORT_COLUMNS:
        active = sort.lstrip("-") == key
        descending = sort.startswith("-")
        columns.append(
            {
                "key": key,
                "label": label,
                "href": f"?{keep}sort={('' if descending else '-') if active else first}{key}",
                "aria_sort": ("descending" if descending else "ascending") if active else "",
                "arrow": ("▼" if descending else "▲") if active else "",
            }
        )
    return columns


def hour_chart(by_hour: list[tuple[int, int]]) -> dict:
    """The attempts-per-hour chart laid out for an SVG: bars in a 24-hour plot with its axes, the
    hour ticks every three hours and the count ticks at 0, half and the top."""
    top = max([n for _h, n in by_hour] + [1])
    left, bottom, height, step = 30, 70, 55, 10  # plot origin at (left, bottom)
    bars = []
    for hour, n in by_hour:
        h = round(height * n / top)
        bars.append({"hour": hour, "n": n, "x": left + hour * step + 1, "y": bottom - h, "h": h})
    x_ticks = [{"x": left + hour * step + 5, "label": hour} for hour in range(0, 24, 3)]
    y_ticks = [{"y": bottom - round(height * v / top), "label": v} for v in sorted({0, top // 2, top})]
    return {"bars": bars, "x_ticks": x_ticks, "y_ticks": y_ticks, "left": left, "bottom": bottom, "right": left + 24 * step}


def _keep_contest(request, url: str) -> str:
    """`url` with the page's ?contest=… kept, so a form posted about a chosen contest comes back to it."""
    slug = request.GET.get(CONTEST_PARAM)
    return f"{url}?{urlencode({CONTEST_PARAM: slug})}" if slug else url


def _contest(request, *, drafts: bool = False):
    return contest_for_request(request, drafts=drafts)


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
@reading_from_replica()  # figures only, nothing edited on this page (contest_site.db_router)
def dashboard(request):
    contest = _contest(request, drafts=True)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "-attempts"
    weeks, total = selectors.weekly_table(contest=contest)
    by_day, by_hour = selectors.attempts_timeline(contest=contest)
    day_top = max([n for _d, n in by_day] + [1])
    context = {
        "by_day": [(d, n, round(100 * n / day_top)) for d, n in by_day],
        "hours": hour_chart(by_hour),
        "contest": contest,
        "weeks": weeks,
        "total": total,
        "units": selectors.unit_table(contest=contest, sort=sort),
        "sort": sort,
        "columns": sort_columns(sort, keep="" if contest.is_current else f"{urlencode({CONTEST_PARAM: contest.slug})}&"),
        "tiers": PrizeTier.choices,
    }
    return render(request, "reports/dashboard.html", context)


def public_stats(request):
    """Live participation for everyone, recomputed at most once a minute."""
    contest = _contest(request)
    key = f"public-stats:{contest.pk}"
    figures = cache.get(key)
    if figures is None:
        with reading_from_replica():  # the figures only: the page's user and session stay on the primary
            weeks, total = selectors.weekly_table(contest=contest)
            units = [u for u in selectors.unit_table(contest=contest, sort="-participants") if u.participants][:15]
        top = max([u.participants for u in units] + [1])
        week_top = max([w.participants for w in weeks] + [1])
        figures = {
            "weeks": [(w.round.name, w.participants, w.attempts, round(100 * w.participants / week_top)) for w in weeks],
            "total": (total.participants, total.attempts),
            "units": [
                (u.unit.short_name or u.unit.name, u.participants, u.attempts, round(100 * u.participants / top)) for u in units
            ],
        }
        cache.set(key, figures, 60)
    return render(request, "reports/public_stats.html", {"contest": contest, **figures})


def _round(pk) -> Round:
    round = Round.objects.select_related("contest").filter(pk=pk).first()
    if round is None:
        raise Http404
    return round


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def winners(request, pk):
    """Winner verification: the draft list with contact details, a verdict per winner."""
    round = _round(pk)
    prizes = list(
        Prize.objects.filter(round=round)
        .select_related("user__profile", "entry__best_attempt__organization", "verified_by")
        .order_by(Case(When(status=PrizeStatus.INVALID, then=1), default=0), "rank")
    )
    warnings = integrity.winner_warnings(round=round, prizes=prizes)
    units = organization_labels(p.entry.best_attempt.organization for p in prizes)
    published = round.results_published_at is not None
    for p in prizes:
        p.actions = contest_prizes.allowed_actions(p, published=published)
        p.warnings = warnings.get(p.pk, [])
        p.unit_label = units[p.entry.best_attempt.organization_id]  # the unit with its party committee
    context = {
        "round": round,
        "prizes": prizes,
        "pending": contest_prizes.awaiting_verification(prizes),
        "ready": contest_prizes.fully_verified(prizes),
        "warned": len(warnings),
        "fast_seconds": integrity.FAST_FULL_SECONDS,
    }
    return render(request, "reports/winners.html", context)


def _prize_decision(request, decide, done: str) -> None:
    """Run one step of the prize lifecycle with the secretary's verdict (valid="1") and text, and
    say how it went; the lifecycle's refusals come back as messages."""
    valid = request.POST.get("valid") == "1"
    try:
        decide(by=request.user, valid=valid)
    except (QuizError, EssayError) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


@role_required(Role.SECRETARIAT)
@require_POST
def prize_verify(request, pk):
    prize = get_object_or_404(Prize.objects.select_related("round", "user"), pk=pk)
    note = request.POST.get("note", "")
    _prize_decision(
        request, lambda **kw: quiz_prizes.prize_verify(prize=prize, note=note, **kw),
        _("Đã ghi kết quả xác minh: %(name)s.") % {"name": prize.user.full_name},
    )  # fmt: skip
    return redirect("reports:winners", pk=prize.round_id)


@role_required(Role.SECRETARIAT)
@require_POST
def prize_amend(request, pk):
    """«Sửa kết quả đã công bố»: a published weekly prize changes only here, with a reason."""
    prize = get_object_or_404(Prize.objects.select_related("round", "user"), pk=pk)
    reason = request.POST.get("reason", "")
    _prize_decision(
        request, lambda **kw: quiz_prizes.prize_amend(prize=prize, reason=reason, **kw),
        _("Đã sửa kết quả đã công bố: %(name)s.") % {"name": prize.user.full_name},
    )  # fmt: skip
    return redirect("reports:winners", pk=prize.round_id)


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def award_list(request, pk):
    """The award decision list: only a fully verified list, and only its verified winners."""
    round = _round(pk)
    if not contest_prizes.fully_verified(Prize.objects.valid().filter(round=round).only("status")):
        messages.error(request, _("Danh sách chưa được xác minh hết; chưa thể xuất danh sách khen thưởng."))
        return redirect("reports:winners", pk=round.pk)
    return file_download(
        f"danh-sach-khen-thuong-tuan-{round.number}.xlsx",
        lambda buffer: exports.winners_workbook(
            buffer, contest=round.contest, round_id=round.pk, verified_only=True, details_viewer=_details_viewer(request)
        ),
    )


def _details_viewer(request):
    """Who sees winners' details in a workbook: the secretariat; nobody else gets the columns."""
    return request.user if report_rules.can_see_winner_details(request.user) else None


SMALL_EXPORTS = {"winners": "danh-sach-giai", "organizations": "thong-ke-don-vi"}


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def download(request, kind):
    """Small workbooks download at once."""
    if kind not in SMALL_EXPORTS:
        raise Http404
    contest = _contest(request, drafts=True)
    builder = getattr(exports, f"{kind}_workbook")
    if kind == "organizations":  # figures; the winners list shows the verdicts its reader just gave
        with reading_from_replica():
            return file_download(f"{SMALL_EXPORTS[kind]}.xlsx", lambda buffer: builder(buffer, contest=contest))
    extra = {"details_viewer": _details_viewer(request)}
    return file_download(f"{SMALL_EXPORTS[kind]}.xlsx", lambda buffer: builder(buffer, contest=contest, **extra))


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
@require_POST
def export_start(request):
    """The raw attempts workbook is large: a worker builds it while the page shows progress."""
    job = report_services.export_request(kind="attempts", contest=_contest(request, drafts=True), user=request.user)
    return redirect("reports:export_status", pk=job.pk)


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def export_status(request, pk):
    job = get_object_or_404(ExportJob, pk=pk)
    return render(request, "reports/export_status.html", {"job": job})


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def export_file(request, pk):
    """The workbook from the private storage, only for whoever `rules.can_download_export`."""
    job = ExportJob.objects.filter(pk=pk, status=ExportJob.Status.DONE).exclude(file="").first()
    if job is None or not report_rules.can_download_export(request.user, job):
        raise Http404
    return private_file_response(job.file, filename=job.file.name.rsplit("/", 1)[-1])


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def integrity_review(request):
    contest = _contest(request, drafts=True)
    if request.method == "POST":
        if not has_role(request.user, Role.SECRETARIAT):
            raise PermissionDenied
        case = next((c for c in integrity.cases(contest=contest) if c.key == request.POST.get("key")), None)
        if case is None:
            messages.error(request, _("Trường hợp này không còn trong danh sách rà soát."))
        else:
            try:
                integrity.decide(
                    contest=contest,
                    case=case,
                    by=request.user,
                    verdict=request.POST.get("verdict"),
                    reason=request.POST.get("reason", ""),
                )
            except ValueError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Đã ghi quyết định."))
        return redirect(_keep_contest(request, reverse("reports:integrity")))
    return render(
        request,
        "reports/integrity.html",
        {
            "cases": integrity.with_details(contest=contest, cases=integrity.cases(contest=contest)),
            "verdicts": IntegrityDecision.Verdict.choices,
        },
    )


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
@reading_from_replica()
def summary(request):
    """The draft of the summary report (DOCX); its figures are the dashboard's."""
    contest = _contest(request, drafts=True)
    return file_download("du-thao-bao-cao-tong-ket.docx", lambda buffer: summary_docx(buffer, contest=contest))


@role_required(Role.SECRETARIAT, Role.ORGANIZER)
def essay_winners(request):
    """Verification of the essay prizes: the awarded essays with their authors and contacts."""
    prizes = list(
        EssayPrize.objects.filter(essay__phase__contest=_contest(request, drafts=True))
        .select_related("essay__subject_organization", "essay__submitter", "verified_by")
        .prefetch_related("essay__authors__organization")
        .order_by(Case(When(status=PrizeStatus.INVALID, then=1), default=0), "rank")
    )
    # A phase's prize list is published once any of its awarded essays is on the public site;
    # from then on a change is an amendment (with a reason), not a verification.
    published_phases = {p.essay.phase_id for p in prizes if p.essay.published_at}
    for p in prizes:
        p.actions = contest_prizes.allowed_actions(p, published=p.essay.phase_id in published_phases)
    context = {
        "prizes": prizes,
        "pending": contest_prizes.awaiting_verification(prizes),
        "ready": contest_prizes.fully_verified(prizes),
    }
    return render(request, "reports/essay_winners.html", context)


@role_required(Role.SECRETARIAT)
@require_POST
def essay_prize_verify(request, pk):
    prize = get_object_or_404(EssayPrize.objects.select_related("essay"), pk=pk)
    note = request.POST.get("note", "")
    _prize_decision(
        request, lambda **kw: essay_judging.prize_verify(prize=prize, note=note, **kw),
        _("Đã ghi kết quả xác minh bài %(code)s.") % {"code": prize.essay.code},
    )  # fmt: skip
    return redirect("reports:essay_winners")


@role_required(Role.SECRETARIAT)
@require_POST
def essay_prize_amend(request, pk):
    """«Sửa kết quả đã công bố» for an essay prize, with a reason."""
    prize = get_object_or_404(EssayPrize.objects.select_related("essay"), pk=pk)
    reason = request.POST.get("reason", "")
    _prize_decision(
        request, lambda **kw: essay_judging.prize_amend(prize=prize, reason=reason, **kw),
        _("Đã sửa kết quả đã công bố của bài %(code)s.") % {"code": prize.essay.code},
    )  # fmt: skip
    return redirect("reports:essay_winners")


@role_required(Role.ORGANIZER)
def contest_copy(request, pk):
    """«Sao chép cuộc thi»: a confirmation page (the new name, address and first day), then
    `reports.contest_copy.contest_copy` makes next year's draft."""
    from contests.models import Contest

    from .contest_copy import contest_copy as copy_service
    from .contest_copy import next_year
    from .forms import ContestCopyForm

    source = get_object_or_404(Contest, pk=pk)
    if request.method == "POST":
        form = ContestCopyForm(request.POST)
        if form.is_valid():
            contest = copy_service(source=source, **form.cleaned_data)
            done = _("Đã tạo bản nháp «%(name)s» từ «%(source)s».")
            messages.success(request, done % {"name": contest.name, "source": source.name})
            return redirect("admin:contests_contest_change", contest.pk)
    else:
        starts_on = next_year(source.starts_on)
        old, new = str(source.starts_on.year), str(starts_on.year)
        name = source.name.replace(old, new) if old in source.name else f"{source.name} {new}"
        slug = source.slug.replace(old, new) if old in source.slug else f"{source.slug}-{new}"
        form = ContestCopyForm(initial={"name": name, "slug": slug[:50], "starts_on": starts_on})
    context = {
        "source": source,
        "form": form,
        "counts": {
            "rounds": source.rounds.count(),
            "phases": source.essay_phases.count(),
            "documents": source.documents.count(),
            "faqs": source.faqs.count(),
        },
    }
    return render(request, "reports/contest_copy.html", context)

from urllib.parse import urlencode

from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from contest_site.db_router import reading_from_replica
from contests.downloads import download as file_download
from contests.permissions import permission_required
from contests.selectors import CONTEST_PARAM, contest_for_request
from contests.storage import private_file_response
from quiz.enums import PrizeTier

from . import exports, selectors
from . import rules as report_rules
from . import services as report_services
from .models import ExportJob
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


def _contest(request, *, drafts: bool = False):
    return contest_for_request(request, drafts=drafts)


@permission_required("reports.view_dashboard")
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
            units = selectors.busiest_units(contest=contest)
        top = max([u.participants for u in units] + [1])
        week_top = max([w.participants for w in weeks] + [1])
        figures = {
            "weeks": [(w.round.name, w.participants, w.attempts, round(100 * w.participants / week_top)) for w in weeks],
            "total": (total.participants, total.attempts, total.people),
            "updated": total.computed_at,
            "units": [
                (selectors.public_name(u.unit), u.participants, u.attempts, round(100 * u.participants / top)) for u in units
            ],
        }
        cache.set(key, figures, 60)
    return render(request, "reports/public_stats.html", {"contest": contest, **figures})


# The winners' list («winners») is the prize list, built by awards (awards.prize_views.winners_download).
SMALL_EXPORTS = {"organizations": "thong-ke-don-vi"}


@permission_required("reports.download_report")
def download(request, kind):
    """Small workbooks download at once."""
    if kind not in SMALL_EXPORTS:
        raise Http404
    contest = _contest(request, drafts=True)
    builder = getattr(exports, f"{kind}_workbook")
    with reading_from_replica():  # figures
        return file_download(f"{SMALL_EXPORTS[kind]}.xlsx", lambda buffer: builder(buffer, contest=contest))


@permission_required("reports.run_export")
@require_POST
def export_start(request):
    """The raw attempts workbook (or, for a national season, the same rows as CSV, written by the
    database) is large: a worker builds it while the page shows progress."""
    kind = "attempts_csv" if request.POST.get("format") == "csv" else "attempts"
    job = report_services.export_request(kind=kind, contest=_contest(request, drafts=True), user=request.user)
    return redirect("reports:export_status", pk=job.pk)


@permission_required("reports.run_export")
def export_status(request, pk):
    job = get_object_or_404(ExportJob, pk=pk)
    return render(request, "reports/export_status.html", {"job": job})


@permission_required("reports.run_export")
def export_file(request, pk):
    """The workbook from the private storage, only for whoever `rules.can_download_export`."""
    job = ExportJob.objects.filter(pk=pk, status=ExportJob.Status.DONE).exclude(file="").first()
    if job is None or not report_rules.can_download_export(request.user, job):
        raise Http404
    return private_file_response(job.file, filename=job.file.name.rsplit("/", 1)[-1])


@permission_required("reports.view_dashboard")
@reading_from_replica()
def summary(request):
    """The draft of the summary report (DOCX); its figures are the dashboard's."""
    contest = _contest(request, drafts=True)
    return file_download("du-thao-bao-cao-tong-ket.docx", lambda buffer: summary_docx(buffer, contest=contest))

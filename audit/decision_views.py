"""The log of decisions (/reports/decisions/): organizers and the secretariat read it, filter it
and download it. Nobody writes it here: services append to it as they decide."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from contests.decisions import DecisionFilter, decision_details, decisions_for, object_shown, object_type_label
from contests.downloads import download
from contests.models import Decision
from contests.permissions import permission_required
from contests.printing import print_title
from contests.selectors import CONTEST_PARAM, contest_for_request, current_contest
from reports.exports import DATETIME, _local, _Sheet


def _filters(request) -> DecisionFilter:
    get = request.GET
    return DecisionFilter(
        action=get.get("action", "")[:32],
        actor=get.get("actor", "").strip()[:100],
        object_type=get.get("type", "")[:64],
        q=get.get("q", "").strip()[:100],
    )


@permission_required("audit.view_decisions")
def decision_log(request):
    contest = contest_for_request(request, drafts=True) if request.GET.get(CONTEST_PARAM) else current_contest()
    filters = _filters(request)
    page = Paginator(decisions_for(contest=contest, filters=filters), 50).get_page(request.GET.get("page"))
    types = (
        Decision.objects.filter(contest=contest).values_list("object_type").annotate(n=Count("id")).order_by("object_type")
        if contest
        else []
    )
    query = request.GET.copy()
    query.pop("page", None)
    for decision in page:
        decision.details = decision_details(decision)
        decision.shown = object_shown(decision)
    context = {
        "contest": contest,
        "page": page,
        "filters": filters,
        "actions": Decision.Action.choices,
        "types": [(t, object_type_label(t)) for t, _n in types],
        "query": query.urlencode(),
    }
    return render(request, "audit/decisions.html", context)


@permission_required("audit.view_decisions")
def decision_log_export(request):
    contest = contest_for_request(request, drafts=True) if request.GET.get(CONTEST_PARAM) else current_contest()
    rows = decisions_for(contest=contest, filters=_filters(request))
    return download(
        f"nhat-ky-quyet-dinh-{timezone.localdate():%Y%m%d}.xlsx",
        lambda buffer: decisions_workbook(buffer, rows=rows, contest=contest),
    )


def decisions_workbook(target, *, rows, contest=None) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    heading = print_title(contest.name if contest else None, "Nhật ký quyết định")
    sheet = _Sheet(workbook, "Nhật ký quyết định", [("Thời điểm", 20, DATETIME), ("Quyết định", 30, "text"),
                                                    ("Đối tượng", 45, "text"), ("Loại đối tượng", 18, "text"),
                                                    ("Mã", 10, None), ("Người quyết định", 28, "text"),
                                                    ("E-mail", 30, "text"), ("Lý do", 50, "text"),
                                                    ("Chi tiết", 50, "text")], heading=heading)  # fmt: skip
    count = 0
    for d in rows.iterator(chunk_size=1000):
        details = "; ".join(f"{label}: {value}" for label, value in decision_details(d))
        sheet.append([_local(d.at), d.get_action_display(), object_shown(d), object_type_label(d.object_type), d.object_id,
                      d.actor_label or (str(d.actor) if d.actor else "Hệ thống"), d.actor.email if d.actor else "",
                      d.reason, details])  # fmt: skip
        count += 1
    workbook.save(target)
    return count

"""The integrity review's page: the flagged cases and the secretariat's decisions."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from contests.permissions import permission_required
from contests.selectors import CONTEST_PARAM, contest_for_request

from . import integrity
from .models import IntegrityDecision


def _keep_contest(request, url: str) -> str:
    """`url` with the page's ?contest=… kept, so a form posted about a chosen contest comes back to it."""
    slug = request.GET.get(CONTEST_PARAM)
    return f"{url}?{urlencode({CONTEST_PARAM: slug})}" if slug else url


@permission_required("audit.view_integrity")
def integrity_review(request):
    contest = contest_for_request(request, drafts=True)
    if request.method == "POST":
        if request.POST.get("action") == "rescan":
            from .tasks import integrity_scan

            integrity_scan.delay(contest.pk)
            messages.success(request, _("Đã yêu cầu rà soát lại; kết quả có sau vài phút."))
            return redirect(_keep_contest(request, reverse("reports:integrity")))
        if not request.user.has_perm("audit.decide_integrity"):
            raise PermissionDenied
        case = integrity.scanned_case(contest=contest, key=request.POST.get("key", ""))
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
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    page, scan, kinds = integrity.scanned_page(contest=contest, kind=kind, state=state, page=request.GET.get("page", 1))
    return render(
        request,
        "audit/integrity.html",
        {
            "cases": integrity.with_details(contest=contest, cases=page.object_list),
            "page": page,
            "kinds": integrity.kinds_shown(kinds),
            "kind": kind,
            "state": state,
            "total": sum(kinds.values()),
            "verdicts": IntegrityDecision.Verdict.choices,
            "scan": scan,
            "scan_late": integrity.scan_late(scan),
            "scan_minutes": integrity.SCAN_MINUTES,
        },
    )

"""The secretariat's page for the award decision and the payment list, and their two downloads
(/reports/awards/decision/…). What is paid is `awards.payments`; the files `awards.award_files`.
Only the secretariat (`awards.prepare_award`); every download is logged."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from contests.downloads import download as file_download
from contests.permissions import permission_required
from contests.selectors import CONTEST_PARAM, contest_for_request

from . import award_files, payments
from .models import AwardDownload

RECENT_DOWNLOADS = 10


def _scope(request, contest) -> payments.Scope | None:
    """The scope asked for, or None (with a message) for an unknown one (a hand-edited address):
    the page then shows both parts, a download sends back to the page; never a 500."""
    scope = payments.scope_for(contest=contest, key=request.GET.get("scope"))
    if scope is None:
        messages.error(request, _("Không có phạm vi này trong cuộc thi; đang hiện cả hai phần thi."))
    return scope


def _page_url(contest, scope) -> str:
    query = {"scope": scope.key}
    if not getattr(contest, "is_current", True):
        query[CONTEST_PARAM] = contest.slug
    return f"{reverse('reports:award_decision')}?{urlencode(query)}"


@permission_required("awards.prepare_award")
def award_decision(request):
    """The verified prizes with their amounts and totals, what is missing (amounts, verdicts,
    winners' details), the two downloads, and who downloaded what."""
    contest = contest_for_request(request, drafts=True)
    scope = _scope(request, contest) or payments.scope_for(contest=contest, key=payments.ALL)
    award = payments.award_list(contest=contest, scope=scope)
    downloads = AwardDownload.objects.filter(contest=contest).select_related("by")[:RECENT_DOWNLOADS]
    query = urlencode({"scope": scope.key, **({} if contest.is_current else {CONTEST_PARAM: contest.slug})})
    context = {
        "contest": contest,
        "scope": scope,
        "scopes": payments.scopes(contest=contest),
        "award": award,
        "without_details": sum(1 for line in award.lines if line.details is None),
        "downloads": downloads,
        "query": query,
    }
    response = render(request, "awards/award_decision.html", context)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _download(request, *, kind: str, filename: str, write):
    contest = contest_for_request(request, drafts=True)
    scope = _scope(request, contest)
    if scope is None:
        return HttpResponseRedirect(_page_url(contest, payments.scope_for(contest=contest, key=payments.ALL)))
    try:
        award = payments.files_for(contest=contest, scope=scope, kind=kind)
    except payments.AwardError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(_page_url(contest, scope))
    with transaction.atomic():
        payments.award_download_record(award=award, kind=kind, by=request.user)
        response = file_download(filename, lambda buffer: write(buffer, award))
    patch_cache_control(response, private=True, no_store=True)
    return response


@permission_required("awards.prepare_award")
def award_decision_docx(request):
    """«Quyết định khen thưởng» with its annex (DOCX)."""
    return _download(
        request, kind=AwardDownload.Kind.DECISION, filename="quyet-dinh-khen-thuong.docx",
        write=lambda buffer, award: award_files.decision_docx(buffer, award=award),
    )  # fmt: skip


@permission_required("awards.prepare_award")
def award_payments_xlsx(request):
    """The bank transfer workbook; opening the winners' details is logged per winner."""
    return _download(
        request, kind=AwardDownload.Kind.PAYMENTS, filename="danh-sach-chuyen-khoan.xlsx",
        write=lambda buffer, award: award_files.payments_workbook(buffer, award=award, viewer=request.user),
    )  # fmt: skip

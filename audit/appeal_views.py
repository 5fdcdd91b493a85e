"""Appeals: the appellant's pages (/appeals/…) and the office's (/reports/appeals/…)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accounts.selectors import organization_labels
from contests.downloads import download
from contests.permissions import permission_required
from contests.selectors import contest_for_request
from contests.storage import private_file_response
from essays.enums import IneligibleReason
from essays.files import CONTENT_TYPES
from essays.models import Essay, EssayPrize
from quiz import selectors as quiz_selectors
from quiz.models import Prize, Round, RoundEntry

from . import appeals
from .appeal_exports import appeals_workbook
from .forms import AppealForm, DecisionForm, FilterForm
from .models import Appeal, AppealFile
from .rules import can_download_appeal_file, is_appellant

# --- The appellant ---------------------------------------------------------------------------------


def _new(request, target):
    if target is None:
        raise Http404  # no result of theirs here: someone else's essay, a round they did not take
    problem = appeals.appeal_problem(user=request.user, target=target)
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and not problem and form.is_valid():
        try:
            appeal = appeals.appeal_submit(
                user=request.user, target=target, reason=form.cleaned_data["reason"], uploads=form.cleaned_data["files"]
            )
        except appeals.AppealError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã gửi khiếu nại. Ban Tổ chức sẽ trả lời anh/chị qua e-mail hoặc tin nhắn."))
            return redirect("appeals:mine", pk=appeal.pk)
    context = {"target": target, "problem": problem, "form": form, "deadline": appeals.appeal_deadline(target)}
    return render(request, "audit/appeal_new.html", context)


@login_required
def appeal_new_quiz(request, round_id):
    """«Khiếu nại» against the contestant's own result of a published weekly round."""
    round = Round.objects.select_related("contest").filter(pk=round_id).first()
    return _new(request, round and appeals.quiz_target(user=request.user, round=round))


@login_required
def appeal_new_essay(request, essay_id):
    """«Khiếu nại» against the published result of an essay the person submitted."""
    essay = Essay.objects.select_related("phase__contest").filter(pk=essay_id).first()
    return _new(request, essay and appeals.essay_target(user=request.user, essay=essay))


@login_required
def appeal_new_screening(request, essay_id):
    """«Khiếu nại» against the refusal at screening of an essay the person submitted or co-authored."""
    essay = Essay.objects.select_related("phase__contest").filter(pk=essay_id).first()
    return _new(request, essay and appeals.screening_target(user=request.user, essay=essay))


@login_required
def appeal_mine(request, pk):
    """The appellant's own appeal: its state, the outcome and its reason; anyone else a 404."""
    appeal = Appeal.objects.select_related("round", "essay", "judging_round").filter(pk=pk).first()
    if appeal is None or not is_appellant(request.user, appeal):
        raise Http404
    return render(request, "audit/appeal_mine.html", {"appeal": appeal, "files": list(appeal.files.all())})


@login_required
def appeal_file_download(request, pk):
    """An appeal's attachment, for its appellant and the office only (a 404 for anyone else)."""
    record = AppealFile.objects.select_related("appeal").filter(pk=pk).first()
    if record is None or not can_download_appeal_file(request.user, record):
        raise Http404
    return private_file_response(record.file, filename=record.original_name, content_type=CONTENT_TYPES.get(record.kind))


# --- The office -------------------------------------------------------------------------------------


def _staff_filters(request, contest) -> tuple[FilterForm, appeals.AppealFilter]:
    """The list's filters from the address (hostile: a bad value is ignored by the form)."""
    form = FilterForm(request.GET or None, rounds=appeals.round_choices(contest=contest))
    data = form.cleaned_data if form.is_valid() else {}
    filters = appeals.AppealFilter(status=data.get("status", ""), part=data.get("part", ""), round=data.get("round", ""))
    return form, filters


@permission_required("audit.view_appeals")
def appeal_list(request):
    contest = contest_for_request(request, drafts=True)
    form, filters = _staff_filters(request, contest)
    rows = list(appeals.appeals_for_staff(contest=contest, filters=filters)[:500])
    query = request.GET.urlencode()
    return render(request, "audit/appeal_list.html", {"contest": contest, "form": form, "appeals": rows, "query": query})


@permission_required("audit.view_appeals")
def appeal_list_export(request):
    """The appeals of the list, under the same filters, as a workbook (audit.appeal_exports)."""
    contest = contest_for_request(request, drafts=True)
    _form, filters = _staff_filters(request, contest)
    rows = appeals.appeals_for_staff(contest=contest, filters=filters)
    response = download(
        f"khieu-nai-{timezone.localdate():%Y%m%d}.xlsx",
        lambda buffer: appeals_workbook(buffer, contest=contest, appeals=rows),
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _option(item, index) -> str:
    return item.options[index] if index is not None and 0 <= index < len(item.options) else "–"


def _result_context(request, appeal: Appeal) -> dict:
    """The result appealed against, as the office may see it: a contestant's standing, prize and
    (for organizers, who may see the answers) the best attempt's questions; an essay's
    screening, prize and its staff page."""
    if appeal.part == appeals.Part.QUIZ:
        round = appeal.round
        entry = RoundEntry.objects.select_related("best_attempt__organization").filter(round=round, user=appeal.appellant).first()
        prize = Prize.objects.filter(round=round, user=appeal.appellant).first()
        place = quiz_selectors.contestant_place(entry=entry, round=round)
        items = None
        if entry is not None and request.user.has_perm("quiz.see_answers"):
            items = [
                (i.text, _option(i, i.chosen_index), _option(i, i.correct_index), i.is_correct)
                for i in quiz_selectors.attempt_items(attempt=entry.best_attempt, with_answers=True)
            ]
        unit = organization_labels([entry.best_attempt.organization]).get(entry.best_attempt.organization_id) if entry else ""
        return {
            "entry": entry, "place": place, "prize": prize, "items": items, "unit": unit,
            "amend_url": reverse("reports:winners", args=[round.pk]),
        }  # fmt: skip
    essay = appeal.essay
    if appeal.part == appeals.Part.SCREENING:  # answered by screening it again (essays.services.essay_screen)
        labels = dict(IneligibleReason.choices)
        return {
            "essay": essay, "screening_reasons": [labels.get(r, r) for r in essay.screening_reasons],
            "amend_url": reverse("essays:manage_screen", args=[essay.pk]),
        }  # fmt: skip
    prize = EssayPrize.objects.filter(essay=essay).first()
    return {
        "essay": essay, "prize": prize,
        "amend_url": reverse("reports:essay_winners"),
    }  # fmt: skip


@permission_required("audit.view_appeals")
def appeal_show(request, pk):
    """One appeal: the appellant, the reason and attachments, the result appealed against, and
    (for the office) the decision; an upheld appeal leads to the amendment path."""
    appeal = get_object_or_404(
        Appeal.objects.select_related("contest", "appellant", "round", "essay__phase", "judging_round", "decided_by"), pk=pk
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("audit.decide_appeal"):
            raise PermissionDenied
        if form.is_valid():
            try:
                appeals.appeal_decide(
                    appeal=appeal, by=request.user, upheld=form.cleaned_data["verdict"] == "upheld",
                    reason=form.cleaned_data["reason"],
                )  # fmt: skip
            except appeals.AppealError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã ghi kết luận và báo cho người khiếu nại."))
            return redirect(_keep_contest(request, reverse("reports:appeal", args=[appeal.pk])))
    context = {"appeal": appeal, "files": list(appeal.files.all()), "form": form, **_result_context(request, appeal)}
    return render(request, "audit/appeal_show.html", context)


def _keep_contest(request, url: str) -> str:
    from contests.selectors import CONTEST_PARAM

    slug = request.GET.get(CONTEST_PARAM)
    return f"{url}?{urlencode({CONTEST_PARAM: slug})}" if slug else url

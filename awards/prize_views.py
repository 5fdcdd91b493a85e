"""The verification of the prizes of both parts (the secretariat's verdict on each winner, the
amendment of a published result, the award list and the prize list workbook). The writes are the
prize lifecycle (`contests.prizes`, through `quiz.services.prizes` and `essays.judging`)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import organization_labels
from audit import integrity
from contests import prizes as contest_prizes
from contests.downloads import download as file_download
from contests.permissions import permission_required
from contests.selectors import contest_for_request
from essays import judging as essay_judging
from essays.models import EssayPrize, JudgingRound
from essays.services import EssayError
from quiz.enums import PrizeStatus
from quiz.errors import QuizError
from quiz.models import Prize, Round

from . import exports, publication, rules, services


def _round(pk) -> Round:
    round = Round.objects.select_related("contest").filter(pk=pk).first()
    if round is None:
        raise Http404
    return round


def _in_verdict_order(prizes: list) -> tuple[list, list, list]:
    """The winners pages' three groups: those awaiting a verdict first (where the work is), then
    the verified ones (folded), then those found not valid; each by place."""
    by_status = {status: [p for p in prizes if p.status == status] for status in PrizeStatus.values}
    return by_status[PrizeStatus.DRAFT], by_status[PrizeStatus.VERIFIED], by_status[PrizeStatus.INVALID]


@permission_required("awards.view_winners")
def winners(request, pk):
    """Winner verification: the draft list with contact details, a verdict per winner, and the
    undecided integrity cases about each winner (a «not valid» verdict may decide them)."""
    round = _round(pk)
    prizes = list(
        Prize.objects.filter(round=round)
        .select_related("user__profile", "entry__best_attempt__organization", "verified_by")
        .order_by("rank", "pk")
    )
    warnings = integrity.winner_warnings(round=round, prizes=prizes)
    listed = [p.user_id for p in prizes if p.status != PrizeStatus.INVALID]
    cases = integrity.open_cases_by_user(contest=round.contest, user_ids=listed, after=integrity.final_after(round))
    units = organization_labels(p.entry.best_attempt.organization for p in prizes)
    published = round.results_published_at is not None
    for p in prizes:
        p.actions = contest_prizes.allowed_actions(p, published=published)
        p.warnings = warnings.get(p.pk, [])
        p.cases = cases.get(p.user_id, []) if p.status != PrizeStatus.INVALID else []
        p.unit_label = units[p.entry.best_attempt.organization_id]  # the unit with its party committee
    waiting, verified, invalid = _in_verdict_order(prizes)
    context = {
        "round": round,
        "prizes": prizes,
        "waiting": waiting,
        "verified": verified,
        "invalid": invalid,
        "pending": contest_prizes.awaiting_verification(prizes),
        "ready": contest_prizes.fully_verified(prizes),
        "warned": len(warnings),
        "open_cases": sum(len(p.cases) for p in prizes),
        "fast_seconds": integrity.FAST_FULL_SECONDS,
    }
    return render(request, "awards/winners.html", context)


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


@permission_required("awards.verify_prize")
@require_POST
def prize_verify(request, pk):
    prize = get_object_or_404(Prize.objects.select_related("round__contest", "user"), pk=pk)
    note, keys = request.POST.get("note", ""), request.POST.getlist("case")
    _prize_decision(
        request, lambda **kw: services.quiz_prize_decide(prize=prize, text=note, case_keys=keys, **kw),
        _("Đã ghi kết quả xác minh: %(name)s.") % {"name": prize.user.full_name},
    )  # fmt: skip
    return redirect("reports:winners", pk=prize.round_id)


@permission_required("awards.amend_prize")
@require_POST
def prize_amend(request, pk):
    """«Sửa kết quả đã công bố»: a published weekly prize changes only here, with a reason."""
    prize = get_object_or_404(Prize.objects.select_related("round__contest", "user"), pk=pk)
    reason, keys = request.POST.get("reason", ""), request.POST.getlist("case")
    _prize_decision(
        request, lambda **kw: services.quiz_prize_decide(prize=prize, text=reason, amend=True, case_keys=keys, **kw),
        _("Đã sửa kết quả đã công bố: %(name)s.") % {"name": prize.user.full_name},
    )  # fmt: skip
    return redirect("reports:winners", pk=prize.round_id)


@permission_required("awards.view_winners")
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
    return request.user if rules.can_see_winner_details(request.user) else None


@permission_required("awards.view_winners")
def winners_download(request, kind="winners"):
    """The prize list of every round (and, for the secretariat, the winners' details and the
    essay prizes), at once."""
    contest = contest_for_request(request, drafts=True)
    extra = {"details_viewer": _details_viewer(request)}
    return file_download("danh-sach-giai.xlsx", lambda buffer: exports.winners_workbook(buffer, contest=contest, **extra))


@permission_required("awards.view_winners")
def essay_winners(request):
    """Verification of the essay prizes: the awarded essays with their authors and contacts."""
    prizes = list(
        EssayPrize.objects.filter(essay__phase__contest=contest_for_request(request, drafts=True))
        .select_related("essay__subject_organization", "essay__submitter", "verified_by")
        .prefetch_related("essay__authors__organization")
        .order_by("rank", "pk")
    )
    # A phase's prize list is published once any of its awarded essays is on the public site;
    # from then on a change is an amendment (with a reason), not a verification.
    published_phases = {p.essay.phase_id for p in prizes if p.essay.published_at}
    for p in prizes:
        p.actions = contest_prizes.allowed_actions(p, published=p.essay.phase_id in published_phases)
    waiting, verified, invalid = _in_verdict_order(prizes)
    context = {
        "prizes": prizes,
        "waiting": waiting,
        "verified": verified,
        "invalid": invalid,
        "pending": contest_prizes.awaiting_verification(prizes),
        "ready": contest_prizes.fully_verified(prizes),
    }
    return render(request, "awards/essay_winners.html", context)


@permission_required("awards.verify_prize")
@require_POST
def essay_prize_verify(request, pk):
    prize = get_object_or_404(EssayPrize.objects.select_related("essay"), pk=pk)
    note = request.POST.get("note", "")
    _prize_decision(
        request, lambda **kw: essay_judging.prize_verify(prize=prize, note=note, **kw),
        _("Đã ghi kết quả xác minh bài %(code)s.") % {"code": prize.essay.code},
    )  # fmt: skip
    return redirect("reports:essay_winners")


@permission_required("awards.amend_prize")
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


# --- «Công bố kết quả»: a confirmation first (awards.publication) ------------------------------------


def _publish_page(request, *, preview, title, back, done, publish, template_context):
    if request.method == "POST":
        if request.POST.get("confirm") != "1":
            messages.error(request, _("Hãy đánh dấu ô xác nhận trước khi công bố."))
        else:
            try:
                result = publish(override_reason=request.POST.get("override_reason", ""))
            except (QuizError, EssayError) as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, done(result))
                return redirect(back)
    context = {"preview": preview, "title": title, "back": back, **template_context}
    return render(request, "awards/publish_confirm.html", context)


@permission_required("quiz.run_round")
def publish_round(request, pk):
    """«Công bố kết quả» of a weekly round: what becomes public, then the publication (refused
    while an integrity case about a winner is undecided, unless overridden with a reason)."""
    round = _round(pk)
    return _publish_page(
        request,
        preview=publication.round_preview(round=round),
        title=_("Công bố kết quả: %(name)s") % {"name": round.name},
        back=reverse("quiz:manage_round", args=[round.pk]),
        done=lambda _r: _("Đã công bố kết quả tuần thi."),
        publish=lambda **kw: publication.round_publish(round=round, by=request.user, **kw),
        template_context={"round": round, "part": "quiz", "winners_url": reverse("reports:winners", args=[round.pk])},
    )


@permission_required("essays.run_judging")
def publish_essays(request, pk):
    """«Công bố giải và đăng bài đoạt giải» of the final judging round, with the same confirmation."""
    round = get_object_or_404(JudgingRound.objects.select_related("phase__contest"), pk=pk)
    return _publish_page(
        request,
        preview=publication.essay_preview(round=round),
        title=_("Công bố giải bài viết: %(name)s") % {"name": round.name},
        back=reverse("judging:manage_round", args=[round.pk]),
        done=lambda n: _("Đã công bố giải và đăng %(n)d bài đoạt giải.") % {"n": n},
        publish=lambda **kw: publication.essays_publish(round=round, by=request.user, **kw),
        template_context={"round": round, "part": "essays", "winners_url": reverse("reports:essay_winners")},
    )

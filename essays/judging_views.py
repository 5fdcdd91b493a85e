"""The jury portal (/judging/) and the organizers' round management."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from contests.permissions import permission_required

from . import judging, selectors
from .enums import JudgingStatus, SheetStatus
from .files import BlindCopyError
from .models import Assignment, Criterion, JudgingRound, Score
from .services import EssayError
from .views import BLIND_COPY_FAILED, file_response


@permission_required("essays.judge")
def queue(request):
    rows = selectors.judge_queue(judge=request.user)
    context = {
        "assignments": rows,
        "progress": selectors.judge_progress(judge=request.user),
        "next_pk": _next_sheet(rows, current=None),
        "deadlines": _deadlines(request.user),
    }
    return render(request, "essays/judging/queue.html", context)


def _next_sheet(rows, *, current: int | None) -> int | None:
    """The next sheet to score: the first one of the queue (unscored first) still to submit,
    other than the one on screen."""
    return next((row.pk for row in rows if row.pk != current and row.status != SheetStatus.SUBMITTED), None)


def _deadlines(judge) -> list[tuple[str, object]]:
    """(name, deadline) of the open rounds this judge scores in. One query."""
    rounds = JudgingRound.objects.filter(status=JudgingStatus.OPEN, assignments__judge=judge)
    return list(rounds.order_by("order").values_list("name", "deadline").distinct())


def _points(criteria, scores: dict[int, int]) -> tuple[float | None, float, bool]:
    """(the weighted total of the points given so far, the highest total, whether any criterion
    weighs other than 1) — `selectors.sheet_total`, the weighted sum the round's results use."""
    weights = selectors.criterion_weights(criteria)
    total = selectors.sheet_total({c.pk: scores.get(c.pk) for c in criteria}, weights)
    highest = selectors.sheet_total({c.pk: c.max_points for c in criteria}, weights) or 0
    return total, highest, any(w != 1 for w in weights.values())


def _version(assignment) -> str:
    """What the confirmation was shown for: any later save of the sheet changes it."""
    return assignment.updated_at.isoformat() if assignment.updated_at else ""


@permission_required("essays.judge")
def sheet(request, pk):
    assignment = selectors.get_assignment_for_judge(request.user, pk)
    criteria = list(Criterion.objects.filter(round_id=assignment.round_id))
    if request.method == "POST":
        if "submit" in request.POST and request.POST.get("confirm") == "1":
            return _sheet_lock(request, assignment)
        try:
            points = {c.pk: int(request.POST[f"c{c.pk}"]) for c in criteria if request.POST.get(f"c{c.pk}", "").strip() != ""}
        except ValueError:
            messages.error(request, _("Điểm phải là số nguyên."))
            return redirect("judging:sheet", pk=assignment.pk)
        # Both buttons keep what was typed as a draft first; «Nộp điểm» then asks for a
        # confirmation showing the total, and only that confirmation locks the sheet.
        try:
            assignment = judging.sheet_save(
                assignment=assignment, judge=request.user, points=points, comment=request.POST.get("comment", ""), submit=False
            )
        except EssayError as exc:
            messages.error(request, exc.message)
            return redirect("judging:sheet", pk=assignment.pk)
        if "submit" not in request.POST:
            messages.success(request, _("Đã lưu nháp."))
            return redirect("judging:sheet", pk=assignment.pk)
        missing = [c.name for c in criteria if c.pk not in points]
        if missing:
            messages.error(
                request, _("Cần chấm đủ mọi tiêu chí trước khi nộp điểm. Còn thiếu: %(names)s.") % {"names": "; ".join(missing)}
            )
            return redirect("judging:sheet", pk=assignment.pk)
        total, highest, weighted = _points(criteria, points)
        context = {
            "sheet": selectors.blind_sheet(assignment),
            "rows": [(c, points[c.pk]) for c in criteria],
            "total": total,
            "highest": highest,
            "weighted": weighted,
            "version": _version(assignment),
        }
        return render(request, "essays/judging/confirm.html", context)
    scores = dict(Score.objects.filter(assignment=assignment).values_list("criterion_id", "points"))
    total, highest, weighted = _points(criteria, scores)
    rows = selectors.judge_queue(judge=request.user)
    # The template gets a blind projection of the sheet and its essay, never the model instances.
    context = {
        "sheet": selectors.blind_sheet(assignment),
        "rows": [(c, scores.get(c.pk)) for c in criteria],
        "total": total,
        "highest": highest,
        "weighted": weighted,
        "filled": sum(1 for c in criteria if scores.get(c.pk) is not None),
        "deadline": assignment.round.deadline,
        "next_pk": _next_sheet(rows, current=assignment.pk),
        "position": next((n for n, row in enumerate(rows, start=1) if row.pk == assignment.pk), None),
        "queue_size": len(rows),
    }
    return render(request, "essays/judging/sheet.html", context)


def _sheet_lock(request, assignment):
    """The confirmed «Nộp điểm»: locks the points stored as the draft the confirmation showed
    (never a copy sent back by the browser); if the sheet changed since, it asks again."""
    if request.POST.get("version", "") != _version(assignment):
        messages.error(request, _("Phiếu chấm đã thay đổi sau khi anh/chị xem bản xác nhận; vui lòng kiểm tra và nộp lại."))
        return redirect("judging:sheet", pk=assignment.pk)
    stored = dict(Score.objects.filter(assignment=assignment).values_list("criterion_id", "points"))
    try:
        judging.sheet_save(assignment=assignment, judge=request.user, points=stored, comment=assignment.comment, submit=True)
    except EssayError as exc:
        messages.error(request, exc.message)
        return redirect("judging:sheet", pk=assignment.pk)
    next_pk = _next_sheet(selectors.judge_queue(judge=request.user), current=assignment.pk)
    if next_pk is None:
        messages.success(request, _("Đã nộp điểm. Anh/chị đã chấm xong mọi bài được phân công."))
        return redirect("judging:queue")
    messages.success(request, _("Đã nộp điểm. Đây là bài tiếp theo cần chấm."))
    return redirect("judging:sheet", pk=next_pk)


@permission_required("essays.judge")
def sheet_file(request, pk, number):
    """The n-th attachment of a judge's sheet, as a blind copy (no author in its metadata)."""
    assignment = selectors.get_assignment_for_judge(request.user, pk)
    essay_file = selectors.essay_file_for_sheet(assignment, number)
    try:
        return file_response(essay_file, blind=True, number=number)
    except BlindCopyError:
        messages.error(request, BLIND_COPY_FAILED)
        return redirect("judging:sheet", pk=assignment.pk)


@permission_required("essays.judge")
@require_POST
def conflict(request, pk):
    """«Báo xung đột lợi ích»: a reason, then a page that says what follows and asks to confirm
    (`confirm=1`); only that confirmation returns the sheet. No JavaScript needed."""
    assignment = selectors.get_assignment_for_judge(request.user, pk)
    reason = request.POST.get("reason", "")
    try:
        if request.POST.get("confirm") != "1":
            context = {"sheet": selectors.blind_sheet(assignment), "reason": judging.conflict_reason_clean(reason)}
            return render(request, "essays/judging/conflict_confirm.html", context)
        judging.conflict_declare(assignment=assignment, judge=request.user, reason=reason)
    except EssayError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("judging:sheet", args=[assignment.pk]) + "#xung-dot")
    messages.success(
        request, _("Đã ghi nhận xung đột lợi ích; bài đã rời khỏi danh sách chấm của anh/chị. Ban Tổ chức sẽ xem xét lý do.")
    )
    return redirect("judging:queue")


# --- Organizers ------------------------------------------------------------------------------------


def _round(pk) -> JudgingRound:
    return get_object_or_404(JudgingRound.objects.select_related("phase"), pk=pk)


@permission_required("essays.manage_judging")
def manage_round(request, pk):
    round = _round(pk)
    top_k = request.GET.get("top_k")
    threshold = request.GET.get("threshold")
    preview = []
    try:
        if top_k:
            preview = selectors.advance_preview(round=round, top_k=int(top_k))
        elif threshold:
            preview = selectors.advance_preview(round=round, threshold=float(threshold.replace(",", ".")))
    except ValueError:
        messages.error(request, _("Số bài hoặc ngưỡng điểm không hợp lệ."))
    next_round = JudgingRound.objects.filter(phase=round.phase, order__gt=round.order).order_by("order").first()
    results = selectors.round_results(round=round)
    context = {
        "round": round,
        "results": results,
        "preview": preview,
        "next_round": next_round,
        "panel": selectors.judge_summaries(round=round, results=results),
        "conflicts": selectors.round_conflicts(round=round),
    }
    return render(request, "essays/judging/manage_round.html", context)


@permission_required("essays.undo_conflict")
@require_POST
def conflict_undo(request, pk, sheet):
    """An organizer undoes a declared conflict of interest, with a reason (recorded)."""
    round = _round(pk)
    assignment = get_object_or_404(Assignment, pk=sheet, round=round)
    try:
        judging.conflict_undo(assignment=assignment, by=request.user, reason=request.POST.get("reason", ""))
    except EssayError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã hoàn tác khai báo xung đột lợi ích; bài trở lại danh sách chấm của giám khảo."))
    return redirect(reverse("judging:manage_round", args=[round.pk]) + "#xung-dot")


@permission_required("essays.run_judging")
@require_POST
def manage_action(request, pk, action):
    round = _round(pk)
    try:
        if action == "fill":
            n = judging.round_fill_from_screening(round=round)
            messages.success(
                request,
                ngettext("Đã đưa %(n)d bài đủ điều kiện vào vòng chấm.", "Đã đưa %(n)d bài đủ điều kiện vào vòng chấm.", n)
                % {"n": n},
            )
        elif action == "assign":
            n = judging.round_assign(round=round)
            messages.success(request, ngettext("Đã phân công %(n)d phiếu chấm.", "Đã phân công %(n)d phiếu chấm.", n) % {"n": n})
        elif action == "close":
            judging.round_close(round=round, by=request.user)
            messages.success(request, _("Đã kết thúc vòng chấm."))
        elif action == "advance":
            try:
                to_pk, ids = int(request.POST.get("to", "")), [int(x) for x in request.POST.getlist("essay")]
            except ValueError:
                raise EssayError(_("Lựa chọn không hợp lệ; vui lòng chọn lại vòng và các bài.")) from None
            to = get_object_or_404(JudgingRound, pk=to_pk, phase=round.phase)
            n = judging.round_advance(round=round, to=to, essay_ids=ids, by=request.user)
            messages.success(
                request,
                ngettext("Đã chọn %(n)d bài vào %(name)s.", "Đã chọn %(n)d bài vào %(name)s.", n) % {"n": n, "name": to.name},
            )
        elif action == "prizes":
            prizes = judging.prizes_award(round=round, by=request.user)
            messages.success(
                request,
                ngettext(
                    "Đã lập danh sách %(n)d giải; chờ Tổ Thư ký xác minh.",
                    "Đã lập danh sách %(n)d giải; chờ Tổ Thư ký xác minh.",
                    len(prizes),
                )
                % {"n": len(prizes)},
            )
        elif action == "publish":  # publishing asks for a confirmation first (awards.publication)
            return redirect("reports:publish_essays", pk=round.pk)
        else:
            raise Http404
    except EssayError as exc:
        messages.error(request, exc.message)
    return redirect("judging:manage_round", pk=round.pk)

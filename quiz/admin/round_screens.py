"""A round's tool screens on its admin page: building the pool (N random questions of a field,
or an earlier round's pool) and the item analysis of a closed round with its Excel export."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contests.downloads import download
from quiz import analysis, selectors
from quiz.errors import QuizError
from quiz.forms import PoolCopyForm, PoolRandomForm
from quiz.models import Option, Question, Round, RoundQuestion
from quiz.services.pool import round_pool_add_random, round_pool_copy


def pool_questions(*, round: Round) -> list[Question]:
    """A round's pool to proofread: every question with its options in order, by field then
    code. Two queries."""
    return list(
        Question.objects.filter(round_entries__round=round)
        .select_related("field")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("letter")))
        .order_by("field__sort_order", "field__name", "code")
    )


class RoundToolScreens:
    """The pool and analysis screens of RoundAdmin (its URLs: quiz_round_pool,
    quiz_round_analysis, quiz_round_analysis_xlsx)."""

    def get_urls(self):
        return [
            path("<int:pk>/pool/", self.admin_site.admin_view(self.pool_view), name="quiz_round_pool"),
            path("<int:pk>/analysis/", self.admin_site.admin_view(self.analysis_view), name="quiz_round_analysis"),
            path(
                "<int:pk>/analysis.xlsx", self.admin_site.admin_view(self.analysis_export_view), name="quiz_round_analysis_xlsx"
            ),
        ] + super().get_urls()

    def _viewable_round(self, request, pk):
        round = Round.objects.select_related("contest").filter(pk=pk).first()
        if round is None or not self.has_view_permission(request, round):
            raise PermissionDenied
        return round

    def analysis_view(self, request, pk):
        """The item analysis of a closed round: the round's figures, the score distribution and
        a table of questions, flagged ones first. Organizers may run it again."""
        round = self._viewable_round(request, pk)
        may_run = self.has_seal_permission(request)
        if request.method == "POST":
            if not may_run:
                raise PermissionDenied
            if not round.is_closed:
                messages.error(request, _("Chỉ phân tích câu hỏi sau khi tuần thi đã đóng."))
            else:
                from quiz.tasks import analyse_round

                transaction.on_commit(lambda: analyse_round.delay(round.pk))
                messages.success(request, _("Đã giao việc phân tích; tải lại trang sau ít phút để xem kết quả."))
            return redirect("admin:quiz_round_analysis", pk=round.pk)
        stat, rows = analysis.round_analysis(round=round)
        top = max(stat.distribution) if stat and stat.distribution else 0
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": round,
            "title": _("Phân tích câu hỏi: %(name)s") % {"name": round.name},
            "round": round,
            "stat": stat,
            "distribution": [(score, n, max(top, 1)) for score, n in enumerate(stat.distribution)] if stat else [],
            "rows": [(row, analysis.shares_display(row.option_shares), analysis.flag_labels(row.flags)) for row in rows],
            "flagged": sum(1 for row in rows if row.flags),
            "thresholds": analysis.THRESHOLDS,
            "may_run": may_run and round.is_closed,
            "outdated": analysis.analysis_outdated(round=round, stat=stat),
        }
        return render(request, "admin/quiz/round/analysis.html", context)

    def analysis_export_view(self, request, pk):
        round = self._viewable_round(request, pk)
        return download(f"phan-tich-cau-hoi-{round.pk}.xlsx", lambda buffer: analysis.write_analysis(buffer, round=round))

    def pool_view(self, request, pk):
        """Build the pool as the organizers did: N random questions of a field (unused, or used
        in earlier rounds), or all of an earlier round's pool."""
        round = Round.objects.select_related("contest").filter(pk=pk).first()
        if round is None or not self.has_change_permission(request, round):
            return redirect("admin:quiz_round_changelist")
        random_form = PoolRandomForm(request.POST if "add_random" in request.POST else None, round=round)
        copy_form = PoolCopyForm(request.POST if "copy" in request.POST else None, round=round)
        try:
            if "add_random" in request.POST and random_form.is_valid():
                n = round_pool_add_random(round=round, **random_form.cleaned_data)
                messages.success(request, ngettext("Đã thêm %(n)d câu.", "Đã thêm %(n)d câu.", n) % {"n": n})
                return redirect("admin:quiz_round_pool", pk=round.pk)
            if "copy" in request.POST and copy_form.is_valid():
                n = round_pool_copy(round=round, source=copy_form.cleaned_data["source"])
                messages.success(request, ngettext("Đã thêm %(n)d câu.", "Đã thêm %(n)d câu.", n) % {"n": n})
                return redirect("admin:quiz_round_pool", pk=round.pk)
        except QuizError as exc:
            messages.error(request, exc.message)
        by_field = (
            RoundQuestion.objects.filter(round=round)
            .values("question__field__name")
            .annotate(n=Count("id"))
            .order_by("question__field__name")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": round,
            "title": _("Bộ câu hỏi: %(name)s") % {"name": round.name},
            "round": round,
            "random_form": random_form,
            "copy_form": copy_form,
            "by_field": by_field,
            # What «add N random» can draw from, per field: unused and used in earlier rounds.
            "field_counts": [] if round.is_sealed else list(random_form.fields["field"].queryset),
            "problems": [] if round.is_sealed else selectors.round_problems(round=round),
            "published": [] if round.is_sealed else selectors.pool_published_questions(round=round),
            "questions": pool_questions(round=round),
            "show_answers": request.user.has_perm("quiz.see_answers"),
            # «Duyệt và niêm phong» from here posts the changelist's action for this round: the
            # same confirmation page, then round_approve.
            "can_seal": not round.is_sealed and self.has_seal_permission(request),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/quiz/round/pool.html", context)

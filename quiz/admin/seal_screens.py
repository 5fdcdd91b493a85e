"""The seal's screens on a round's admin page: «Duyệt và niêm phong» (a confirmation page, then
round_approve), the export of the sealed key file, the two changes a sealed round takes,
each with a reason: «Gia hạn» (a later close) and «Đóng sớm» (an earlier one, not in the past),
and «Đính chính đáp án» of a closed round (a form, a confirmation page saying what changes,
then quiz.services.errata.round_erratum)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from quiz import selectors
from quiz.admin.round_screens import pool_questions
from quiz.enums import AttemptStatus, ErratumAction
from quiz.errors import QuizError
from quiz.models import OPTION_LETTERS, Attempt, Question, Round
from quiz.round_fields import ROUND_FROZEN_FIELDS
from quiz.services.errata import erratum_preview, erratum_problems, erratum_round_problem, round_erratum
from quiz.services.rounds import close_early_problems, round_approve, round_close_early, round_extend_window


class RoundExtendForm(forms.Form):
    closes_at = forms.SplitDateTimeField(label=_("Thời gian đóng mới"), widget=admin.widgets.AdminSplitDateTime)
    reason = forms.CharField(
        label=_("Lý do gia hạn"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: sự cố đường truyền ngày 12/9 làm nhiều thí sinh không vào được trang thi."),
    )  # fmt: skip


class RoundCloseEarlyForm(forms.Form):
    closes_at = forms.SplitDateTimeField(
        label=_("Đóng lúc"), required=False, widget=admin.widgets.AdminSplitDateTime,
        help_text=_("Để trống: đóng ngay khi xác nhận. Không thể đóng về một thời điểm đã qua."),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Lý do đóng sớm"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ghi công khai cạnh mã niêm phong trên trang tuần thi. Ví dụ: đáp án bị lộ trên mạng xã hội lúc 9 giờ."),
    )  # fmt: skip
    confirm = forms.BooleanField(
        label=_("Tôi hiểu: bài đang làm kết thúc lúc đóng mới, không ai bắt đầu được sau đó, và quyết định được công khai."),
    )

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round

    def clean(self):
        cleaned = super().clean()
        if "reason" in cleaned and "closes_at" in cleaned:
            for problem in close_early_problems(round=self.round, closes_at=cleaned["closes_at"], reason=cleaned["reason"]):
                self.add_error(None, problem)
        return cleaned


class ErratumForm(forms.Form):
    """An erratum of a closed round's key: which question, annul or re-key (with the letters
    accepted), and why. The rules are the service's (erratum_problems), asked in clean()."""

    question = forms.ModelChoiceField(label=_("Câu hỏi"), queryset=Question.objects.none())
    action = forms.ChoiceField(label=_("Đính chính"), choices=ErratumAction.choices, widget=forms.RadioSelect)
    letters = forms.MultipleChoiceField(
        label=_("Phương án được chấm đúng (khi sửa đáp án)"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(letter, letter) for letter in OPTION_LETTERS],
        help_text=_("Chọn một hoặc nhiều phương án: câu có hai đáp án đúng thì chọn cả hai."),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Lý do đính chính"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Công khai trên trang tuần thi, cạnh mã niêm phong. Ví dụ: phương án B và C cùng đúng theo Điều lệ Đảng."),
    )  # fmt: skip

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round
        self.fields["question"].queryset = Question.objects.filter(round_entries__round=round).order_by("code")
        self.fields["question"].label_from_instance = lambda q: f"{q.code} — {q.text[:90]}"

    def clean(self):
        cleaned = super().clean()
        if {"question", "action", "reason"} <= cleaned.keys():
            problems = erratum_problems(
                round=self.round, question=cleaned["question"], action=cleaned["action"],
                letters="".join(cleaned.get("letters") or []), reason=cleaned["reason"],
            )  # fmt: skip
            for problem in problems:
                self.add_error(None, problem)
        return cleaned


class RoundSealScreens:
    """The seal's actions and the extension screen of RoundAdmin (its URL: quiz_round_extend)."""

    @admin.action(description=_("Duyệt và niêm phong bộ câu hỏi"), permissions=["seal"])
    def approve_and_seal(self, request, queryset):
        """First a page listing the rounds and what sealing freezes; sealing only on confirm. A
        pool holding questions whose answers an earlier round published names them there, and
        its round is sealed only when the organizer ticks the box that confirms it."""
        rounds = list(queryset.select_related("contest").annotate(n=Count("pool")))
        published = {r.pk: [] if r.is_sealed else selectors.pool_published_questions(round=r) for r in rounds}
        confirmed = {pk for pk in published if str(pk) in request.POST.getlist("confirm_published")}
        unconfirmed = [r for r in rounds if published[r.pk] and r.pk not in confirmed]
        if request.POST.get("post") != "yes" or unconfirmed:
            context = {
                **self.admin_site.each_context(request),
                "title": _("Duyệt và niêm phong tuần thi"),
                "opts": self.model._meta,
                "rounds": [(r, [] if r.is_sealed else selectors.round_problems(round=r)) for r in rounds],
                "published": [(r, published[r.pk]) for r in rounds if published[r.pk]],
                "confirmed": confirmed,
                "unconfirmed": request.POST.get("post") == "yes" and unconfirmed,
                "pools": [(r, pool_questions(round=r)) for r in rounds],
                "frozen": [Round._meta.get_field(name).verbose_name for name in ROUND_FROZEN_FIELDS],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action": "approve_and_seal",
            }
            return TemplateResponse(request, "admin/quiz/round/seal_confirmation.html", context)
        for round in rounds:
            try:
                round_approve(round=round, by=request.user, confirm_published=round.pk in confirmed)
            except QuizError as exc:
                self.message_user(request, f"{round.name}: {exc.message}", messages.ERROR)
            else:
                self.log_change(request, round, "Duyệt và niêm phong bộ câu hỏi")
                self.message_user(request, _("%(name)s: đã duyệt và niêm phong.") % {"name": round.name}, messages.SUCCESS)
        return None

    @admin.action(description=_("Xuất đáp án đã niêm phong"), permissions=["answer_key"])
    def export_answer_key(self, request, queryset):
        """The official key is the key file, byte for byte what was sealed (quiz.seal)."""
        from quiz.seal_views import round_key_file_response

        round = queryset.first()
        if queryset.count() != 1 or not round.is_sealed:
            self.message_user(request, _("Chọn đúng một tuần thi đã niêm phong."), messages.ERROR)
            return None
        response = round_key_file_response(round=round)
        if response is None:
            self.message_user(request, _("Tuần thi này chưa có tệp đáp án niêm phong (lệnh seal_backfill)."), messages.ERROR)
        return response

    def get_urls(self):
        return [
            path("<int:pk>/extend/", self.admin_site.admin_view(self.extend_view), name="quiz_round_extend"),
            path("<int:pk>/close-early/", self.admin_site.admin_view(self.close_early_view), name="quiz_round_close_early"),
            path("<int:pk>/erratum/", self.admin_site.admin_view(self.erratum_view), name="quiz_round_erratum"),
        ] + super().get_urls()

    def extend_view(self, request, pk):
        """Extend a sealed round's window (later closing only), with a reason that is recorded."""
        return self._window_view(
            request, pk, service=round_extend_window, verb=_("Gia hạn"), template="admin/quiz/round/extend.html",
            form=lambda round: RoundExtendForm(request.POST or None, initial={"closes_at": round.closes_at}),
            done=_("Đã gia hạn %(name)s."),
        )  # fmt: skip

    def close_early_view(self, request, pk):
        """Close a sealed round early (a leaked key), with a reason that is recorded and public;
        the page says how many attempts in progress the close will end."""
        return self._window_view(
            request, pk, service=round_close_early, verb=_("Đóng sớm"), template="admin/quiz/round/close_early.html",
            form=lambda round: RoundCloseEarlyForm(request.POST or None, round=round),
            done=_("Đã đóng sớm %(name)s."),
            extra=lambda round: {
                "in_progress": Attempt.objects.filter(round=round, status=AttemptStatus.OPEN).count(),
                "problems": close_early_problems(round=round, closes_at=None, reason="-"),
            },
        )  # fmt: skip

    def has_erratum_permission(self, request):
        return request.user.has_perm("quiz.correct_key") and self.has_change_permission(request)

    def erratum_view(self, request, pk):
        """«Đính chính đáp án»: the form; once valid, a confirmation page saying what changes (the
        key before and after, the attempts that drew the question, how many gain or lose a point,
        what follows for the prize list); the erratum only on «Xác nhận đính chính»."""
        round = Round.objects.select_related("contest").filter(pk=pk).first()
        if round is None:
            return redirect("admin:quiz_round_changelist")
        if not self.has_erratum_permission(request):
            raise PermissionDenied
        form = ErratumForm(request.POST or None, round=round)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": round,
            "title": _("Đính chính đáp án: %(name)s") % {"name": round.name},
            "round": round,
            "form": form,
            "round_problem": erratum_round_problem(round),
            "errata": list(round.errata.select_related("question", "decided_by").order_by("seq")),
        }
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            letters = "".join(data.get("letters") or [])
            if request.POST.get("confirm") == "yes":
                try:
                    erratum = round_erratum(
                        round=round, question=data["question"], action=data["action"], letters=letters,
                        reason=data["reason"], by=request.user,
                    )  # fmt: skip
                except QuizError as exc:
                    form.add_error(None, exc.message)
                else:
                    self.log_change(request, round, f"Đính chính đáp án số {erratum.seq}: {erratum.question.code}")
                    messages.success(
                        request,
                        _("Đã đính chính đáp án câu %(code)s; mọi bài thi đã được chấm lại.") % {"code": erratum.question.code},
                    )
                    return redirect("admin:quiz_round_change", round.pk)
            else:
                question = data["question"]
                context.update(
                    confirming=True,
                    question=question,
                    options=list(question.options.order_by("letter")),
                    preview=erratum_preview(round=round, question=question, action=data["action"], letters=letters),
                    annul=data["action"] == ErratumAction.ANNUL,
                    published=round.results_published_at is not None,
                    drafted=round.prizes.exists(),
                )
        return render(request, "admin/quiz/round/erratum.html", context)

    def _window_view(self, request, pk, *, service, verb, template, form, done, extra=None):
        """The page of a move of a sealed round's close (a later one, or an early one): the form,
        the service that records the move and its decision, the change logged in the admin."""
        round = Round.objects.select_related("contest").filter(pk=pk).first()
        if round is None:
            return redirect("admin:quiz_round_changelist")
        if not self.has_seal_permission(request):
            raise PermissionDenied
        form = form(round)
        if request.method == "POST" and form.is_valid():
            try:
                change = service(
                    round=round, closes_at=form.cleaned_data["closes_at"], by=request.user, reason=form.cleaned_data["reason"]
                )
            except QuizError as exc:
                form.add_error(None, exc.message)
            else:
                self.log_change(
                    request, round, f"{verb}: {change.old_closes_at:%Y-%m-%d %H:%M} → {change.new_closes_at:%Y-%m-%d %H:%M}"
                )
                messages.success(request, done % {"name": round.name})
                return redirect("admin:quiz_round_change", round.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": round,
            "title": f"{verb}: {round.name}",
            "round": round,
            "form": form,
            "media": self.media + form.media,
            **(extra(round) if extra else {}),
        }
        return render(request, template, context)

"""The organizers' tools: the question bank, rounds and their pools. Actions call services; a
sealed round or question is shown read-only (the signals refuse any change anyway)."""

import io
import json
import re
import secrets

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, FloatField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Cast, NullIf
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_organizer
from contests.admin import ContestWritableInlineMixin, ContestWritableMixin, ReadOnlyMixin
from contests.downloads import download

from . import analysis, selectors
from .errors import QuizError
from .excel import ImportReport, import_questions, new_fields, parse_workbook, write_workbook
from .forms import PoolCopyForm, PoolRandomForm, QuestionImportConfirmForm, QuestionImportForm
from .models import (
    BlueprintItem,
    Field,
    Option,
    Prize,
    Question,
    QuestionStat,
    Round,
    RoundEntry,
    RoundQuestion,
    RoundWindowChange,
    TimeExtension,
)
from .package import read_upload, write_package
from .services.bank import question_image_set, question_validate_options
from .services.deadlines import time_extension_grant, time_extension_problems
from .services.pool import round_pool_add_random, round_pool_copy
from .services.rounds import ROUND_FROZEN_FIELDS, round_approve, round_extend_window

IMPORT_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
IMPORT_EXPIRED = _("Bản xem trước đã hết hạn (sau 15 phút) hoặc không phải của anh/chị; vui lòng chọn lại tệp.")


def _xlsx_response(filename: str, **kwargs):
    return download(filename, lambda buffer: write_workbook(buffer, **kwargs))


def pool_questions(*, round: Round) -> list[Question]:
    """A round's pool to proofread: every question with its options in order, by field then
    code. Two queries."""
    return list(
        Question.objects.filter(round_entries__round=round)
        .select_related("field")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("letter")))
        .order_by("field__sort_order", "field__name", "code")
    )


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_order", "question_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n=Count("questions"))

    @admin.display(description=_("số câu"), ordering="n")
    def question_count(self, obj):
        return obj.n


class OptionInline(admin.TabularInline):
    model = Option
    extra = 4
    max_num = 6
    fields = ["letter", "text", "is_correct"]

    def get_fields(self, request, obj=None):
        # The right answers of a round still open are the organizers' secret.
        return self.fields if is_organizer(request.user) else ["letter", "text"]


class UsedInRoundFilter(admin.SimpleListFilter):
    title = _("dùng trong tuần thi")
    parameter_name = "round"

    def lookups(self, request, model_admin):
        return [("none", _("Chưa dùng"))] + [(str(r.pk), r.name) for r in Round.objects.order_by("-opens_at")[:30]]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(round_entries__isnull=True)
        if self.value():
            return queryset.filter(round_entries__round_id=self.value())
        return queryset


class RightShareFilter(admin.SimpleListFilter):
    title = _("tỷ lệ trả lời đúng")
    parameter_name = "share"

    def lookups(self, request, model_admin):
        return [("low", _("Dưới 50%")), ("mid", _("50–80%")), ("high", _("Trên 80%"))]

    def queryset(self, request, queryset):
        bounds = {"low": (0, 0.5), "mid": (0.5, 0.8), "high": (0.8, 1.01)}.get(self.value())
        if not bounds:
            return queryset
        return queryset.filter(right_share__gte=bounds[0], right_share__lt=bounds[1])


class QuestionStatInline(ReadOnlyMixin, admin.TabularInline):
    """The item analysis of the question in each closed round it was drawn in (quiz.analysis)."""

    model = QuestionStat
    extra = 0
    can_delete = False
    fields = ["round", "attempts", "facility_display", "discrimination_display", "upper_lower_display", "shares", "flags_display"]
    readonly_fields = fields
    verbose_name_plural = _("phân tích câu hỏi theo từng tuần thi")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("round")

    @admin.display(description=_("độ dễ (p)"))
    def facility_display(self, obj):
        return _number(obj.facility)

    @admin.display(description=_("độ phân biệt (r)"))
    def discrimination_display(self, obj):
        return _number(obj.discrimination)

    @admin.display(description=_("nhóm 27 %"))
    def upper_lower_display(self, obj):
        return _number(obj.upper_lower)

    @admin.display(description=_("tỉ lệ chọn"))
    def shares(self, obj):
        return analysis.shares_display(obj.option_shares)

    @admin.display(description=_("cảnh báo"))
    def flags_display(self, obj):
        return ", ".join(analysis.flag_labels(obj.flags)) or "–"


def _number(value) -> str:
    return "–" if value is None else number_format(value, 2)


class QuestionAdminForm(forms.ModelForm):
    """The question with its image: an upload is checked and written again by quiz.images and
    stored by quiz.services.bank.question_image_set (save_model)."""

    image_upload = forms.FileField(
        label=_("Hình ảnh (JPEG, PNG, WebP, GIF; tối đa 5 MB)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )  # fmt: skip
    image_remove = forms.BooleanField(label=_("Bỏ hình ảnh"), required=False)

    class Meta:
        model = Question
        fields = ["code", "field", "text", "source", "status", "image_alt"]

    def clean_image_upload(self):
        from .images import MAX_BYTES, image_prepare

        upload = self.cleaned_data.get("image_upload")
        if not upload:
            return None
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Ảnh «%(name)s» lớn quá %(mb)d MB.") % {"name": upload.name, "mb": MAX_BYTES // 1048576})
        return image_prepare(upload.read(), name=upload.name)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "short_text", "field", "status", "answered", "right_share_display", "analysis_display", "sealed"]
    list_filter = ["field", "status", UsedInRoundFilter, RightShareFilter]
    search_fields = ["code", "text", "source", "options__text"]
    inlines = [OptionInline, QuestionStatInline]
    form = QuestionAdminForm
    readonly_fields = ["image_preview", "author", "created_at", "updated_at"]
    fields = ["code", "field", "text", "source", "status", "image_preview", "image_upload", "image_remove", "image_alt",
              "author", "created_at", "updated_at"]  # fmt: skip
    change_list_template = "admin/quiz/question/change_list.html"
    list_per_page = 50

    def get_queryset(self, request):
        sealed = RoundQuestion.objects.filter(question=OuterRef("pk"), round__approved_at__isnull=False)
        latest = QuestionStat.objects.filter(question=OuterRef("pk")).order_by("-computed_at", "-pk")
        return (
            super()
            .get_queryset(request)
            .select_related("field")
            .annotate(
                shown=Count("attempt_items", filter=Q(attempt_items__is_correct__isnull=False)),
                right=Count("attempt_items", filter=Q(attempt_items__is_correct=True)),
                is_sealed=Exists(sealed),
                **{f"stat_{name}": Subquery(latest.values(name)[:1]) for name in ("facility", "discrimination", "flags")},
            )
            .annotate(right_share=Cast("right", FloatField()) / NullIf(Cast("shown", FloatField()), Value(0.0)))
        )

    @admin.display(description=_("câu hỏi"))
    def short_text(self, obj):
        return obj.text[:90]

    @admin.display(description=_("lượt trả lời"), ordering="shown")
    def answered(self, obj):
        return obj.shown

    @admin.display(description=_("% đúng"), ordering="right_share")
    def right_share_display(self, obj):
        return "–" if not obj.shown else f"{obj.right / obj.shown:.0%}"

    @admin.display(description=_("phân tích (tuần gần nhất)"))
    def analysis_display(self, obj):
        """p and r of the latest analysed round, with its flags."""
        if obj.stat_facility is None:
            return "–"
        flags = obj.stat_flags if isinstance(obj.stat_flags, list) else json.loads(obj.stat_flags or "[]")
        text = f"p {_number(obj.stat_facility)} · r {_number(obj.stat_discrimination)}"
        if flags:
            return format_html('{} <strong class="flag">⚑ {}</strong>', text, ", ".join(analysis.flag_labels(flags)))
        return text

    @admin.display(description=_("niêm phong"), boolean=True, ordering="is_sealed")
    def sealed(self, obj):
        return obj.is_sealed

    def has_change_permission(self, request, obj=None):
        if obj is not None and selectors.question_is_sealed(obj.pk):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and selectors.question_is_sealed(obj.pk):
            return False
        return super().has_delete_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None or not obj.image_sha256:
            fields.remove("image_preview")
        if obj is not None and not self.has_change_permission(request, obj):
            fields = [f for f in fields if f not in ("image_upload", "image_remove")]
        return fields

    @admin.display(description=_("hình ảnh hiện có"))
    def image_preview(self, obj):
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="{}" style="max-width:480px;height:auto" loading="lazy">'
            "<br><small>SHA-256 {}</small>",
            reverse("quiz:question_image", args=[obj.image_sha256]), obj.image_width, obj.image_height,
            obj.image_alt or obj.text, obj.image_sha256,
        )  # fmt: skip

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)
        image, remove = form.cleaned_data.get("image_upload"), form.cleaned_data.get("image_remove")
        if image is not None or remove:
            question_image_set(question=obj, image=image, remove=remove and image is None)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        problems = question_validate_options([(o.text, o.is_correct) for o in form.instance.options.all()])
        if problems:
            messages.warning(
                request, _("Câu hỏi %(code)s chưa hợp lệ: %(p)s.") % {"code": form.instance.code, "p": "; ".join(problems)}
            )

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="quiz_question_import"),
            path("template.xlsx", self.admin_site.admin_view(self.template_view), name="quiz_question_template"),
            path("export.xlsx", self.admin_site.admin_view(self.export_view), name="quiz_question_export"),
            path("export.zip", self.admin_site.admin_view(self.export_zip_view), name="quiz_question_export_zip"),
        ] + super().get_urls()

    def template_view(self, request):
        return _xlsx_response("mau-cau-hoi.xlsx", template=True)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_export_bank": is_organizer(request.user)}
        return super().changelist_view(request, extra_context=extra_context)

    def export_view(self, request):
        """The whole bank with its right answers: organizers only."""
        if not is_organizer(request.user):
            raise PermissionDenied
        return _xlsx_response(f"ngan-hang-cau-hoi-{timezone.localdate():%Y%m%d}.xlsx")

    def export_zip_view(self, request):
        """The whole bank with its answers and images, as the import takes it: organizers only."""
        if not is_organizer(request.user):
            raise PermissionDenied
        return download(f"ngan-hang-cau-hoi-{timezone.localdate():%Y%m%d}.zip", lambda buffer: write_package(buffer))

    IMPORT_KEEP_SECONDS = 15 * 60

    @staticmethod
    def _import_key(token: str) -> str:
        return f"question-import:{token}"

    def import_view(self, request):
        """Upload → preview of every row (or every error) → confirm. The uploaded bytes wait on
        the server (the cache, 15 minutes, under a random token tied to the organizer), so the
        confirm step neither asks for the file again nor trusts a copy sent back by the browser.
        A field name not in the bank is created only when the organizer ticks it."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form, confirm_form, report = QuestionImportForm(), None, None
        if request.method == "POST" and "token" in request.POST:
            token = request.POST.get("token", "")
            kept = cache.get(self._import_key(token)) if IMPORT_TOKEN.fullmatch(token) else None
            if not kept or kept["user"] != request.user.pk:
                messages.error(request, IMPORT_EXPIRED)
                return redirect("admin:quiz_question_import")
            package = read_upload(kept["data"])
            report = parse_workbook(io.BytesIO(package.workbook), images=package.images)
            confirm_form = QuestionImportConfirmForm(request.POST, new_fields=new_fields(report)) if report.ok else None
            if confirm_form is not None and confirm_form.is_valid():
                report = import_questions(io.BytesIO(package.workbook), author=request.user, images=package.images)
                if report.ok:
                    cache.delete(self._import_key(token))
                    messages.success(
                        request, _("Đã nhập %(c)d câu mới, cập nhật %(u)d câu.") % {"c": report.created, "u": report.updated}
                    )
                    return redirect("admin:quiz_question_changelist")
        elif request.method == "POST":
            form = QuestionImportForm(request.POST, request.FILES)
            if form.is_valid():
                data = form.cleaned_data["file"].read()
                package = read_upload(data)
                if package.error:
                    report = ImportReport(errors=[package.error])
                else:
                    report = parse_workbook(io.BytesIO(package.workbook), images=package.images)
                if report.ok:
                    token = secrets.token_urlsafe(24)
                    cache.set(self._import_key(token), {"user": request.user.pk, "data": data}, self.IMPORT_KEEP_SECONDS)
                    confirm_form = QuestionImportConfirmForm(initial={"token": token}, new_fields=new_fields(report))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Nhập câu hỏi từ Excel"),
            "form": form,
            "confirm_form": confirm_form,
            "report": report,
        }
        return render(request, "admin/quiz/question/import.html", context)


class BlueprintInline(ContestWritableInlineMixin, admin.TabularInline):
    model = BlueprintItem
    extra = 0

    def has_add_permission(self, request, obj=None):
        return (obj is None or not obj.is_sealed) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or not obj.is_sealed) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or not obj.is_sealed) and super().has_delete_permission(request, obj)


class PoolInline(BlueprintInline):
    model = RoundQuestion
    fields = ["question"]
    raw_id_fields = ["question"]
    verbose_name_plural = _("bộ câu hỏi của tuần (chọn tay)")
    classes = ["collapse"]


class WindowChangeInline(ReadOnlyMixin, admin.TabularInline):
    """The record of every extension (written only by round_extend_window)."""

    model = RoundWindowChange
    extra = 0
    fields = readonly_fields = ["old_closes_at", "new_closes_at", "reason", "changed_by", "changed_at"]


class RoundAdminForm(forms.ModelForm):
    """The admin builds the fields from the fieldsets; this adds the window rules of the service."""

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk and not {"contest", "kind", "opens_at", "closes_at"} & set(self.changed_data):
            return cleaned  # the window is as it was: renaming a round never trips over it
        contest = cleaned.get("contest", getattr(instance, "contest", None))
        probe = Round(
            pk=instance.pk,
            contest_id=contest.pk if contest else None,
            kind=cleaned.get("kind", instance.kind),
            opens_at=cleaned.get("opens_at", instance.opens_at),
            closes_at=cleaned.get("closes_at", instance.closes_at),
        )
        problems = selectors.round_window_problems(round=probe)
        if problems:
            raise ValidationError(problems)
        return cleaned


class RoundExtendForm(forms.Form):
    closes_at = forms.SplitDateTimeField(label=_("Thời gian đóng mới"), widget=admin.widgets.AdminSplitDateTime)
    reason = forms.CharField(
        label=_("Lý do gia hạn"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ví dụ: sự cố đường truyền ngày 12/9 làm nhiều thí sinh không vào được trang thi."),
    )  # fmt: skip


@admin.register(Round)
class RoundAdmin(ContestWritableMixin, admin.ModelAdmin):
    form = RoundAdminForm
    # The contest is a filter, not a column: the list fits a 1366 px laptop.
    list_display = ["name", "kind", "opens_at", "closes_at", "pool_size", "phase_display", "manage_link"]
    list_filter = ["contest", "kind"]
    search_fields = ["name"]
    inlines = [BlueprintInline, PoolInline, WindowChangeInline]
    actions = ["approve_and_seal", "export_answer_key"]
    archive_readable_actions = ("export_answer_key",)
    readonly_fields = ["approved_at", "approved_by", "results_published_at", "full_score_actual"]
    fieldsets = (
        (None, {"fields": ("contest", "kind", "number", "name", ("opens_at", "closes_at"))}),
        (
            _("Bài thi"),
            {
                "fields": (
                    "questions_per_attempt",
                    "time_limit_seconds",
                    ("max_attempts", "attempts_per_day", "min_start_interval_minutes"),
                    "review_policy",
                )
            },
        ),
        (
            _("Xếp hạng và giải"),
            {
                "fields": (
                    "ranking_rule",
                    "tiebreaker_enabled",
                    ("prizes_first", "prizes_second", "prizes_third", "prizes_consolation"),
                )
            },
        ),
        (_("Duyệt"), {"fields": ("approved_at", "approved_by", "results_published_at", "full_score_actual")}),
    )
    change_form_template = "admin/quiz/round/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contest").annotate(n=Count("pool"))

    @admin.display(description=_("số câu"), ordering="n")
    def pool_size(self, obj):
        return obj.n

    @admin.display(description=_("trạng thái"))
    def phase_display(self, obj):
        return obj.get_phase_display()

    @admin.display(description="")
    def manage_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("quiz:manage_round", args=[obj.pk]), _("Số liệu, giải"))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_sealed:
            # Everything contestants play by is frozen; the closing time moves only by "Gia hạn".
            fields += [*ROUND_FROZEN_FIELDS, "closes_at"]
        return fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_sealed:
            return False
        return super().has_delete_permission(request, obj)

    def has_seal_permission(self, request):
        return is_organizer(request.user) and self.has_change_permission(request)

    def has_answer_key_permission(self, request):
        return is_organizer(request.user) and self.has_view_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        round = self.get_object(request, object_id)
        can_extend = (
            round is not None
            and round.is_sealed
            and not round.is_closed
            and not round.results_published_at
            and self.has_seal_permission(request)
        )
        extra_context = {**(extra_context or {}), "can_extend": can_extend}
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

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
        from .seal_views import round_key_file_response

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
            path("<int:pk>/pool/", self.admin_site.admin_view(self.pool_view), name="quiz_round_pool"),
            path("<int:pk>/extend/", self.admin_site.admin_view(self.extend_view), name="quiz_round_extend"),
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
                from .tasks import analyse_round

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
        }
        return render(request, "admin/quiz/round/analysis.html", context)

    def analysis_export_view(self, request, pk):
        round = self._viewable_round(request, pk)
        return download(f"phan-tich-cau-hoi-{round.pk}.xlsx", lambda buffer: analysis.write_analysis(buffer, round=round))

    def extend_view(self, request, pk):
        """Extend a sealed round's window (later closing only), with a reason that is recorded."""
        round = Round.objects.select_related("contest").filter(pk=pk).first()
        if round is None:
            return redirect("admin:quiz_round_changelist")
        if not self.has_seal_permission(request):
            raise PermissionDenied
        form = RoundExtendForm(request.POST or None, initial={"closes_at": round.closes_at})
        if request.method == "POST" and form.is_valid():
            try:
                change = round_extend_window(
                    round=round, closes_at=form.cleaned_data["closes_at"], by=request.user, reason=form.cleaned_data["reason"]
                )
            except QuizError as exc:
                form.add_error(None, exc.message)
            else:
                self.log_change(
                    request, round, f"Gia hạn: {change.old_closes_at:%Y-%m-%d %H:%M} → {change.new_closes_at:%Y-%m-%d %H:%M}"
                )
                messages.success(request, _("Đã gia hạn %(name)s.") % {"name": round.name})
                return redirect("admin:quiz_round_change", round.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": round,
            "title": _("Gia hạn: %(name)s") % {"name": round.name},
            "round": round,
            "form": form,
            "media": self.media + form.media,
        }
        return render(request, "admin/quiz/round/extend.html", context)

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
                messages.success(request, _("Đã thêm %(n)d câu.") % {"n": n})
                return redirect("admin:quiz_round_pool", pk=round.pk)
            if "copy" in request.POST and copy_form.is_valid():
                n = round_pool_copy(round=round, source=copy_form.cleaned_data["source"])
                messages.success(request, _("Đã thêm %(n)d câu.") % {"n": n})
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
            "show_answers": is_organizer(request.user),
        }
        return render(request, "admin/quiz/round/pool.html", context)


class TimeExtensionForm(forms.ModelForm):
    class Meta:
        model = TimeExtension
        fields = ["round", "user", "minutes", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "minutes": _("Cộng vào thời gian làm bài của mọi bài thi của thí sinh trong tuần thi, kể cả bài đang làm; "
                         "không vượt quá giờ đóng của tuần thi."),
            "reason": _("Ví dụ: thí sinh khiếm thị dùng phần mềm đọc màn hình; mất kết nối lúc 9 giờ 12 phút, đã xác minh."),
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("round", "user"):
            widget = self.fields[name].widget if name in self.fields else None
            # A grant names a round and a person; it creates or edits neither.
            for flag in ("can_add_related", "can_change_related", "can_delete_related", "can_view_related"):
                if hasattr(widget, flag):
                    setattr(widget, flag, False)
        if "round" in self.fields:
            self.fields["round"].queryset = Round.objects.filter(
                approved_at__isnull=False, results_published_at__isnull=True, closes_at__gt=timezone.now()
            ).select_related("contest")

    def clean(self):
        data = super().clean()
        round = data.get("round")
        if round is not None:
            for problem in time_extension_problems(round=round, minutes=data.get("minutes"), reason=data.get("reason", "")):
                self.add_error(None, problem)
        return data


@admin.register(TimeExtension)
class TimeExtensionAdmin(admin.ModelAdmin):
    """Extra time for one contestant: added by an organizer through
    quiz.services.deadlines.time_extension_grant, never changed or deleted (a record)."""

    form = TimeExtensionForm
    list_display = ["round", "user", "minutes", "reason", "granted_by", "granted_at"]
    list_filter = ["round__contest", "round"]
    search_fields = ["user__email", "user__full_name", "reason"]
    raw_id_fields = ["user"]
    list_select_related = ["round", "round__contest", "user", "granted_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        extension = time_extension_grant(round=obj.round, user=obj.user, minutes=obj.minutes, reason=obj.reason, by=request.user)
        obj.pk, obj.granted_by, obj.granted_at = extension.pk, extension.granted_by, extension.granted_at


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A table to look things up in. Its rows change only through services (rankings at every
    finished attempt, disqualification by the integrity review, prizes by their lifecycle)."""


@admin.register(RoundEntry)
class RoundEntryAdmin(ReadOnlyAdmin):
    list_display = ["round", "user", "score", "duration_ms", "attempts_count", "disqualified"]
    list_filter = ["round", "disqualified"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user", "best_attempt"]
    list_select_related = ["round", "user"]


@admin.register(Prize)
class PrizeAdmin(ReadOnlyAdmin):
    """Prizes are drafted, verified (the secretariat's winners page in /reports/) and published by
    the prize services; here they are only shown."""

    list_display = ["round", "rank", "tier", "user", "status", "verified_by", "verified_at"]
    list_filter = ["round", "tier", "status"]
    search_fields = ["user__email", "user__full_name"]
    list_select_related = ["round", "user", "verified_by"]

"""The question bank in the admin: fields, questions with their options, images and item
figures. A sealed question is shown read-only (the signals refuse any change anyway); the
import and export screens are in quiz.admin.bank_screens."""

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, FloatField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, NullIf
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contests.admin import ReadOnlyMixin
from quiz import analysis, selectors
from quiz.admin.bank_screens import QuestionBankScreens
from quiz.models import Field, Option, Question, QuestionStat, Round, RoundQuestion
from quiz.services.bank import question_image_set, question_validate_options


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
        return self.fields if request.user.has_perm("quiz.see_answers") else ["letter", "text"]


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
        from quiz.images import MAX_BYTES, image_prepare

        upload = self.cleaned_data.get("image_upload")
        if not upload:
            return None
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Ảnh «%(name)s» lớn quá %(mb)d MB.") % {"name": upload.name, "mb": MAX_BYTES // 1048576})
        return image_prepare(upload.read(), name=upload.name)


@admin.register(Question)
class QuestionAdmin(QuestionBankScreens, admin.ModelAdmin):
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

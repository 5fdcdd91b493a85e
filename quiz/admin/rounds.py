"""Rounds in the admin: the round form (the window rules of the service), its blueprint and
pool inlines, the record of extensions. A sealed round's rules are read-only; its custom screens
are in quiz.admin.seal_screens (seal, answer key, extension) and quiz.admin.round_screens
(pool, item analysis)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contests.admin import ContestWritableInlineMixin, ContestWritableMixin, ReadOnlyMixin
from quiz import selectors
from quiz.admin.round_screens import RoundToolScreens
from quiz.admin.seal_screens import RoundSealScreens
from quiz.models import BlueprintItem, Round, RoundQuestion, RoundWindowChange
from quiz.round_fields import ROUND_FROZEN_FIELDS


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
    """The record of every extension and early close (written only by round_extend_window and
    round_close_early)."""

    model = RoundWindowChange
    extra = 0
    fields = readonly_fields = ["old_closes_at", "new_closes_at", "reason", "changed_by", "changed_at"]


class RoundAdminForm(forms.ModelForm):
    """The admin builds the fields from the fieldsets; this adds the window rules of the service."""

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if {"ranking_rule", "tiebreaker_enabled"} <= set(self.fields):  # read-only once sealed
            for problem in selectors.round_ranking_problems(
                ranking_rule=cleaned.get("ranking_rule"), tiebreaker_enabled=cleaned.get("tiebreaker_enabled", False)
            ):
                self.add_error("tiebreaker_enabled", problem)
        if {"prize_min_score", "questions_per_attempt"} <= set(self.fields):  # read-only once sealed
            for problem in selectors.round_prize_problems(
                prize_min_score=cleaned.get("prize_min_score"), questions_per_attempt=cleaned.get("questions_per_attempt")
            ):
                self.add_error("prize_min_score", problem)
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


@admin.register(Round)
class RoundAdmin(RoundSealScreens, RoundToolScreens, ContestWritableMixin, admin.ModelAdmin):
    form = RoundAdminForm
    # The contest under the round's name (several contests run at once, and rounds of two years
    # share names), not a column of its own: the list fits a 1366 px laptop.
    list_display = ["name_and_contest", "kind", "opens_at", "closes_at", "pool_size", "phase_display", "manage_link"]
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
                    "prize_min_score",
                )
            },
        ),
        (_("Duyệt"), {"fields": ("approved_at", "approved_by", "results_published_at", "full_score_actual")}),
    )
    change_form_template = "admin/quiz/round/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("contest").annotate(n=Count("pool"))

    @admin.display(description=_("tuần thi"), ordering="name")
    def name_and_contest(self, obj):
        return format_html('{}<br><small class="quiet" data-contest>{}</small>', obj.name, obj.contest.name)

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
        return request.user.has_perm("quiz.seal_round") and self.has_change_permission(request)

    def has_answer_key_permission(self, request):
        return request.user.has_perm("quiz.download_answer_key") and self.has_view_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        round = self.get_object(request, object_id)
        can_extend = (
            round is not None
            and round.is_sealed
            and not round.is_closed
            and not round.results_published_at
            and self.has_seal_permission(request)
        )
        can_correct = round is not None and round.is_sealed and round.is_closed and self.has_erratum_permission(request)
        extra_context = {**(extra_context or {}), "can_extend": can_extend, "can_correct": can_correct}
        return super().change_view(request, object_id, form_url, extra_context=extra_context)

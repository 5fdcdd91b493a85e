"""Records in the admin: extra time for one contestant (added through the service, never changed
or deleted), and the entries and prizes, shown read-only (they change only through services)."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contests.admin import ReadOnlyMixin
from quiz.models import Prize, Round, RoundEntry, TimeExtension
from quiz.services.deadlines import time_extension_grant, time_extension_problems


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

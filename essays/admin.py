from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Criterion, Essay, EssayAuthor, EssayFile, EssayPhase, EssayPrize, JudgingRound, PanelMember


@admin.register(EssayPhase)
class EssayPhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "contest", "opens_at", "closes_at", "min_words", "max_words"]
    list_filter = ["contest"]


class AuthorInline(admin.TabularInline):
    model = EssayAuthor
    extra = 0


class FileInline(admin.TabularInline):
    model = EssayFile
    extra = 0
    readonly_fields = ["file", "kind", "original_name", "size", "uploaded_at"]


@admin.register(Essay)
class EssayAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "subject_organization", "status", "eligibility", "published_at", "recommended_to_press"]
    list_filter = ["phase", "status", "eligibility", "recommended_to_press"]
    search_fields = ["code", "title", "subject_name", "authors__name"]
    list_select_related = ["subject_organization"]
    list_editable = ["recommended_to_press"]
    inlines = [AuthorInline, FileInline]
    readonly_fields = ["code", "submitter", "submitted_at", "screened_by", "screened_at"]
    actions = ["publish", "unpublish"]

    @admin.action(description=_("Đăng trên trang cuộc thi"))
    def publish(self, request, queryset):
        from django.utils import timezone

        queryset.filter(published_at__isnull=True).update(published_at=timezone.now())

    @admin.action(description=_("Gỡ khỏi trang cuộc thi"))
    def unpublish(self, request, queryset):
        queryset.update(published_at=None)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class PanelInline(admin.TabularInline):
    model = PanelMember
    extra = 0
    autocomplete_fields = ["organization"]
    raw_id_fields = ["judge"]


@admin.register(JudgingRound)
class JudgingRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "phase", "order", "assignment_mode", "status", "manage_link"]
    list_filter = ["phase", "status"]
    inlines = [CriterionInline, PanelInline]

    @admin.display(description="")
    def manage_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("judging:manage_round", args=[obj.pk]), _("Phân công, kết quả"))


@admin.register(EssayPrize)
class EssayPrizeAdmin(admin.ModelAdmin):
    list_display = ["rank", "tier", "essay"]
    list_select_related = ["essay"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Organizers reopen a submitted score sheet here (a judge cannot)."""

    list_display = ["round", "essay", "judge", "status", "submitted_at", "conflict_reason"]
    list_filter = ["round", "status"]
    search_fields = ["essay__code", "judge__email", "judge__full_name"]
    list_select_related = ["round", "essay", "judge"]
    readonly_fields = ["round", "essay", "judge", "status", "comment", "conflict_reason", "submitted_at"]
    actions = ["reopen"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mở lại phiếu chấm đã nộp"))
    def reopen(self, request, queryset):
        from .judging import sheet_reopen

        for assignment in queryset:
            sheet_reopen(assignment=assignment)
        self.message_user(request, _("Đã mở lại %(n)d phiếu chấm.") % {"n": queryset.count()})

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.roles import has_role
from contests.admin import ContestWritableMixin, ReadOnlyMixin

from .models import Assignment, Criterion, Essay, EssayAuthor, EssayFile, EssayPhase, EssayPrize, JudgingRound, PanelMember
from .services import EssayError, essay_publish, essay_unpublish


def _is_organizer(request) -> bool:
    return has_role(request.user, Role.ORGANIZER)


@admin.register(EssayPhase)
class EssayPhaseAdmin(ContestWritableMixin, admin.ModelAdmin):
    list_display = ["name", "contest", "opens_at", "closes_at", "min_words", "max_words"]
    list_filter = ["contest"]


class AuthorInline(admin.TabularInline):
    model = EssayAuthor
    extra = 0


class FileInline(admin.TabularInline):
    model = EssayFile
    extra = 0
    readonly_fields = ["file", "kind", "original_name", "size", "uploaded_at"]

    def has_add_permission(self, request, obj=None):
        # Uploads go through the contestant's form, which checks what a file really is.
        return False


@admin.register(Essay)
class EssayAdmin(ContestWritableMixin, admin.ModelAdmin):
    """Screening is the secretariat's page (/essays/manage/, essay_screen) and publication goes
    through essay_publish / essay_unpublish, so those fields are read-only here."""

    list_display = ["code", "title", "subject_organization", "status", "eligibility", "published_at", "recommended_to_press"]
    list_filter = ["phase", "status", "eligibility", "recommended_to_press"]
    search_fields = ["code", "title", "subject_name", "authors__name"]
    list_select_related = ["subject_organization"]
    list_editable = ["recommended_to_press"]
    inlines = [AuthorInline, FileInline]
    readonly_fields = [
        "code",
        "submitter",
        "status",
        "submitted_at",
        "eligibility",
        "screening_reasons",
        "screening_note",
        "screened_by",
        "screened_at",
        "published_at",
    ]
    actions = ["publish", "unpublish"]
    contest_path = "phase.contest"

    def has_add_permission(self, request):
        # Essays are written by their authors (essay_save), never created here.
        return False

    def has_publish_permission(self, request):
        return _is_organizer(request) and self.has_change_permission(request)

    def _run(self, request, queryset, service, done_message):
        done = 0
        for essay in queryset:
            try:
                service(essay=essay, by=request.user)
            except EssayError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Đăng trên trang cuộc thi"), permissions=["publish"])
    def publish(self, request, queryset):
        self._run(request, queryset, essay_publish, _("Đã đăng %(n)d bài viết."))

    @admin.action(description=_("Gỡ khỏi trang cuộc thi"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._run(request, queryset, essay_unpublish, _("Đã gỡ %(n)d bài viết."))


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class PanelInline(admin.TabularInline):
    model = PanelMember
    extra = 0
    autocomplete_fields = ["organization"]
    raw_id_fields = ["judge"]


@admin.register(JudgingRound)
class JudgingRoundAdmin(ContestWritableMixin, admin.ModelAdmin):
    contest_path = "phase.contest"
    list_display = ["name", "phase", "order", "assignment_mode", "status", "deadline", "manage_link"]
    list_filter = ["phase", "status"]
    inlines = [CriterionInline, PanelInline]
    # Opening and closing a judging round are the services' (the management page).
    readonly_fields = ["status", "closed_at"]
    fieldsets = (
        (None, {"fields": ("phase", "name", "order")}),
        (_("Phân công"), {"fields": ("assignment_mode", "judges_per_essay")}),
        (_("Thời hạn và trạng thái"), {"fields": ("deadline", "status", "closed_at")}),
    )

    @admin.display(description="")
    def manage_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("judging:manage_round", args=[obj.pk]), _("Phân công, kết quả"))


@admin.register(EssayPrize)
class EssayPrizeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Shown only: prizes are drafted, verified (the secretariat's /reports/ page) and published by
    the prize services."""

    list_display = ["rank", "tier", "essay", "status", "verified_by", "verified_at"]
    list_filter = ["status", "tier"]
    list_select_related = ["essay", "verified_by"]


@admin.register(Assignment)
class AssignmentAdmin(ContestWritableMixin, admin.ModelAdmin):
    """Organizers reopen a submitted score sheet here (a judge cannot)."""

    contest_path = "round.phase.contest"
    list_display = ["round", "essay", "judge", "status", "submitted_at", "conflict_reason"]
    list_filter = ["round", "status"]
    search_fields = ["essay__code", "judge__email", "judge__full_name"]
    list_select_related = ["round", "essay", "judge"]
    readonly_fields = ["round", "essay", "judge", "status", "comment", "conflict_reason", "submitted_at"]
    actions = ["reopen"]

    def has_add_permission(self, request):
        return False

    def has_reopen_permission(self, request):
        return _is_organizer(request) and self.has_change_permission(request)

    @admin.action(description=_("Mở lại phiếu chấm đã nộp"), permissions=["reopen"])
    def reopen(self, request, queryset):
        from .judging import sheet_reopen

        for assignment in queryset:
            sheet_reopen(assignment=assignment, by=request.user)
        self.message_user(request, _("Đã mở lại %(n)d phiếu chấm.") % {"n": queryset.count()})

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from contests.admin import ContestWritableInlineMixin, ContestWritableMixin, ReadOnlyMixin, posted_inline_fields

from . import freeze
from .forms import RubricAmendForm
from .models import Assignment, Criterion, Essay, EssayAuthor, EssayFile, EssayPhase, EssayPrize, JudgingRound, PanelMember
from .services import EssayError, essay_publish, essay_unpublish


@admin.register(EssayPhase)
class EssayPhaseAdmin(ContestWritableMixin, admin.ModelAdmin):
    list_display = ["name", "contest", "opens_at", "closes_at", "min_words", "max_words", "expects_attachment", "vote_enabled"]
    list_filter = ["contest"]
    # The public vote's settings (essays.votes.vote_window_problems, asked by EssayPhase.clean).
    fieldsets = [
        (None, {"fields": ["contest", "name", "opens_at", "closes_at", "min_words", "max_words", "expects_attachment"]}),
        (_("Bình chọn của bạn đọc"), {"fields": ["vote_enabled", "vote_opens_at", "vote_closes_at", "vote_prize"]}),
    ]


class FrozenInlineMixin:
    """An inline that is view-only while `_frozen(parent)` holds (essays.freeze)."""

    def _frozen(self, obj) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


class EssayPartInline(FrozenInlineMixin, ContestWritableInlineMixin, admin.TabularInline):
    """Authors and attachments: view-only once the essay is screened (essays.freeze) or its
    contest archived."""

    extra = 0
    contest_path = "phase.contest"

    def _frozen(self, obj):
        return obj is not None and freeze.essay_is_frozen(obj)


class AuthorInline(EssayPartInline):
    model = EssayAuthor


class FileInline(EssayPartInline):
    model = EssayFile
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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and freeze.essay_is_frozen(obj):
            fields += [name for name in freeze.ESSAY_FROZEN_FIELDS if name not in fields]
        return fields

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A screened essay's page shows its content read-only, so a browser never posts it back:
        a form that carries it anyway (an old page, a crafted request) is refused whole."""
        essay = self.get_object(request, object_id) if object_id else None
        if essay is not None and freeze.essay_is_frozen(essay) and self.has_change_permission(request, essay):
            if request.method == "POST" and (
                any(name in request.POST for name in freeze.ESSAY_FROZEN_FIELDS)
                or posted_inline_fields(request.POST, "authors", ["name", "organization", "phone", "order"])
                or posted_inline_fields(request.POST, "files", ["file", "kind", "original_name"])
            ):
                messages.error(request, freeze.essay_frozen_message())
                return HttpResponseRedirect(request.path)
            if request.method == "GET":
                messages.info(request, freeze.essay_frozen_message())
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_publish_permission(self, request):
        return request.user.has_perm("essays.publish_essay") and self.has_change_permission(request)

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
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Đăng trên trang cuộc thi"), permissions=["publish"])
    def publish(self, request, queryset):
        self._run(
            request,
            queryset,
            essay_publish,
            lambda n: ngettext("Đã đăng %(n)d bài viết.", "Đã đăng %(n)d bài viết.", n) % {"n": n},
        )

    @admin.action(description=_("Gỡ khỏi trang cuộc thi"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._run(
            request, queryset, essay_unpublish, lambda n: ngettext("Đã gỡ %(n)d bài viết.", "Đã gỡ %(n)d bài viết.", n) % {"n": n}
        )


class CriterionInline(FrozenInlineMixin, ContestWritableInlineMixin, admin.TabularInline):
    """View-only once a score sheet of the round is submitted (essays.freeze): then the rubric
    changes only by «Sửa tiêu chí chấm», with a reason that is recorded."""

    model = Criterion
    extra = 0
    contest_path = "phase.contest"

    def _frozen(self, obj):
        return obj is not None and freeze.rubric_is_frozen(obj.pk)


class PanelInline(ContestWritableInlineMixin, admin.TabularInline):
    model = PanelMember
    extra = 0
    contest_path = "phase.contest"
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

    actions = ["amend_rubric"]
    change_form_template = "admin/essays/judginground/change_form.html"

    @admin.display(description="")
    def manage_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("judging:manage_round", args=[obj.pk]), _("Phân công, kết quả"))

    def has_amend_rubric_permission(self, request):
        return request.user.has_perm("essays.amend_rubric") and self.has_change_permission(request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A scored round shows its criteria read-only, so a browser never posts them back: a
        form that carries them anyway (an old page, a crafted request) is refused whole."""
        round = self.get_object(request, object_id) if object_id else None
        if (
            request.method == "POST"
            and round is not None
            and posted_inline_fields(request.POST, "criteria", ["name", "max_points", "weight", "order"])
            and freeze.rubric_is_frozen(round.pk)
            and self.has_change_permission(request, round)
        ):
            messages.error(request, freeze.rubric_frozen_message())
            return HttpResponseRedirect(request.path)
        extra_context = {
            **(extra_context or {}),
            "can_amend_rubric": round is not None and self.has_amend_rubric_permission(request),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Sửa tiêu chí chấm (có ghi lý do)"), permissions=["amend_rubric"])
    def amend_rubric(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Chọn đúng một vòng chấm để sửa tiêu chí chấm."), messages.ERROR)
            return None
        return redirect("admin:essays_judginground_rubric", queryset.get().pk)

    def get_urls(self):
        return [
            path("<int:pk>/rubric/", self.admin_site.admin_view(self.rubric_view), name="essays_judginground_rubric"),
        ] + super().get_urls()

    def rubric_view(self, request, pk):
        """«Sửa tiêu chí chấm»: new weights and maximum points with a reason, through
        essays.judging.rubric_amend (recorded in the decision log)."""
        from .judging import rubric_amend

        round = JudgingRound.objects.select_related("phase__contest").filter(pk=pk).first()
        if round is None:
            return redirect("admin:essays_judginground_changelist")
        if not self.has_amend_rubric_permission(request) or self.is_read_only(round):
            raise PermissionDenied
        form = RubricAmendForm(request.POST or None, criteria=Criterion.objects.filter(round=round))
        if request.method == "POST" and form.is_valid():
            try:
                rubric_amend(round=round, changes=form.changes(), by=request.user, reason=form.cleaned_data["reason"])
            except EssayError as exc:
                form.add_error(None, exc.message)
            else:
                self.log_change(request, round, "Sửa tiêu chí chấm")
                done = _("Đã sửa tiêu chí chấm của %(name)s và ghi vào nhật ký quyết định.") % {"name": round.name}
                messages.success(request, done)
                return redirect("admin:essays_judginground_change", round.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": round,
            "title": _("Sửa tiêu chí chấm: %(name)s") % {"name": round.name},
            "round": round,
            "frozen": freeze.rubric_is_frozen(round.pk),
            "form": form,
        }
        return render(request, "admin/essays/judginground/rubric.html", context)


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

    def has_delete_permission(self, request, obj=None):
        # A sheet is never deleted, not even by a superuser: deleting a declared conflict's sheet and
        # assigning again would hand the essay back to that judge with nothing in the decision log.
        # Withdrawing a sheet goes through the judging services (a conflict's undo), which record it.
        return False

    def has_reopen_permission(self, request):
        return request.user.has_perm("essays.reopen_sheet") and self.has_change_permission(request)

    @admin.action(description=_("Mở lại phiếu chấm đã nộp"), permissions=["reopen"])
    def reopen(self, request, queryset):
        from .judging import sheet_reopen

        for assignment in queryset:
            sheet_reopen(assignment=assignment, by=request.user)
        n = queryset.count()
        self.message_user(request, ngettext("Đã mở lại %(n)d phiếu chấm.", "Đã mở lại %(n)d phiếu chấm.", n) % {"n": n})

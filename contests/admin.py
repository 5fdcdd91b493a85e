from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import FAQ, Contest, ReferenceDocument
from .rules import contest_is_writable, read_only_message


class ReadOnlyMixin:
    """For admins and inlines of records that change only through services (prizes by their
    lifecycle, rankings at every finished attempt, extensions by round_extend_window): they are
    shown, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContestWritableMixin:
    """For the admins of what belongs to a contest (rounds, essay phases, essays, judging rounds,
    score sheets): once the contest is archived its records are shown, never changed or deleted
    (`contests.rules.contest_is_writable`); a form posted anyway is refused with the message.
    `contest_path` follows the relations from the object to its contest."""

    contest_path = "contest"

    def contest_of(self, obj):
        for name in self.contest_path.split("."):
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj

    def is_read_only(self, obj) -> bool:
        return obj is not None and not contest_is_writable(self.contest_of(obj))

    def has_change_permission(self, request, obj=None):
        return not self.is_read_only(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self.is_read_only(obj) and super().has_delete_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        if self.is_read_only(obj):
            if request.method == "POST":
                messages.error(request, read_only_message())
                return HttpResponseRedirect(request.path)
            messages.info(request, read_only_message())
        return super().changeform_view(request, object_id, form_url, extra_context)


class ReferenceDocumentInline(admin.StackedInline):
    model = ReferenceDocument
    extra = 0


class FAQInline(admin.StackedInline):
    model = FAQ
    extra = 0


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on", "status"]
    list_filter = ["status"]
    search_fields = ["name", "theme"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ReferenceDocumentInline, FAQInline]
    actions = ["copy_contest"]
    change_form_template = "admin/contests/contest/change_form.html"

    def has_copy_permission(self, request):
        """Whoever may create a contest may copy one (organizers; the secretariat's admin is
        view-only); the page it leads to asks for the organizer role too."""
        return self.has_add_permission(request)

    @admin.action(description=_("Sao chép cuộc thi (tạo bản nháp năm sau)"), permissions=["copy"])
    def copy_contest(self, request, queryset):
        """The confirmation page (in reports: the copy touches the quiz and the essays) asks for
        the new name, address and first day; one contest at a time."""
        if queryset.count() != 1:
            self.message_user(request, _("Chọn đúng một cuộc thi để sao chép."), messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("reports:contest_copy", args=[queryset.get().pk]))

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_copy"] = self.has_copy_permission(request)
        return super().render_change_form(request, context, *args, **kwargs)

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import notifications
from .models import FAQ, Contest, Notification, ReferenceDocument
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
    fieldsets = [
        (None, {"fields": ["name", "slug", "theme", "organizer_name", "summary", "rules", "starts_on", "ends_on", "status"]}),
        (_("Liên hệ"), {"fields": ["hotline", "contact_email", "contact_address"]}),
        (
            _("Văn bản của cuộc thi (báo cáo tổng kết)"),
            {
                "description": _(
                    "Khối tiêu đề, nơi nhận và chữ ký của báo cáo tổng kết, trình bày theo Hướng dẫn 36-HD/VPTW."
                ),
                "fields": [
                    "doc_superior_body", "doc_issuing_body", ("doc_number", "doc_symbol"), "doc_place",
                    "doc_signer_authority", "doc_signer_title", "doc_signer_name", "doc_recipients",
                ],
            },
        ),
    ]  # fmt: skip
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


class RetriedFilter(admin.SimpleListFilter):
    title = _("gửi lại")
    parameter_name = "retried"

    def lookups(self, request, model_admin):
        return [("yes", _("Đã phải gửi lại")), ("no", _("Gửi được ngay lần đầu"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(attempts__gt=1)
        if self.value() == "no":
            return queryset.filter(attempts__lte=1)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The outbox: what was sent to whom, what failed and why. Rows are written by the events
    (contests.notifications) and changed only by sending; «Gửi lại» queues failed ones again."""

    list_display = ["created_at", "kind", "channel", "address", "status", "attempts", "sent_at"]
    list_filter = ["status", RetriedFilter, "channel", "kind"]
    search_fields = ["address", "key", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    fields = [
        "recipient", "kind", "channel", "address", "key", "subject", "body",
        "status", "attempts", "last_error", "created_at", "next_attempt_at", "sent_at",
    ]  # fmt: skip
    actions = ["retry"]
    show_full_result_count = False

    def has_retry_permission(self, request):
        return request.user.has_perm("contests.change_notification")

    @admin.action(description=_("Gửi lại các thông báo gửi không được"), permissions=["retry"])
    def retry(self, request, queryset):
        count = notifications.notifications_retry(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("Đã đưa %(n)d thông báo vào hàng chờ gửi lại.", "Đã đưa %(n)d thông báo vào hàng chờ gửi lại.", count)
            % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )

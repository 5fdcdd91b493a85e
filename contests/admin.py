from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import notifications
from .models import FAQ, Contest, Notification, ReferenceDocument


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

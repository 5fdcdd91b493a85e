from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import FAQ, Contest, ReferenceDocument


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

from django.contrib import admin

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
    inlines = [ReferenceDocumentInline, FAQInline]

from django.contrib import admin

from .models import Certificate


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Issued certificates, to look up (issue them from /reports/certificates/; whether one still
    holds is asked of its prize, never edited here)."""

    list_display = ["code", "kind", "holder_name", "unit_name", "tier", "issued_at"]
    list_filter = ["kind", "contest"]
    search_fields = ["code", "holder_name"]
    list_select_related = ["contest"]
    fields = ["code", "kind", "contest", "holder_name", "unit_name", "tier", "subject", "issued_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
